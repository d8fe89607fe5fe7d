package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.FlowRecord;

import java.io.IOException;
import java.io.Writer;

/**
 * A per-connection output (CSV, Zeek conn.log) as one line per connection. Workers format their own connections
 * with it as the connections end, so that the final merge only copies lines. Called from several threads at once.
 */
public interface RecordLine
{
    /** Appends the connection's line, without the newline; ASCII only. */
    void append(FlowRecord f, AsciiLine line);

    /** Writes every connection's line: the workers' merged lines when there are, else formatted here. */
    default void writeLines(final AnalysisResult r, final Writer out) throws IOException
    {
        if (r.lines != null)
        {
            r.lines.writeTo(out);
            return;
        }
        final AsciiLine line = new AsciiLine(256);
        for (final FlowRecord f : r.flows)
        {
            line.setLength(0);
            append(f, line);
            out.append(line.toString()).append('\n');
        }
    }
}
