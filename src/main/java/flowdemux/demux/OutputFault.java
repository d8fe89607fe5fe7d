package flowdemux.demux;

import flowdemux.util.IoErrors;

import java.io.IOException;
import java.nio.file.Path;

/** Writing an output file failed (a full disk, a permission): the run ends with one line naming the file. */
public final class OutputFault extends RuntimeException
{
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public OutputFault(final Path path, final IOException cause)
    {
        super(path + ": cannot write: " + IoErrors.reason(cause), cause);
        this.path = path;
    }

    public Path path()
    {
        return path;
    }
}
