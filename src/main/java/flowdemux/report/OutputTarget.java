package flowdemux.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a report goes: standard output, or a file written under a temporary name in the same folder and renamed
 * into place only when complete, so a crash never leaves half a report under the final name.
 */
public final class OutputTarget implements AutoCloseable
{
    private final Path target;
    private final Path temporary;
    private final Writer writer;
    private boolean committed;

    private OutputTarget(final Path target, final Path temporary, final Writer writer)
    {
        this.target = target;
        this.temporary = temporary;
        this.writer = writer;
    }

    public static OutputTarget stdout(final Writer out)
    {
        return new OutputTarget(null, null, new BufferedWriter(out, 1 << 16));
    }

    /**
     * Why a report cannot be written to {@code target}, checked before the input is read (a long read should not
     * end in "cannot write"); null when it looks writable.
     */
    public static String problem(final Path target)
    {
        if (target.toString().isEmpty())
        {
            return "no file name";
        }
        if (Files.isDirectory(target))
        {
            return "it is a folder";
        }
        if (Files.exists(target) && !Files.isRegularFile(target))
        {
            return Files.isWritable(target) ? null : "permission denied";
        }
        final Path folder = target.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder))
        {
            return "no such folder " + (target.getParent() == null ? folder : target.getParent());
        }
        if (!Files.isWritable(folder))
        {
            return "permission denied in folder " + (target.getParent() == null ? folder : target.getParent());
        }
        return null;
    }

    public static OutputTarget file(final Path target) throws IOException
    {
        if (Files.exists(target) && !Files.isRegularFile(target))
        {
            // A device or a pipe (/dev/stdout, a FIFO): nothing to rename, write to it directly.
            return new OutputTarget(null, null, new ReportWriter(Files.newOutputStream(target)));
        }
        final Path absolute = target.toAbsolutePath();
        final Path temporary = flowdemux.util.TemporaryFiles.beside(absolute);
        return new OutputTarget(absolute, temporary, new ReportWriter(Files.newOutputStream(temporary)));
    }

    public Writer writer()
    {
        return writer;
    }

    /** Flushes, and for a file renames the temporary into place. */
    public void commit() throws IOException
    {
        writer.flush();
        if (target != null)
        {
            writer.close();
            flowdemux.util.TemporaryFiles.moveIntoPlace(temporary, target);
        }
        committed = true;
    }

    @Override
    public void close() throws IOException
    {
        if (target == null)
        {
            writer.flush();
            return;
        }
        if (!committed)
        {
            try
            {
                writer.close();
            }
            finally
            {
                Files.deleteIfExists(temporary);
            }
        }
    }
}
