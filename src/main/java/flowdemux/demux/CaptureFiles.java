package flowdemux.demux;

import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * Writes records to many captures with at most {@code maxOpen} open at once: the least recently written is flushed
 * and closed to make room, and reopened for append when its next record comes. Each open file has a buffer of its
 * own (taken from a pool, so reopening allocates nothing). A failed write cuts the file back to its last flushed
 * record boundary, so that every file left behind is a valid capture, and is reported as an {@link OutputFault}
 * naming the file.
 */
final class CaptureFiles implements AutoCloseable
{
    /** Bytes buffered per open file: a few writes per 64 KiB, and 256 open files hold 16 MB. */
    static final int BUFFER = 1 << 16;

    private final RecordEncoder encoder;
    private final int maxOpen;
    private final ArrayDeque<byte[]> buffers = new ArrayDeque<>();
    private int open;
    private int peakOpen;
    private long opened;
    private CaptureFile newest;
    private CaptureFile oldest;

    /** --force: a file already there under a new capture's name is replaced (else that is a fault). */
    private final boolean replace;

    CaptureFiles(final RecordEncoder encoder, final int maxOpen, final boolean replace)
    {
        this.replace = replace;
        if (maxOpen < 1)
        {
            throw new IllegalArgumentException("maxOpen");
        }
        this.encoder = encoder;
        this.maxOpen = maxOpen;
    }

    /** A capture to be created at {@code path} with its first record (its folder must exist). */
    CaptureFile file(final Path path)
    {
        return new CaptureFile(path);
    }

    void append(final CaptureFile file, final PacketRecord record)
    {
        if (!file.isOpen())
        {
            open(file);
        }
        else if (file != newest)
        {
            unlink(file);
            linkNewest(file);
        }
        final int need = encoder.recordLength(record);
        if (!file.fits(need))
        {
            flush(file);
            if (!file.fits(need))
            {
                // A record bigger than the buffer (a 256 KiB jumbo frame): its own buffer while it lasts.
                file.buffer = java.util.Arrays.copyOf(file.buffer, need);
            }
        }
        final int before = file.fill;
        encoder.record(file, record);
        file.length += file.fill - before;
        file.packets++;
        file.bytes += Math.max(record.originalLength, record.capturedLength);
    }

    /** Flushes and closes one file (its connection has ended); it can still be reopened. */
    void close(final CaptureFile file)
    {
        if (file.isOpen())
        {
            flush(file); // a failed flush has closed the file itself
            if (file.isOpen())
            {
                release(file);
            }
        }
    }

    /** Flushes and closes every open file; the first failure is thrown after all were tried. */
    @Override
    public void close()
    {
        OutputFault first = null;
        while (newest != null)
        {
            try
            {
                close(newest);
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

    String format()
    {
        return encoder.name();
    }

    private void open(final CaptureFile file)
    {
        while (open >= maxOpen)
        {
            close(oldest);
        }
        try
        {
            if (file.length == 0)
            {
                file.channel = replace
                    ? FileChannel.open(file.path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)
                    : FileChannel.open(file.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            else
            {
                file.channel = FileChannel.open(file.path, StandardOpenOption.WRITE);
                file.channel.position(file.durable);
            }
        }
        catch (IOException e)
        {
            throw new OutputFault(file.path, e);
        }
        opened++;
        open++;
        peakOpen = Math.max(peakOpen, open);
        final byte[] pooled = buffers.poll();
        file.buffer = pooled != null ? pooled : new byte[BUFFER];
        file.fill = 0;
        linkNewest(file);
        if (file.length == 0)
        {
            encoder.header(file);
            file.length = file.fill;
        }
    }

    private void flush(final CaptureFile file)
    {
        if (file.fill == 0)
        {
            return;
        }
        try
        {
            final ByteBuffer b = ByteBuffer.wrap(file.buffer, 0, file.fill);
            while (b.hasRemaining())
            {
                file.channel.write(b);
            }
            file.durable += file.fill;
            file.fill = 0;
        }
        catch (IOException e)
        {
            // Whatever part of the buffer reached the disk ends in a partial record: cut back to the last whole one.
            try
            {
                file.channel.truncate(file.durable);
            }
            catch (IOException ignored)
            {
                // the cut failed too: the fault below names the file all the same
            }
            file.length = file.durable;
            file.fill = 0;
            release(file);
            if (file.durable == 0)
            {
                // Not even its header reached the disk: an empty file would not be a capture.
                try
                {
                    Files.deleteIfExists(file.path);
                }
                catch (IOException ignored)
                {
                    // left empty; the fault below names it
                }
            }
            throw new OutputFault(file.path, e);
        }
    }

    private void release(final CaptureFile file)
    {
        try
        {
            file.channel.close();
        }
        catch (IOException e)
        {
            // closing after a flush: the data is written or its failure already reported
        }
        file.channel = null;
        if (file.buffer.length == BUFFER)
        {
            buffers.push(file.buffer);
        }
        file.buffer = null;
        open--;
        unlink(file);
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
