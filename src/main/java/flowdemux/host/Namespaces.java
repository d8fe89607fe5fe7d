package flowdemux.host;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Path;

/** setns(2) for the calling thread only: the lookup thread reads another namespace's table (--netns). */
final class Namespaces
{
    private Namespaces()
    {
    }

    static void enter(final Path netns) throws IOException
    {
        final int fd = LibC.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw new IOException("cannot open " + netns + ": " + LibC.strerror(Native.getLastError()));
        }
        try
        {
            if (LibC.setns(fd, LibC.CLONE_NEWNET) != 0)
            {
                throw new IOException("cannot enter the network namespace " + netns + ": "
                    + LibC.strerror(Native.getLastError()));
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
