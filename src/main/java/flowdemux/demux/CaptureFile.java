package flowdemux.demux;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One capture being written: its path, what is in it so far, and, while it is open, its channel and buffer. The
 * files open at once are a list ordered by last use ({@link CaptureFiles}), linked through the files themselves so
 * that moving one to the front allocates nothing.
 */
public final class CaptureFile
{
    final Path path;
    /** Bytes written so far, buffered or not. */
    long length;
    /** Bytes known on disk: a record boundary, where the file is cut back to after a failed write. */
    long durable;
    long packets;
    long bytes;
    /** pcapng: the interface number in this file of each link type met, by the encoder (null until needed). */
    int[] interfaces;
    int interfaceCount;

    FileChannel channel;
    byte[] buffer;
    int fill;
    CaptureFile newer;
    CaptureFile older;

    CaptureFile(final Path path)
    {
        this.path = path;
    }

    public Path path()
    {
        return path;
    }

    /** Records written to the file. */
    public long packets()
    {
        return packets;
    }

    /** Their bytes on the wire. */
    public long bytes()
    {
        return bytes;
    }

    boolean isOpen()
    {
        return channel != null;
    }

    /** Room in the buffer for {@code n} more bytes (the caller flushes first when there is not). */
    boolean fits(final int n)
    {
        return fill + n <= buffer.length;
    }
}
