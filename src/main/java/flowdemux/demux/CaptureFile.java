package flowdemux.demux;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One capture being written: its path, what is in it so far, its records not yet written (a chain of the shared
 * {@link ChunkArena}'s chunks), and its channel while it is open. {@link CaptureFiles} keeps two lists ordered by
 * last use, the files holding records and the files open, linked through the files themselves so that moving one to
 * the front allocates nothing.
 */
public final class CaptureFile
{
    /** The folder and the name in it (null: {@link #base} is the file): a million open files keep one folder. */
    private final Path base;
    private final String name;
    /** Bytes written so far, buffered or not. */
    long length;
    /** Bytes known on disk: a record boundary, where the file is cut back to after a failed write. */
    long durable;
    /** Whether the file was created on disk (its first write reached it). */
    boolean created;
    long packets;
    long bytes;
    /** pcapng: the interface number in this file of each link type met, by the encoder (null until needed). */
    int[] interfaces;
    int interfaceCount;

    /** Where the encoder writes a record: the writer's scratch array while it encodes, else null. */
    byte[] buffer;
    int fill;

    /** The records not written yet: a chain of arena chunks, the last filled to {@link #lastFill}. */
    int first = -1;
    int last = -1;
    int lastFill;
    int chunks;
    int buffered;
    CaptureFile newer;
    CaptureFile older;

    FileChannel channel;
    CaptureFile newerOpen;
    CaptureFile olderOpen;

    CaptureFile(final Path path)
    {
        this(path, null);
    }

    CaptureFile(final Path folder, final String name)
    {
        this.base = folder;
        this.name = name;
    }

    /** The name it was made with in its folder (split's index column), or the file's own name. */
    String name()
    {
        return name != null ? name : base.getFileName().toString();
    }

    public Path path()
    {
        return name == null ? base : base.resolve(name);
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
}
