package flowdemux.demux;

import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes records to many captures with bounded memory and at most {@code maxOpen} files open. Each record is encoded
 * into a scratch array and kept in the file's chain of {@link ChunkArena} chunks until the file holds 64 KiB, is
 * closed (its connection ended), or the arena is full (then the least recently written file is written out first).
 * A file is opened only to be written; the most recently written stay open up to {@code maxOpen}, the others are
 * closed and reopened for append. A failed write cuts the file back to its last written record boundary, so that
 * every file left behind is a valid capture (one whose header did not reach the disk is removed), and is reported as
 * an {@link OutputFault} naming the file.
 */
final class CaptureFiles implements AutoCloseable
{
    /** A file's records are written once they reach this much: a few writes a megabyte. */
    static final int WRITE_AT = 1 << 16;
    /** The arena all unwritten records share. */
    static final long ARENA = 64L << 20;
    /** One file written in order needs little: its records go out every 64 KiB (a 64 MiB arena costs 15 ms to zero). */
    static final long ONE_FILE_ARENA = 1L << 20;

    private final RecordEncoder encoder;
    private final int maxOpen;
    /** --force: a file already there under a new capture's name is replaced (else that is a fault). */
    private final boolean replace;
    private final ChunkArena arena;
    /** A record this long or longer is written at once, never kept: the arena always has room for the others. */
    private final int direct;
    private byte[] scratch = new byte[RecordEncoder.MAX_RECORD + 64];
    private final byte[] staging = new byte[WRITE_AT];
    private final ByteBuffer stagingBuffer = ByteBuffer.wrap(staging);
    private int open;
    private int peakOpen;
    private long opened;
    private long writes;
    /** Files holding records not written, by last record. */
    private CaptureFile newest;
    private CaptureFile oldest;
    /** Files open, by last write. */
    private CaptureFile newestOpen;
    private CaptureFile oldestOpen;

    CaptureFiles(final RecordEncoder encoder, final int maxOpen, final boolean replace)
    {
        this(encoder, maxOpen, replace, ARENA);
    }

    CaptureFiles(final RecordEncoder encoder, final int maxOpen, final boolean replace, final long arenaBytes)
    {
        if (maxOpen < 1)
        {
            throw new IllegalArgumentException("maxOpen");
        }
        this.encoder = encoder;
        this.maxOpen = maxOpen;
        this.replace = replace;
        this.arena = new ChunkArena(arenaBytes);
        this.direct = Math.min(WRITE_AT, arena.chunks() * ChunkArena.CHUNK / 2);
    }

    /** A capture to be created at {@code path} with its first record (its folder must exist). */
    CaptureFile file(final Path path)
    {
        return new CaptureFile(path);
    }

    /** {@link #file(Path)} for {@code name} in {@code folder}, the path made only when the file is opened. */
    CaptureFile file(final Path folder, final String name)
    {
        return new CaptureFile(folder, name);
    }

    void append(final CaptureFile file, final PacketRecord record)
    {
        final int need = encoder.recordLength(record) + (file.length == 0 ? encoder.headerLength() : 0);
        if (scratch.length < need)
        {
            scratch = new byte[need]; // a record beyond the largest snap length: read as it is
        }
        file.buffer = scratch;
        file.fill = 0;
        if (file.length == 0)
        {
            encoder.header(file);
        }
        encoder.record(file, record);
        final int n = file.fill;
        file.buffer = null;
        file.fill = 0;
        if (n >= direct)
        {
            // Larger than the arena could hold beside the others: what is kept goes first, this one straight after.
            write(file);
            writeThrough(file, scratch, n);
        }
        else
        {
            keep(file, scratch, n);
        }
        file.length += n;
        file.packets++;
        file.bytes += Math.max(record.originalLength, record.capturedLength);
        if (file.buffered >= WRITE_AT)
        {
            write(file);
        }
    }

    /** Writes out and closes one file (its connection has ended); more records reopen it. */
    void close(final CaptureFile file)
    {
        write(file); // a failed write has closed the file itself
        closeChannel(file);
    }

    /** Writes out and closes every file; the first failure is thrown after all were tried. */
    @Override
    public void close()
    {
        OutputFault first = null;
        while (newest != null || newestOpen != null)
        {
            try
            {
                close(newest != null ? newest : newestOpen);
            }
            catch (OutputFault e)
            {
                if (first == null)
                {
                    first = e;
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    int peakOpen()
    {
        return peakOpen;
    }

    /** Files opened, reopenings included. */
    long opened()
    {
        return opened;
    }

    /** Write calls made. */
    long writes()
    {
        return writes;
    }

    String format()
    {
        return encoder.name();
    }

    /**
     * Appends {@code n} bytes of {@code from} to the file's chain. Room is made first (the least recently written
     * files go to disk), so that a chain never holds part of a record when a write fails.
     */
    private void keep(final CaptureFile file, final byte[] from, final int n)
    {
        final int room = file.last < 0 ? 0 : ChunkArena.CHUNK - file.lastFill;
        final int needed = n <= room ? 0 : (n - room + ChunkArena.CHUNK - 1) / ChunkArena.CHUNK;
        while (arena.freeChunks() < needed)
        {
            final CaptureFile victim = oldest != file ? oldest : file.newer;
            write(victim != null ? victim : file);
        }
        if (file.first < 0)
        {
            linkNewest(file);
        }
        else if (file != newest)
        {
            unlink(file);
            linkNewest(file);
        }
        final byte[] bytes = arena.bytes;
        int done = 0;
        while (done < n)
        {
            if (file.last < 0 || file.lastFill == ChunkArena.CHUNK)
            {
                final int c = arena.take();
                if (file.last < 0)
                {
                    file.first = c;
                }
                else
                {
                    arena.next[file.last] = c;
                }
                file.last = c;
                file.lastFill = 0;
                file.chunks++;
            }
            final int k = Math.min(n - done, ChunkArena.CHUNK - file.lastFill);
            System.arraycopy(from, done, bytes, file.last * ChunkArena.CHUNK + file.lastFill, k);
            file.lastFill += k;
            file.buffered += k;
            done += k;
        }
    }

    /** Writes the file's unwritten records to it, opening it if it is not open, and frees their chunks. */
    private void write(final CaptureFile file)
    {
        if (file.first < 0)
        {
            return;
        }
        try
        {
            writable(file);
            int c = file.first;
            int left = file.buffered;
            while (left > 0)
            {
                int staged = 0;
                while (c >= 0 && staged + ChunkArena.CHUNK <= staging.length && left > 0)
                {
                    final int k = Math.min(left, ChunkArena.CHUNK);
                    System.arraycopy(arena.bytes, c * ChunkArena.CHUNK, staging, staged, k);
                    staged += k;
                    left -= k;
                    c = arena.next[c];
                }
                stagingBuffer.clear().limit(staged);
                while (stagingBuffer.hasRemaining())
                {
                    file.channel.write(stagingBuffer);
                }
                writes++;
            }
            file.durable += file.buffered;
            drop(file);
        }
        catch (IOException e)
        {
            failed(file);
            throw new OutputFault(file.path(), e);
        }
    }

    /** Writes {@code n} bytes of {@code from} to the file, after its kept records (written first by the caller). */
    private void writeThrough(final CaptureFile file, final byte[] from, final int n)
    {
        try
        {
            writable(file);
            final ByteBuffer buffer = ByteBuffer.wrap(from, 0, n);
            while (buffer.hasRemaining())
            {
                file.channel.write(buffer);
            }
            writes++;
            file.durable += n;
        }
        catch (IOException e)
        {
            failed(file);
            throw new OutputFault(file.path(), e);
        }
    }

    /** Frees the file's chunks (written, or given up). */
    private void drop(final CaptureFile file)
    {
        if (file.first >= 0)
        {
            arena.give(file.first, file.last, file.chunks);
            file.first = -1;
            file.last = -1;
            file.lastFill = 0;
            file.chunks = 0;
            file.buffered = 0;
            unlink(file);
        }
    }

    /** Opens the file, or marks it the most recently written of those open. */
    private void writable(final CaptureFile file) throws IOException
    {
        if (file.channel == null)
        {
            openChannel(file);
        }
        else if (file != newestOpen)
        {
            unlinkOpen(file);
            linkNewestOpen(file);
        }
    }

    private void openChannel(final CaptureFile file) throws IOException
    {
        while (open >= maxOpen)
        {
            closeChannel(oldestOpen);
        }
        if (!file.created)
        {
            file.channel = replace
                ? FileChannel.open(file.path(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)
                : FileChannel.open(file.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            file.created = true;
        }
        else
        {
            file.channel = FileChannel.open(file.path(), StandardOpenOption.WRITE);
            file.channel.position(file.durable);
        }
        opened++;
        open++;
        peakOpen = Math.max(peakOpen, open);
        linkNewestOpen(file);
    }

    private void closeChannel(final CaptureFile file)
    {
        if (file.channel == null)
        {
            return;
        }
        try
        {
            file.channel.close();
        }
        catch (IOException e)
        {
            // closing after a write: the data is written or its failure already reported
        }
        file.channel = null;
        open--;
        unlinkOpen(file);
    }

    /** A write failed: whatever part of it reached the disk ends in a partial record, so cut the file back. */
    private void failed(final CaptureFile file)
    {
        if (file.channel != null)
        {
            try
            {
                file.channel.truncate(file.durable);
            }
            catch (IOException ignored)
            {
                // the cut failed too: the fault names the file all the same
            }
        }
        closeChannel(file);
        file.length = file.durable;
        drop(file);
        if (file.durable == 0 && file.created)
        {
            // Not even its header reached the disk: an empty file would not be a capture.
            try
            {
                Files.deleteIfExists(file.path());
            }
            catch (IOException ignored)
            {
                // left empty; the fault names it
            }
            file.created = false;
        }
    }

    private void linkNewest(final CaptureFile file)
    {
        file.older = newest;
        file.newer = null;
        if (newest != null)
        {
            newest.newer = file;
        }
        newest = file;
        if (oldest == null)
        {
            oldest = file;
        }
    }

    private void unlink(final CaptureFile file)
    {
        if (file.newer != null)
        {
            file.newer.older = file.older;
        }
        else
        {
            newest = file.older;
        }
        if (file.older != null)
        {
            file.older.newer = file.newer;
        }
        else
        {
            oldest = file.newer;
        }
        file.newer = null;
        file.older = null;
    }

    private void linkNewestOpen(final CaptureFile file)
    {
        file.olderOpen = newestOpen;
        file.newerOpen = null;
        if (newestOpen != null)
        {
            newestOpen.newerOpen = file;
        }
        newestOpen = file;
        if (oldestOpen == null)
        {
            oldestOpen = file;
        }
    }

    private void unlinkOpen(final CaptureFile file)
    {
        if (file.newerOpen != null)
        {
            file.newerOpen.olderOpen = file.olderOpen;
        }
        else
        {
            newestOpen = file.olderOpen;
        }
        if (file.olderOpen != null)
        {
            file.olderOpen.newerOpen = file.newerOpen;
        }
        else
        {
            oldestOpen = file.newerOpen;
        }
        file.newerOpen = null;
        file.olderOpen = null;
    }

    /** Creates {@code dir} if it is not there (a connection's folder). */
    static void folder(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (IOException e)
        {
            throw new OutputFault(dir, e);
        }
    }
}
