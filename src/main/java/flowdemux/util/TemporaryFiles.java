package flowdemux.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The files an output is written to before it is whole: hidden, beside their target, renamed into place at the end. */
public final class TemporaryFiles
{
    private TemporaryFiles()
    {
    }

    /**
     * A new, empty file next to {@code target} with a unique hidden name. Unlike createTempFile it gets the usual
     * permissions (the umask's), since it becomes the output.
     */
    public static Path beside(final Path target) throws IOException
    {
        final Path folder = target.toAbsolutePath().getParent();
        for (int attempt = 0; ; attempt++)
        {
            final Path candidate = folder.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + "." + attempt + ".tmp");
            try
            {
                Files.newOutputStream(candidate, java.nio.file.StandardOpenOption.CREATE_NEW).close();
                return candidate;
            }
            catch (java.nio.file.FileAlreadyExistsException e)
            {
                if (attempt > 100)
                {
                    throw e;
                }
            }
        }
    }

    /** Renames a finished temporary file to its final name, atomically where the file system can. */
    public static void moveIntoPlace(final Path temporary, final Path target) throws IOException
    {
        try
        {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (java.nio.file.AtomicMoveNotSupportedException e)
        {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
