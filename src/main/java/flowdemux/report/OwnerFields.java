package flowdemux.report;

import flowdemux.host.Owner;
import flowdemux.util.AsciiLine;

/**
 * A local endpoint's owner in the per-connection formats: JSON {"pid", "name", "user", "cgroup"} (or {"state",
 * "user"} when no program can be named), and four columns for CSV and conn.log: pid, process (the program's name, or
 * why there is none: "ended before lookup", "no socket at lookup", "other namespace", "no access"), user, cgroup.
 */
final class OwnerFields
{
    static final String CSV_HEADER = ",orig_pid,orig_process,orig_user,orig_cgroup,resp_pid,resp_process,resp_user,"
        + "resp_cgroup";

    private OwnerFields()
    {
    }

    /** {@code ,"orig_process":{...}}; nothing for a null owner (not local). */
    static void json(final AsciiLine sb, final String field, final Owner o)
    {
        if (o == null)
        {
            return;
        }
        sb.append(",\"").append(field).append("\":{");
        if (o.program() != null)
        {
            sb.append("\"pid\":").append(o.pid()).append(",\"name\":\"");
            Escapes.json(sb, o.name()).append("\",\"user\":\"");
            Escapes.json(sb, o.user()).append("\",\"cgroup\":\"");
            Escapes.json(sb, o.cgroup()).append('"');
            if (o.viaListener())
            {
                sb.append(",\"via\":\"listener\"");
            }
        }
        else
        {
            sb.append("\"state\":\"").append(o.kind().text).append('"');
            if (o.user() != null)
            {
                sb.append(",\"user\":\"");
                Escapes.json(sb, o.user()).append('"');
            }
        }
        sb.append('}');
    }

    /** The four CSV columns, each after a comma; empty for a null owner. */
    static void csv(final AsciiLine sb, final Owner o)
    {
        sb.append(',');
        if (o == null)
        {
            sb.append(",,,");
            return;
        }
        if (o.program() != null)
        {
            sb.append(o.pid());
        }
        sb.append(',');
        Escapes.csv(sb, o.program() != null ? o.name() : o.kind().text).append(',');
        if (o.user() != null)
        {
            Escapes.csv(sb, o.user());
        }
        sb.append(',');
        if (o.cgroup() != null)
        {
            Escapes.csv(sb, o.cgroup());
        }
    }

    /** The process column's text: the name, or why there is none; null for a null owner. */
    static String process(final Owner o)
    {
        return o == null ? null : o.program() != null ? o.name() : o.kind().text;
    }
}
