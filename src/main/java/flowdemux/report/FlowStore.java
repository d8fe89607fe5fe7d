package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Receives the connections one worker ends: counts them into {@link Aggregates} at once and, when the output has a
 * line per connection, formats each connection's line at once on the worker's thread, from one record refilled for
 * every connection (nothing is allocated per connection). Lines wait in a byte array up to a bound; then they are
 * sorted by first packet and spilled to a temporary file as a sorted run; the last ones become a sorted run in
 * memory when the input ends. {@link #lines} merges every worker's runs into one output in
 * order of first packet, copying lines: memory stays bounded whatever the number of connections, the serial end of a
 * read does no formatting, and an input with fewer connections than a run writes no temporary file.
 */
public final class FlowStore implements FlowSink
{
    /**
     * Lines kept in memory per worker before a run is spilled (when they were records, 100,000 made a read of the
     * 500k-connection bench file 10% slower, as they outlived young collections); doubled
     * every {@link #RUNS_PER_DOUBLING} runs up to {@link #MAX_SPILL_AT}, so that ten million connections still make
     * a merge of about a hundred runs, well within the open-file limit.
     */
    static final int DEFAULT_SPILL_AT = 20_000;
    static final int MAX_SPILL_AT = 100_000;
    static final int RUNS_PER_DOUBLING = 16;
    private static final int IO_BUFFER = 1 << 20;
    /** Small per run: a merge may have hundreds of runs open at once. */
    private static final int MERGE_BUFFER = 1 << 16;
    /** A spilled line: its connection's serial, its length, its ASCII bytes. */
    private static final int LINE_HEADER = Long.BYTES + Short.BYTES;
    /** Far above any line of the formats (history is at most 36 letters, an IPv6 address 39 characters). */
    private static final int MAX_LINE = 4096;
    /** A pending line's sort key is its serial above its index in the run: a stable sort of plain longs. */
    private static final int INDEX_BITS = 17;
    private static final long MAX_SERIAL = (1L << (Long.SIZE - 1 - INDEX_BITS)) - 1;

    private static final int FIRST_CHUNK = 1 << 16;
    private static final int CHUNK_BITS = 20;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;

    private int spillAt;
    private final int maxSpillAt;
    private final Path spillFolder;
    private final RecordLine format;
    private final Aggregates aggregates = new Aggregates();
    /**
     * Whether ended connections are counted into {@link #aggregates}: not for outputs that print only the lines (a
     * conn.log, CSV, JSON lines). There the per-port and per-server views, which miss the cache in sets as large as
     * the capture's clients, were 60% of the end of a connection in a profiled read, for nothing printed.
     */
    private final boolean aggregate;
    /** Filled again for each connection that ends: nothing kept, nothing allocated per connection. */
    private final FlowRecord scratch = FlowRecord.reusable();
    /**
     * The lines of the connections ended since the last spill, as ASCII, where {@link #lineStart} says: chunk
     * {@code start >>> CHUNK_BITS}, from {@code start & CHUNK_MASK}. Chunks, kept from run to run, rather than one
     * array grown by doubling: the arrays a doubling leaves behind have outlived young collections by then, so they
     * stayed in the old generation as garbage (31 MB allocated so on the 1M-connection capture).
     */
    private byte[][] chunks = {new byte[FIRST_CHUNK]};
    /** The chunk being filled, and the first free byte in it. */
    private int chunk;
    private int chunkBytes;
    /** Per pending line: serial << INDEX_BITS | its index, sorted at a spill. */
    private long[] lineKeys = new long[1024];
    private int[] lineStart = new int[1024];
    private int[] lineLength = new int[1024];
    private int pendingLines;
    /** Where a run is written from: one per store, not one per spill. */
    private final ByteBuffer ioBuffer = ByteBuffer.allocate(IO_BUFFER);
    private final List<Path> runs = new ArrayList<>();
    /** The lines of the connections that ended after the last spill, formatted when the input ended; or null. */
    private byte[] lastRun;
    /** The line of the connection at hand, built in place and copied into the pending run. */
    private final AsciiLine line = new AsciiLine(512);
    private long evicted;
    private long records;
    private java.util.function.Consumer<FlowRecord> listener;
    /** Who owns each local endpoint (live capture on this host, or what its pcapng kept), or null. */
    private flowdemux.host.Attribution owners;
    private java.util.function.Consumer<FlowRecord> reader;

    /** @param format the per-connection lines to keep, or null to keep no records (only the aggregates) */
    public FlowStore(final Path spillFolder, final RecordLine format)
    {
        this(spillFolder, format, true);
    }

    /**
     * @param format    the per-connection lines to keep, or null to keep none
     * @param aggregate whether to count connections into {@link #aggregates()} as well (else it stays empty)
     */
    public FlowStore(final Path spillFolder, final RecordLine format, final boolean aggregate)
    {
        this(spillFolder, DEFAULT_SPILL_AT, MAX_SPILL_AT, format, aggregate);
    }

    /** With a fixed run size (tests). */
    public FlowStore(final Path spillFolder, final int spillAt, final RecordLine format)
    {
        this(spillFolder, spillAt, spillAt, format, true);
    }

    /** Runs of {@code spillAt} records at first, doubling every {@link #RUNS_PER_DOUBLING} runs up to the maximum. */
    FlowStore(final Path spillFolder, final int spillAt, final int maxSpillAt, final RecordLine format)
    {
        this(spillFolder, spillAt, maxSpillAt, format, true);
    }

    private FlowStore(final Path spillFolder, final int spillAt, final int maxSpillAt, final RecordLine format,
        final boolean aggregate)
    {
        if (spillAt < 1 || spillAt > maxSpillAt)
        {
            throw new IllegalArgumentException("runs of " + spillAt + " to " + maxSpillAt + " lines");
        }
        this.spillFolder = spillFolder;
        this.spillAt = spillAt;
        this.maxSpillAt = maxSpillAt;
        this.format = format;
        if (!aggregate && format == null)
        {
            throw new IllegalArgumentException("a store that keeps neither lines nor aggregates");
        }
        this.aggregate = aggregate;
    }

    /**
     * Also hands every ended connection (and interim record) to {@code l}, on the worker's thread: a live capture's
     * interval view, an exporter. Listeners share one copy of the record and must not change it.
     */
    public void listen(final java.util.function.Consumer<FlowRecord> l)
    {
        this.listener = listener == null ? l : listener.andThen(l);
    }

    /**
     * Also shows every ended connection (and interim record) to {@code r}, on the worker's thread, as the record
     * refilled for each connection: for a listener that uses it at once and keeps nothing (the Kafka exporter formats
     * its message), so that no copy is made.
     */
    public void read(final java.util.function.Consumer<FlowRecord> r)
    {
        this.reader = reader == null ? r : reader.andThen(r);
    }

    /** Names the programs behind each connection's local endpoints from {@code attribution}. */
    public void owners(final flowdemux.host.Attribution attribution)
    {
        this.owners = attribution;
    }

    /** Sets the record's owners as {@code attribution} has them (nothing when it is null). */
    public static void annotate(final FlowRecord f, final flowdemux.host.Attribution attribution)
    {
        if (attribution != null)
        {
            f.origOwner = attribution.owner(f.serial, f.origHi, f.origLo, f.origPort);
            f.respOwner = attribution.owner(f.serial, f.respHi, f.respLo, f.respPort);
        }
    }

    @Override
    public void flowEnded(final FlowTable table, final int flow, final EndReason reason)
    {
        final FlowRecord record = scratch.fill(table, flow, reason);
        if (owners != null)
        {
            annotate(record, owners);
            if (reason != EndReason.ACTIVE)
            {
                owners.forget(record.serial);
            }
        }
        if (reason == EndReason.EVICTED)
        {
            evicted++;
        }
        records++;
        if (aggregate)
        {
            aggregates.add(record);
        }
        if (listener != null)
        {
            listener.accept(record.copy());
        }
        if (reader != null)
        {
            reader.accept(record);
        }
        if (format == null)
        {
            return;
        }
        keepLine(record);
        if (pendingLines >= spillAt || pendingLines == 1 << INDEX_BITS)
        {
            spill();
        }
    }

    /** Formats the connection's line at once, into the pending run. */
    private void keepLine(final FlowRecord record)
    {
        if (record.serial < 0 || record.serial > MAX_SERIAL)
        {
            throw new IllegalStateException("a connection serial of " + record.serial);
        }
        line.setLength(0);
        format.append(record, line);
        final int length = line.length();
        if (length > MAX_LINE)
        {
            throw new IllegalStateException("a line of " + length + " characters");
        }
        if (pendingLines == lineKeys.length)
        {
            final int n = pendingLines * 2;
            lineKeys = Arrays.copyOf(lineKeys, n);
            lineStart = Arrays.copyOf(lineStart, n);
            lineLength = Arrays.copyOf(lineLength, n);
        }
        byte[] into = chunks[chunk];
        if (into.length - chunkBytes < length)
        {
            into = nextChunk(length);
        }
        System.arraycopy(line.array(), 0, into, chunkBytes, length);
        lineKeys[pendingLines] = (record.serial << INDEX_BITS) | pendingLines;
        lineStart[pendingLines] = (chunk << CHUNK_BITS) | chunkBytes;
        lineLength[pendingLines] = length;
        pendingLines++;
        chunkBytes += length;
    }

    /**
     * Room for a line of {@code length} bytes: the first chunk doubles up to a full chunk (a small input stays
     * small), then the next chunk, kept from an earlier run or made now.
     */
    private byte[] nextChunk(final int length)
    {
        final byte[] full = chunks[chunk];
        if (chunk == 0 && full.length < 1 << CHUNK_BITS)
        {
            chunks[0] = Arrays.copyOf(full, Math.min(1 << CHUNK_BITS, Math.max(full.length * 2, chunkBytes + length)));
            return chunks[0];
        }
        chunk++;
        chunkBytes = 0;
        if (chunk == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunk * 2);
        }
        if (chunks[chunk] == null)
        {
            chunks[chunk] = new byte[1 << CHUNK_BITS];
        }
        return chunks[chunk];
    }

    /**
     * The last connections are formatted here, on the worker's thread, rather than at the merge, into a run kept in
     * memory: it holds fewer lines than a spilled run, and a small input needs no temporary file at all.
     */
    @Override
    public void allEnded()
    {
        if (pendingLines == 0)
        {
            return;
        }
        if (lastRun != null)
        {
            // Ended twice: the earlier run stays as it is, these go to a file.
            spill();
            return;
        }
        // Sized exactly, so that the run is written once rather than grown and copied.
        int size = pendingLines * LINE_HEADER;
        for (int i = 0; i < pendingLines; i++)
        {
            size += lineLength[i];
        }
        final ByteBuffer memory = ByteBuffer.allocate(size);
        try
        {
            formatBuffer(memory::put);
        }
        catch (IOException e)
        {
            throw new UncheckedIOException(e);
        }
        lastRun = memory.array();
    }

    private void spill()
    {
        try
        {
            final Path run = Files.createTempFile(spillFolder, "flowdemux-run-", ".txt");
            run.toFile().deleteOnExit();
            try (FileChannel out = FileChannel.open(run, StandardOpenOption.WRITE))
            {
                formatBuffer(filled ->
                {
                    while (filled.hasRemaining())
                    {
                        out.write(filled);
                    }
                });
            }
            runs.add(run);
            if (runs.size() % RUNS_PER_DOUBLING == 0)
            {
                spillAt = Math.min(maxSpillAt, spillAt * 2);
            }
        }
        catch (IOException e)
        {
            throw new UncheckedIOException("cannot write connection records to a temporary file in " + spillFolder
                + ": " + reason(e) + " (FLOWDEMUX_JAVA_OPTS_ADD=-Djava.io.tmpdir=DIR picks another folder)", e);
        }
    }

    private static String reason(final IOException e)
    {
        if (e instanceof NoSuchFileException)
        {
            return "no such folder";
        }
        if (e instanceof AccessDeniedException)
        {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Where a formatted run goes, a buffer at a time (flipped: the bytes are from position to limit). */
    private interface Drain
    {
        void drain(ByteBuffer filled) throws IOException;
    }

    /** Sorts the pending lines by first packet into a run and empties the pending run. */
    private void formatBuffer(final Drain drain) throws IOException
    {
        // Index in the low bits: a connection's interim lines stay in the order they were written.
        Arrays.sort(lineKeys, 0, pendingLines);
        final ByteBuffer bytes = ioBuffer;
        bytes.clear();
        final long indexMask = (1L << INDEX_BITS) - 1;
        for (int k = 0; k < pendingLines; k++)
        {
            final int i = (int)(lineKeys[k] & indexMask);
            final int length = lineLength[i];
            if (bytes.remaining() < LINE_HEADER + length)
            {
                drain(bytes, drain);
            }
            final int start = lineStart[i];
            bytes.putLong(lineKeys[k] >>> INDEX_BITS).putShort((short)length)
                .put(chunks[start >>> CHUNK_BITS], start & CHUNK_MASK, length);
        }
        drain(bytes, drain);
        pendingLines = 0;
        chunk = 0;
        chunkBytes = 0;
    }

    private static void drain(final ByteBuffer bytes, final Drain drain) throws IOException
    {
        bytes.flip();
        drain.drain(bytes);
        bytes.clear();
    }

    /** The views of the connections ended here; empty for a store made not to aggregate. */
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

    /**
     * Every store's lines, in order of first packet: a k-way merge of the runs, ties (a connection's interim and
     * final records) in the order written. Spills what a store still holds first. Deletes the runs when done.
     */
    public static RecordLines lines(final List<FlowStore> stores)
    {
        return out ->
        {
            final List<Path> files = new ArrayList<>();
            final List<Cursor> open = new ArrayList<>();
            try
            {
                int order = 0;
                for (final FlowStore s : stores)
                {
                    s.allEnded();
                    for (final Path run : s.runs)
                    {
                        files.add(run);
                        open.add(new Cursor(run, order++));
                    }
                    if (s.lastRun != null)
                    {
                        open.add(new Cursor(s.lastRun, order++));
                    }
                    s.runs.clear();
                    s.lastRun = null;
                }
                final CursorHeap heap = new CursorHeap(open.size());
                for (final Cursor c : open)
                {
                    if (c.advance())
                    {
                        heap.add(c);
                    }
                }
                // Lines go out a buffer at a time: one call into the writer per 64K characters, not one per line.
                // A report file takes the lines' bytes as they are; another writer gets them as chars, a buffer at a
                // time: one call into it per 64K characters, not one per line.
                final ReportWriter bytesOut = out instanceof ReportWriter w ? w : null;
                final char[] chars = bytesOut != null ? null : new char[MERGE_CHARS];
                int used = 0;
                while (heap.size() > 0)
                {
                    final Cursor c = heap.first();
                    if (bytesOut != null)
                    {
                        c.writeLine(bytesOut);
                    }
                    else
                    {
                        if (chars.length - used < MAX_LINE + 1)
                        {
                            out.write(chars, 0, used);
                            used = 0;
                        }
                        used += c.copyLine(chars, used);
                    }
                    if (c.advance())
                    {
                        heap.firstChanged();
                    }
                    else
                    {
                        heap.removeFirst();
                    }
                }
                if (chars != null)
                {
                    out.write(chars, 0, used);
                }
            }
            finally
            {
                open.forEach(Cursor::close);
                for (final Path f : files)
                {
                    Files.deleteIfExists(f);
                }
            }
        };
    }

    /** Characters the merge gathers before a write: far above a line. */
    private static final int MERGE_CHARS = 1 << 16;

    /**
     * The runs being merged, as a binary min-heap by next line (serial, then run order: a connection's interim and
     * final records stay in the order written), sifted in place when the first run moves on: no comparator lambdas
     * and no poll-and-add per line.
     */
    private static final class CursorHeap
    {
        private final Cursor[] heap;
        private int size;

        CursorHeap(final int capacity)
        {
            heap = new Cursor[Math.max(1, capacity)];
        }

        int size()
        {
            return size;
        }

        Cursor first()
        {
            return heap[0];
        }

        void add(final Cursor c)
        {
            int i = size++;
            while (i > 0)
            {
                final int parent = (i - 1) >>> 1;
                if (!before(c, heap[parent]))
                {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = c;
        }

        /** The first run has moved to its next line. */
        void firstChanged()
        {
            siftDown(heap[0]);
        }

        void removeFirst()
        {
            final Cursor last = heap[--size];
            heap[size] = null;
            if (size > 0)
            {
                siftDown(last);
            }
        }

        private void siftDown(final Cursor c)
        {
            int i = 0;
            final int half = size >>> 1;
            while (i < half)
            {
                int child = 2 * i + 1;
                final int right = child + 1;
                if (right < size && before(heap[right], heap[child]))
                {
                    child = right;
                }
                if (!before(heap[child], c))
                {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = c;
        }

        private static boolean before(final Cursor a, final Cursor b)
        {
            return a.serial < b.serial || (a.serial == b.serial && a.order < b.order);
        }
    }

    /** A sorted run being read: the serial and length of its next line, the line itself still in the buffer. */
    private static final class Cursor
    {
        final int order;
        private final FileChannel in;
        private final ByteBuffer bytes;
        private boolean eof;
        long serial;
        private int length;

        Cursor(final Path file, final int order) throws IOException
        {
            this.order = order;
            this.in = FileChannel.open(file, StandardOpenOption.READ);
            this.bytes = ByteBuffer.allocate(MERGE_BUFFER);
            bytes.flip();
        }

        /** A run held in memory. */
        Cursor(final byte[] run, final int order)
        {
            this.order = order;
            this.in = null;
            this.bytes = ByteBuffer.wrap(run);
            this.eof = true;
        }

        /** Moves to the next line; false (and closes the file) at the end of the run. */
        boolean advance() throws IOException
        {
            // A line is never split across refills: keep at least a whole line's worth buffered.
            if (bytes.remaining() < LINE_HEADER + MAX_LINE && !eof)
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
                close();
                return false;
            }
            serial = bytes.getLong();
            length = bytes.getShort() & 0xFFFF;
            return true;
        }

        /** Writes the current line and a newline as bytes. */
        void writeLine(final ReportWriter out) throws IOException
        {
            final int at = bytes.position();
            out.writeLine(bytes.array(), at, length);
            bytes.position(at + length);
        }

        /** Copies the current line and a newline into {@code chars} at {@code to}; returns the characters written. */
        int copyLine(final char[] chars, final int to)
        {
            final byte[] array = bytes.array();
            final int at = bytes.position();
            for (int i = 0; i < length; i++)
            {
                chars[to + i] = (char)(array[at + i] & 0xFF);
            }
            bytes.position(at + length);
            chars[to + length] = '\n';
            return length + 1;
        }

        void close()
        {
            if (in == null)
            {
                return;
            }
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
