package flowdemux.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason of an I/O failure in words a user can act on, without the path (the caller names the file) and without
 * the temporary names the failure may carry: the JDK's file-system exceptions put only the path in their message.
 */
public final class IoErrors
{
    private IoErrors()
    {
    }

    public static String reason(final IOException e)
    {
        if (e instanceof NoSuchFileException)
        {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException)
        {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException)
        {
            return "not a folder";
        }
        if (e instanceof FileSystemException fs)
        {
            final String reason = fs.getReason();
            return reason == null ? "file system error" : lower(reason);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : lower(e.getMessage());
    }

    private static String lower(final String s)
    {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
