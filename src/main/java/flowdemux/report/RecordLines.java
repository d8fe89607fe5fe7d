package flowdemux.report;

import java.io.IOException;
import java.io.Writer;

/** Every connection's line, in order of first packet, written once: the merged output of the workers' stores. */
public interface RecordLines
{
    /** Writes each line followed by a newline; a single pass. */
    void writeTo(Writer out) throws IOException;
}
