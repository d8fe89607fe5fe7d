package flowdemux.report;

import java.io.IOException;
import java.io.Writer;

/** A way to render an analysis: text, JSON, CSV or Zeek conn.log. */
public interface ReportFormat
{
    void write(AnalysisResult result, Writer out) throws IOException;

    static ReportFormat named(final String name, final int top, final flowdemux.ports.Services services,
        final LocalNets localNets, final boolean zeekExtra)
    {
        switch (name)
        {
            case "text":
                return new TextReport(top, services);
            case "json":
                return new JsonReport(top, services);
            case "csv":
                return new CsvReport(services);
            case "zeek":
                return new ZeekConnLog(localNets, zeekExtra);
            default:
                throw new IllegalArgumentException("unknown format " + name + " (text, json, csv, zeek)");
        }
    }
}
