package flowdemux.report;

import flowdemux.ports.Services;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/** A way to render an analysis: text, JSON, JSON lines, CSV, Zeek conn.log or HTML. The one list of format names. */
public interface ReportFormat
{
    List<String> NAMES = List.of("text", "json", "jsonl", "csv", "zeek", "html");

    /** {@code --top all}: every connection (JSON lists them all). */
    int ALL = Integer.MAX_VALUE;

    /** The formats whose per-connection part is a top list, capped at {@link Aggregates#TOP_KEPT}. */
    static boolean hasTopList(final String name)
    {
        return "text".equals(name) || "json".equals(name) || "html".equals(name);
    }

    void write(AnalysisResult result, Writer out) throws IOException;

    /** The line every connection gets, formatted by the workers as connections end; null when there is none. */
    default RecordLine lines()
    {
        return this instanceof RecordLine l ? l : null;
    }

    /**
     * Whether the report prints anything of {@link AnalysisResult#aggregates} (ports, servers, top flows,
     * distributions); formats that print only a line per connection say no, and the workers skip building them.
     */
    default boolean usesAggregates()
    {
        return true;
    }

    static ReportFormat named(final String name, final int top, final Services services, final LocalNets localNets,
        final boolean zeekExtra)
    {
        return named(name, top, services, localNets, zeekExtra, false);
    }

    /** {@code communityId}: conn.log gets Zeek's community_id column (JSON and CSV always have the field). */
    static ReportFormat named(final String name, final int top, final Services services, final LocalNets localNets,
        final boolean zeekExtra, final boolean communityId)
    {
        switch (name)
        {
            case "text":
                return new TextReport(top, services);
            case "json":
                return new JsonReport(Math.min(top, Aggregates.TOP_KEPT), services, localNets, top == ALL);
            case "html":
                return new HtmlReport(new JsonReport(Math.min(top, Aggregates.TOP_KEPT), services, localNets, false)
                    .capped(HtmlReport.MAX_PORTS, HtmlReport.MAX_SERVERS, HtmlReport.MAX_CLIENTS));
            case "jsonl":
                return new JsonLines(localNets);
            case "csv":
                return new CsvReport(services);
            case "zeek":
                return new ZeekConnLog(localNets, zeekExtra, communityId);
            default:
                throw new IllegalArgumentException("unknown format " + name + " (" + String.join(", ", NAMES) + ")");
        }
    }
}
