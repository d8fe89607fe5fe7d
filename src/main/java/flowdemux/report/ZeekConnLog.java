package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.FlowRecord;
import flowdemux.service.ServiceId;
import flowdemux.util.Addresses;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A conn.log in Zeek's TSV layout: its header lines, field order and unset marks. */
public final class ZeekConnLog implements ReportFormat, RecordLine
{
    public static final String FIELDS = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
        + "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
        + "resp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto";
    public static final String TYPES = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
        + "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss").withZone(ZoneOffset.UTC);

    /** Columns beyond Zeek's, with --zeek-extra. */
    public static final String EXTRA_FIELDS = "\tts_ns\tduration_ns\trtt_syn_synack\trtt_synack_ack\torig_retransmits"
        + "\tresp_retransmits\torig_mss\tresp_mss\torig_wscale\tresp_wscale\torig_sack\tresp_sack\tja4\tja3"
        + "\torig_pid\torig_process\torig_user\torig_cgroup\tresp_pid\tresp_process\tresp_user\tresp_cgroup";
    public static final String EXTRA_TYPES = "\tcount\tcount\tinterval\tinterval\tcount\tcount\tcount\tcount\tcount"
        + "\tcount\tbool\tbool\tstring\tstring\tcount\tstring\tstring\tstring\tcount\tstring\tstring\tstring";

    private final LocalNets localNets;
    private final boolean extra;
    private final boolean communityId;

    public ZeekConnLog(final LocalNets localNets, final boolean extra)
    {
        this(localNets, extra, false);
    }

    /** {@code communityId}: the column Zeek's policy community-id-logging adds after its own (--community-id). */
    public ZeekConnLog(final LocalNets localNets, final boolean extra, final boolean communityId)
    {
        this.localNets = localNets;
        this.extra = extra;
        this.communityId = communityId;
    }

    /** Only the lines: no per-port or per-server view is printed. */
    @Override
    public boolean usesAggregates()
    {
        return false;
    }

    @Override
    public void write(final AnalysisResult r, final Writer out) throws IOException
    {
        // Zeek stamps #open/#close with wall time; capture time keeps the output reproducible.
        final long openNanos = r.stats.packets > 0 ? r.stats.firstNanos : 0;
        final long closeNanos = r.stats.packets > 0 ? r.stats.lastNanos : 0;
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n");
        out.write("#open\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(openNanos, 1_000_000_000L))) + "\n");
        out.write("#fields\t" + FIELDS + (communityId ? "\tcommunity_id" : "") + (extra ? EXTRA_FIELDS : "") + "\n");
        out.write("#types\t" + TYPES + (communityId ? "\tstring" : "") + (extra ? EXTRA_TYPES : "") + "\n");
        writeLines(r, out);
        writeClose(out, closeNanos);
    }

    @Override
    public void append(final FlowRecord f, final AsciiLine sb)
    {
        columns(f, sb, false);
    }

    /**
     * The zeek-kafka plugin's message for this row ({@code Kafka::tag_json}): {@code {"conn": {...}}} with Zeek's
     * field names and JSON types, unset fields left out as Zeek's JSON writer leaves them; times and intervals to the
     * microsecond, as in the TSV row.
     */
    public RecordLine taggedJson()
    {
        return (f, sb) ->
        {
            sb.append("{\"conn\":{");
            columns(f, sb, true);
            sb.append("}}");
        };
    }

    /** The row's columns, as TSV or as JSON fields: one list of columns for both, so they cannot drift apart. */
    private void columns(final FlowRecord f, final AsciiLine sb, final boolean json)
    {
        final boolean hasDuration = f.durationNanos() > 0;
        if (json)
        {
            sb.append("\"ts\":");
        }
        Formats.appendEpochSeconds(sb, f.firstNanos, 6);
        FlowRecord.appendUid(text(sb, json, "uid"), f.uidSeed, f.serial);
        endText(sb, json);
        Addresses.append(text(sb, json, "id.orig_h"), f.origHi, f.origLo);
        endText(sb, json);
        name(sb, json, "id.orig_p").append(f.origPort);
        Addresses.append(text(sb, json, "id.resp_h"), f.respHi, f.respLo);
        endText(sb, json);
        name(sb, json, "id.resp_p").append(f.respPort);
        string(sb, json, "proto", f.protocolName());
        string(sb, json, "service", ServiceId.names(f.services));
        if (hasDuration)
        {
            Formats.appendZeekInterval(name(sb, json, "duration"), f.durationNanos());
            count(sb, json, "orig_bytes", f.origBytes);
            count(sb, json, "resp_bytes", f.respBytes);
        }
        else if (!json)
        {
            sb.append("\t-\t-\t-");
        }
        string(sb, json, "conn_state", f.connState);
        bool(sb, json, "local_orig", localNets.contains(f.origHi, f.origLo));
        bool(sb, json, "local_resp", localNets.contains(f.respHi, f.respLo));
        count(sb, json, "missed_bytes", f.missedBytes);
        string(sb, json, "history", f.history.isEmpty() ? null : f.history);
        count(sb, json, "orig_pkts", f.origPackets);
        count(sb, json, "orig_ip_bytes", f.origIpBytes);
        count(sb, json, "resp_pkts", f.respPackets);
        count(sb, json, "resp_ip_bytes", f.respIpBytes);
        if (!json)
        {
            f.appendTunnelParents(sb.append('\t'));
        }
        else if (f.tunnelParentCount > 0)
        {
            name(sb, true, "tunnel_parents").append('[');
            for (int i = 0; i < f.tunnelParentCount; i++)
            {
                FlowRecord.appendUid(sb.append(i == 0 ? "\"" : ",\""), f.uidSeed, f.tunnelParents[i]).append('"');
            }
            sb.append(']');
        }
        count(sb, json, "ip_proto", f.protocol);
        if (communityId)
        {
            flowdemux.flow.CommunityId.append(text(sb, json, "community_id"), f, f.communityIdSeed);
            endText(sb, json);
        }
        if (extra)
        {
            count(sb, json, "ts_ns", f.firstNanos);
            count(sb, json, "duration_ns", f.durationNanos());
            interval(sb, json, "rtt_syn_synack", f.rttSynAckNanos);
            interval(sb, json, "rtt_synack_ack", f.rttAckNanos);
            count(sb, json, "orig_retransmits", f.origRetransmits);
            count(sb, json, "resp_retransmits", f.respRetransmits);
            count(sb, json, "orig_mss", f.origMss);
            count(sb, json, "resp_mss", f.respMss);
            count(sb, json, "orig_wscale", f.origWindowScale);
            count(sb, json, "resp_wscale", f.respWindowScale);
            bool(sb, json, "orig_sack", f.origSackPermitted);
            bool(sb, json, "resp_sack", f.respSackPermitted);
            // The TLS client's fingerprints (hex and ASCII by construction, nothing to escape).
            final boolean tls = f.noteKind() == flowdemux.service.ServiceNotes.TLS;
            string(sb, json, "ja4", tls ? f.noteText(2) : null);
            string(sb, json, "ja3", tls ? f.noteText(3) : null);
            owner(sb, json, "orig", f.origOwner);
            owner(sb, json, "resp", f.respOwner);
        }
    }

    /** The owner's pid, process, user and cgroup (live capture on this host); unset when not local. */
    private static void owner(final AsciiLine sb, final boolean json, final String side, final flowdemux.host.Owner o)
    {
        count(sb, json, side + "_pid", o == null ? -1 : o.pid());
        escaped(sb, json, side + "_process", OwnerFields.process(o));
        escaped(sb, json, side + "_user", o == null ? null : o.user());
        escaped(sb, json, side + "_cgroup", o == null ? null : o.cgroup());
    }

    /** A string from outside (a program's name): Zeek's \\xNN escapes in the log, JSON's in JSON. */
    private static void escaped(final AsciiLine sb, final boolean json, final String name, final String value)
    {
        if (value == null)
        {
            string(sb, json, name, null);
            return;
        }
        if (json)
        {
            Escapes.json(text(sb, true, name), value);
        }
        else
        {
            Escapes.zeek(sb.append('\t'), value);
        }
        endText(sb, json);
    }

    /** Before a column: the tab, or the JSON field's name. */
    private static AsciiLine name(final AsciiLine sb, final boolean json, final String name)
    {
        return json ? sb.append(",\"").append(name).append("\":") : sb.append('\t');
    }

    /** Before a text column: as {@link #name}, and the opening quote in JSON; {@link #endText} closes it. */
    private static AsciiLine text(final AsciiLine sb, final boolean json, final String name)
    {
        return json ? name(sb, true, name).append('"') : name(sb, false, name);
    }

    private static void endText(final AsciiLine sb, final boolean json)
    {
        if (json)
        {
            sb.append('"');
        }
    }

    /** A text column whose value needs no escaping (ASCII names, states, fingerprints); null is unset. */
    private static void string(final AsciiLine sb, final boolean json, final String name, final String value)
    {
        if (value == null)
        {
            if (!json)
            {
                sb.append("\t-");
            }
            return;
        }
        text(sb, json, name).append(value);
        endText(sb, json);
    }

    /** A count; negative is unset. */
    private static void count(final AsciiLine sb, final boolean json, final String name, final long value)
    {
        if (value < 0)
        {
            if (!json)
            {
                sb.append("\t-");
            }
            return;
        }
        name(sb, json, name).append(value);
    }

    /** An interval in nanoseconds, written as Zeek's seconds; negative is unset. */
    private static void interval(final AsciiLine sb, final boolean json, final String name, final long nanos)
    {
        if (nanos < 0)
        {
            if (!json)
            {
                sb.append("\t-");
            }
            return;
        }
        Formats.appendZeekInterval(name(sb, json, name), nanos);
    }

    private static void bool(final AsciiLine sb, final boolean json, final String name, final boolean value)
    {
        if (json)
        {
            name(sb, true, name).append(value ? "true" : "false");
        }
        else
        {
            sb.append('\t').append(value ? 'T' : 'F');
        }
    }

    private static void writeClose(final Writer out, final long closeNanos) throws IOException
    {
        out.write("#close\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(closeNanos, 1_000_000_000L))) + "\n");
        out.flush();
    }
}
