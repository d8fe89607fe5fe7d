package flowdemux.report;

import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Receives the connections one worker ends: counts them into {@link Aggregates} at once, and keeps the records
 * for the per-connection outputs in memory up to a bound, beyond which it sorts them by first packet and spills
 * them to a temporary file. At the end {@link #merged} gives every worker's records in order of first packet,
 * merging the spilled runs: memory stays bounded whatever the number of connections.
 */
public final class FlowStore implements FlowSink
{
    /** Records kept in memory per worker before a run is spilled (a few tens of MB). */
    static final int DEFAULT_SPILL_AT = 100_000;
    private static final int IO_BUFFER = 1 << 20;
    private static final int MERGE_BUFFER = 1 << 16;
    private static final Comparator<FlowRecord> BY_SERIAL = Comparator.comparingLong(f -> f.serial);

    private final int spillAt;
    private final Path spillFolder;
    private final Aggregates aggregates = new Aggregates();
    private final List<FlowRecord> buffer = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private long evicted;
    private long records;

    public FlowStore(final Path spillFolder)
    {
        this(spillFolder, DEFAULT_SPILL_AT);
    }

    public FlowStore(final Path spillFolder, final int spillAt)
    {
        this.spillFolder = spillFolder;
        this.spillAt = spillAt;
    }

    @Override
    public void flowEnded(final FlowTable table, final int flow, final EndReason reason)
    {
        final FlowRecord record = FlowRecord.of(table, flow, reason);
        if (reason == EndReason.EVICTED)
        {
            evicted++;
        }
        records++;
        aggregates.add(record);
        buffer.add(record);
        if (buffer.size() >= spillAt)
        {
            spill();
        }
    }

    private void spill()
    {
        // A stable sort: a connection's interim records stay in the order they were written.
        buffer.sort(BY_SERIAL);
        try
        {
            final Path run = Files.createTempFile(spillFolder, "flowdemux-run-", ".bin");
            run.toFile().deleteOnExit();
            try (FileChannel out = FileChannel.open(run, StandardOpenOption.WRITE))
            {
                final ByteBuffer bytes = ByteBuffer.allocate(IO_BUFFER);
                for (final FlowRecord f : buffer)
                {
                    if (bytes.remaining() < FlowRecord.MAX_ENCODED)
                    {
                        drain(bytes, out);
                    }
                    f.writeTo(bytes);
                }
                drain(bytes, out);
            }
            runs.add(run);
        }
        catch (IOException e)
        {
            throw new UncheckedIOException("cannot spill connection records to " + spillFolder, e);
        }
        buffer.clear();
    }

    private static void drain(final ByteBuffer bytes, final FileChannel out) throws IOException
    {
        bytes.flip();
        while (bytes.hasRemaining())
        {
            out.write(bytes);
        }
        bytes.clear();
    }

    public Aggregates aggregates()
    {
        return aggregates;
    }

    public long evicted()
    {
        return evicted;
    }

    public long records()
    {
        return records;
    }

    /** Every store's records, in order of first packet; one pass. Deletes the spilled runs when done. */
    public static Iterable<FlowRecord> merged(final List<FlowStore> stores)
    {
        return () -> new Merge(stores);
    }

    /** K-way merge of every run, ties (a connection's interim and final records) in the order written. */
    private static final class Merge implements Iterator<FlowRecord>
    {
        private final PriorityQueue<Cursor> heap = new PriorityQueue<>(
            Comparator.comparingLong((Cursor c) -> c.head.serial).thenComparingInt(c -> c.order));
        private final List<Path> files = new ArrayList<>();

        Merge(final List<FlowStore> stores)
        {
            int order = 0;
            for (final FlowStore s : stores)
            {
                for (final Path run : s.runs)
                {
                    files.add(run);
                    add(new Cursor(run, order++));
                }
                s.buffer.sort(BY_SERIAL);
                add(new Cursor(s.buffer.iterator(), order++));
            }
        }

        private void add(final Cursor c)
        {
            if (c.advance())
            {
                heap.add(c);
            }
            else
            {
                c.close();
            }
        }

        @Override
        public boolean hasNext()
        {
            if (heap.isEmpty())
            {
                for (final Path f : files)
                {
                    try
                    {
                        Files.deleteIfExists(f);
                    }
                    catch (IOException e)
                    {
                        // a temporary file left behind is removed at exit
                    }
                }
                files.clear();
                return false;
            }
            return true;
        }

        @Override
        public FlowRecord next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            final Cursor c = heap.poll();
            final FlowRecord f = c.head;
            add(c);
            return f;
        }
    }

    /** A sorted run: a spilled file or the in-memory remainder. */
    private static final class Cursor
    {
        final int order;
        private final Iterator<FlowRecord> memory;
        private final FileChannel in;
        private final ByteBuffer bytes;
        private boolean eof;
        FlowRecord head;

        Cursor(final Path file, final int order)
        {
            this.order = order;
            this.memory = null;
            try
            {
                this.in = FileChannel.open(file, StandardOpenOption.READ);
            }
            catch (IOException e)
            {
                throw new UncheckedIOException(e);
            }
            // Small per run: a merge may have hundreds of runs open at once.
            this.bytes = ByteBuffer.allocate(MERGE_BUFFER);
            bytes.flip();
        }

        Cursor(final Iterator<FlowRecord> memory, final int order)
        {
            this.order = order;
            this.memory = memory;
            this.in = null;
            this.bytes = null;
        }

        boolean advance()
        {
            if (memory != null)
            {
                head = memory.hasNext() ? memory.next() : null;
                return head != null;
            }
            try
            {
                // Records are never split across refills: keep at least a whole record's worth buffered.
                if (bytes.remaining() < FlowRecord.MAX_ENCODED && !eof)
                {
                    bytes.compact();
                    while (bytes.hasRemaining())
                    {
                        if (in.read(bytes) < 0)
                        {
                            eof = true;
                            break;
                        }
                    }
                    bytes.flip();
                }
                if (!bytes.hasRemaining())
                {
                    head = null;
                    return false;
                }
                head = FlowRecord.readFrom(bytes);
                return true;
            }
            catch (IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }

        void close()
        {
            if (in != null)
            {
                try
                {
                    in.close();
                }
                catch (IOException e)
                {
                    // nothing more to read from it anyway
                }
            }
        }
    }
}
