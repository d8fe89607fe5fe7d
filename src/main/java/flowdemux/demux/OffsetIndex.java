package flowdemux.demux;

import flowdemux.flow.FlowRecord;
import flowdemux.util.AsciiLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A capture's offset index ({@code F.fdx}): for each connection, the file offsets of its records, so that extract
 * reads only those. Layout, written by {@link OffsetIndexWriter}:
 * <pre>
 *   magic "FDXINDX1"
 *   segments   varint serial, varint (previous segment's offset + 1, or 0), varint count, varint length,
 *              CRC-32C of those and of what follows (4), then count varints: each record's offset less the one
 *              before (the first less 0), zigzag-coded, shifted left once, the low bit set for an IP fragment held
 *              until its datagram completed (written with the packet that completed it)
 *   directory  per connection, by hash of its uid: hash (8 bytes), offset of its last segment (8)
 *   meta       version, the capture's size and CRC-32C of its first and last 64 KiB, uid seed, counts, directory
 *              offset, the options the connections depend on
 *   trailer    meta offset (8), CRC-32C of the meta (4), 0 (4), "FDXEND01"
 * </pre>
 * Numbers are big-endian. A connection's segments are chained backwards, so the writer never goes back in its file.
 * Only what a lookup reads is checked (the meta, and each segment read): a damaged segment is found by its CRC, a
 * damaged directory entry leads to a segment of another uid, or to none, which the caller confirms with a full pass.
 */
public final class OffsetIndex implements AutoCloseable
{
    static final byte[] MAGIC = "FDXINDX1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] END_MAGIC = "FDXEND01".getBytes(StandardCharsets.US_ASCII);
    static final int TRAILER = 24;
    static final int VERSION = 1;
    /** How much of the capture's head and tail the index checks to tell that the capture changed. */
    static final int MARK_BYTES = 1 << 16;

    /** Why an index cannot be used for a capture: the line to print, and the reading goes on without it. */
    public static final class Unusable extends Exception
    {
        private static final long serialVersionUID = 1L;

        Unusable(final String why)
        {
            super(why, null, false, false);
        }
    }

    /** What identifies the capture an index was made of: its size and the checksums of its head and tail. */
    static final class CaptureMark
    {
        long size;
        int head;
        int tail;

        static CaptureMark of(final Path capture) throws IOException
        {
            try (FileChannel ch = FileChannel.open(capture, StandardOpenOption.READ))
            {
                final CaptureMark m = new CaptureMark();
                m.size = ch.size();
                m.head = crcOf(ch, 0, (int)Math.min(MARK_BYTES, m.size));
                final long tailStart = Math.max(0, m.size - MARK_BYTES);
                m.tail = crcOf(ch, tailStart, (int)(m.size - tailStart));
                return m;
            }
        }

        boolean same(final CaptureMark o)
        {
            return size == o.size && head == o.head && tail == o.tail;
        }

        private static int crcOf(final FileChannel ch, final long from, final int length) throws IOException
        {
            final ByteBuffer b = ByteBuffer.allocate(length);
            readFully(ch, b, from);
            final CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, length);
            return (int)crc.getValue();
        }
    }

    /** The index's description of itself and of the capture. */
    static final class Meta
    {
        CaptureMark capture;
        long uidSeed;
        long connections;
        long records;
        long directoryOffset;
        String fingerprint;

        byte[] encode()
        {
            final byte[] f = fingerprint.getBytes(StandardCharsets.UTF_8);
            final ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + 4 + 8 * 4 + 4 + f.length);
            b.putInt(VERSION).putLong(capture.size).putInt(capture.head).putInt(capture.tail).putLong(uidSeed)
                .putLong(connections).putLong(records).putLong(directoryOffset).putInt(f.length).put(f);
            return b.array();
        }

        static Meta decode(final ByteBuffer b) throws Unusable
        {
            if (b.remaining() < 56 || b.getInt() != VERSION)
            {
                throw new Unusable("written by another version of flowdemux");
            }
            final Meta m = new Meta();
            m.capture = new CaptureMark();
            m.capture.size = b.getLong();
            m.capture.head = b.getInt();
            m.capture.tail = b.getInt();
            m.uidSeed = b.getLong();
            m.connections = b.getLong();
            m.records = b.getLong();
            m.directoryOffset = b.getLong();
            final int n = b.getInt();
            if (n < 0 || n > b.remaining())
            {
                throw new Unusable("damaged (its description is cut short)");
            }
            final byte[] f = new byte[n];
            b.get(f);
            m.fingerprint = new String(f, StandardCharsets.UTF_8);
            return m;
        }
    }

    private final FileChannel channel;
    private final Meta meta;
    private final AsciiLine uid = new AsciiLine(24);
    private final ByteBuffer entry = ByteBuffer.allocate(16);
    private final CRC32C crc = new CRC32C();

    private OffsetIndex(final FileChannel channel, final Meta meta)
    {
        this.channel = channel;
        this.meta = meta;
    }

    /**
     * Opens the index {@code index} of {@code capture}, made with the options {@code fingerprint} and the uid seed
     * {@code uidSeed}; an index that is damaged, stale or made otherwise is refused with the reason.
     */
    public static OffsetIndex open(final Path index, final Path capture, final long uidSeed, final String fingerprint)
        throws IOException, Unusable
    {
        final FileChannel ch = FileChannel.open(index, StandardOpenOption.READ);
        try
        {
            final Meta meta = check(ch);
            if (!meta.capture.same(CaptureMark.of(capture)))
            {
                throw new Unusable("stale: the capture has changed since it was indexed");
            }
            if (meta.uidSeed != uidSeed || !meta.fingerprint.equals(fingerprint))
            {
                throw new Unusable("made with other options (" + difference(meta.fingerprint, fingerprint)
                    + (meta.uidSeed != uidSeed ? " --seed" : "") + ")");
            }
            return new OffsetIndex(ch, meta);
        }
        catch (IOException | Unusable | RuntimeException e)
        {
            ch.close();
            throw e;
        }
    }

    /** Connections indexed. */
    public long connections()
    {
        return meta.connections;
    }

    /** Records indexed. */
    public long records()
    {
        return meta.records;
    }

    /**
     * The records of the connection {@code u}, in the order extract writes them, each as an entry ({@link #offset},
     * {@link #held}), or null when the capture has no such connection.
     */
    long[] entriesOf(final String u) throws IOException, Unusable
    {
        final long[] serialAndEntries = find(u);
        return serialAndEntries == null ? null : Arrays.copyOfRange(serialAndEntries, 1, serialAndEntries.length);
    }

    /** An entry's record offset. */
    static long offset(final long entry)
    {
        return entry >>> 1;
    }

    /** Whether an entry's record is an IP fragment held until its datagram completed. */
    static boolean held(final long entry)
    {
        return (entry & 1) != 0;
    }

    /**
     * The records of the connection {@code u} as a capture to read again ({@link IndexedRecords}), in input order,
     * or null when the index does not hold it.
     */
    public IndexedRecords recordsOf(final String u, final Path capture) throws IOException, Unusable,
        flowdemux.source.CaptureFormatException
    {
        final long[] found = find(u);
        if (found == null)
        {
            return null;
        }
        final long[] offsets = new long[found.length - 1];
        long firstTracked = -1;
        for (int i = 1; i < found.length; i++)
        {
            offsets[i - 1] = offset(found[i]);
            if (firstTracked < 0 && !held(found[i]))
            {
                firstTracked = offsets[i - 1];
            }
        }
        Arrays.sort(offsets);
        // The serial is the number of the connection's first tracked packet (a held fragment comes before it).
        final int at = Math.max(0, Arrays.binarySearch(offsets, firstTracked));
        return new IndexedRecords(capture, offsets, found[0] - at);
    }

    /** The serial of connection {@code u} then its offsets in write order, or null. */
    private long[] find(final String u) throws IOException, Unusable
    {
        final byte[] b = u.getBytes(StandardCharsets.US_ASCII);
        final long h = UidMatcher.hash(b, b.length);
        long lo = 0;
        long hi = meta.connections - 1;
        while (lo <= hi)
        {
            final long mid = (lo + hi) >>> 1;
            final long at = hashAt(mid);
            if (at < h)
            {
                lo = mid + 1;
            }
            else if (at > h)
            {
                hi = mid - 1;
            }
            else
            {
                long first = mid;
                while (first > 0 && hashAt(first - 1) == h)
                {
                    first--;
                }
                for (long i = first; i < meta.connections && hashAt(i) == h; i++)
                {
                    final long[] offsets = chainAt(entry.getLong(8), u);
                    if (offsets != null)
                    {
                        return offsets;
                    }
                }
                return null;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    private long hashAt(final long i) throws IOException
    {
        entry.clear();
        readFully(channel, entry, meta.directoryOffset + 16 * i);
        return entry.getLong(0);
    }

    /**
     * The serial then the offsets of the chain ending at {@code segment}, when its connection's uid is {@code u};
     * else null.
     */
    private long[] chainAt(final long segment, final String u) throws IOException, Unusable
    {
        // Segments are read last first; joined once at the end (joining as they come was quadratic in the segments).
        final java.util.ArrayList<long[]> segments = new java.util.ArrayList<>();
        int count = 0;
        long at = segment;
        boolean first = true;
        long firstSerial = -1;
        final ByteBuffer s = ByteBuffer.allocate(4 * 10 + 4 + OffsetIndexWriter.SLOT);
        while (at >= 0)
        {
            if (at < MAGIC.length || at >= meta.directoryOffset)
            {
                throw new Unusable("damaged (a segment outside the body)");
            }
            s.clear();
            s.limit((int)Math.min(s.capacity(), meta.directoryOffset - at));
            readFully(channel, s, at);
            final byte[] b = s.array();
            final int[] p = {0};
            final long serial = varint(b, p, s.limit());
            if (!first && serial != firstSerial)
            {
                throw new Unusable("damaged (a segment of another connection in a chain)");
            }
            if (first)
            {
                firstSerial = serial;
                uid.setLength(0);
                FlowRecord.appendUid(uid, meta.uidSeed, serial);
                if (!uid.toString().equals(u))
                {
                    return null; // another uid with the same hash
                }
                first = false;
            }
            final long previous = varint(b, p, s.limit()) - 1;
            final long n = varint(b, p, s.limit());
            final long length = varint(b, p, s.limit());
            if (n < 1 || length > s.limit() - p[0] - 4 || previous >= at)
            {
                throw new Unusable("damaged (a segment does not read)");
            }
            crc.reset();
            crc.update(b, 0, p[0]);
            crc.update(b, p[0] + 4, (int)length);
            if ((int)crc.getValue() != s.getInt(p[0]))
            {
                throw new Unusable("damaged (a segment's checksum does not match)");
            }
            p[0] += 4;
            final long[] segmentOffsets = new long[(int)n];
            long offset = 0;
            final int end = p[0] + (int)length;
            for (int i = 0; i < n; i++)
            {
                final long v = varint(b, p, end);
                final long z = v >>> 1;
                offset += (z >>> 1) ^ -(z & 1);
                segmentOffsets[i] = offset << 1 | (v & 1);
            }
            segments.add(segmentOffsets);
            count += (int)n;
            at = previous;
        }
        final long[] withSerial = new long[count + 1];
        withSerial[0] = firstSerial;
        int w = 1;
        for (int i = segments.size() - 1; i >= 0; i--)
        {
            final long[] piece = segments.get(i);
            System.arraycopy(piece, 0, withSerial, w, piece.length);
            w += piece.length;
        }
        return withSerial;
    }

    private static Meta check(final FileChannel ch) throws IOException, Unusable
    {
        final long size = ch.size();
        if (size < MAGIC.length + TRAILER)
        {
            throw new Unusable("not a flowdemux index (too short)");
        }
        final ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
        readFully(ch, head, 0);
        final ByteBuffer trailer = ByteBuffer.allocate(TRAILER);
        readFully(ch, trailer, size - TRAILER);
        if (!Arrays.equals(head.array(), MAGIC)
            || !Arrays.equals(trailer.array(), 16, 24, END_MAGIC, 0, 8))
        {
            throw new Unusable("not a flowdemux index");
        }
        final long metaOffset = trailer.getLong(0);
        final int crc = trailer.getInt(8);
        if (trailer.getInt(12) != 0)
        {
            throw new Unusable("damaged (its trailer)");
        }
        if (metaOffset < MAGIC.length || metaOffset > size - TRAILER)
        {
            throw new Unusable("damaged (its description is out of place)");
        }
        if (size - TRAILER - metaOffset > 1 << 20)
        {
            throw new Unusable("damaged (its description is out of place)");
        }
        final ByteBuffer m = ByteBuffer.allocate((int)(size - TRAILER - metaOffset));
        readFully(ch, m, metaOffset);
        final CRC32C check = new CRC32C();
        check.update(m.array(), 0, m.capacity());
        if ((int)check.getValue() != crc)
        {
            throw new Unusable("damaged (its checksum does not match)");
        }
        m.flip();
        final Meta meta = Meta.decode(m);
        if (meta.directoryOffset < MAGIC.length || meta.directoryOffset + 16 * meta.connections != metaOffset)
        {
            throw new Unusable("damaged (its directory is out of place)");
        }
        return meta;
    }

    /** The options of {@code made} that {@code now} does not have, for the message. */
    private static String difference(final String made, final String now)
    {
        final java.util.List<String> a = Arrays.asList(made.split(" "));
        final java.util.List<String> b = Arrays.asList(now.split(" "));
        final StringBuilder s = new StringBuilder();
        for (final String o : a)
        {
            if (!b.contains(o))
            {
                s.append(s.length() == 0 ? "" : " ").append(o);
            }
        }
        return s.length() == 0 ? "indexed with other settings" : "indexed with " + s;
    }

    static void readFully(final FileChannel ch, final ByteBuffer b, final long at) throws IOException
    {
        long p = at;
        while (b.hasRemaining())
        {
            final int n = ch.read(b, p);
            if (n < 0)
            {
                throw new java.io.EOFException("cut short");
            }
            p += n;
        }
    }

    /** Writes {@code v} as an unsigned LEB128 varint at {@code p}; returns the offset after it. */
    static int putVarint(final byte[] b, final int p, final long v)
    {
        int i = p;
        long x = v;
        while ((x & ~0x7FL) != 0)
        {
            b[i++] = (byte)((x & 0x7F) | 0x80);
            x >>>= 7;
        }
        b[i++] = (byte)x;
        return i;
    }

    private static long varint(final byte[] b, final int[] p, final int end) throws Unusable
    {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (p[0] >= end)
            {
                throw new Unusable("damaged (a number is cut short)");
            }
            final int x = b[p[0]++];
            v |= (long)(x & 0x7F) << shift;
            if (x >= 0)
            {
                return v;
            }
        }
        throw new Unusable("damaged (a number is too long)");
    }

    static void putLong(final byte[] b, final int i, final long v)
    {
        for (int k = 0; k < 8; k++)
        {
            b[i + k] = (byte)(v >>> (56 - 8 * k));
        }
    }

    static void putInt(final byte[] b, final int i, final int v)
    {
        for (int k = 0; k < 4; k++)
        {
            b[i + k] = (byte)(v >>> (24 - 8 * k));
        }
    }

    /** Sorts {@code keys} ascending and {@code values} with them (quicksort, the middle as pivot). */
    static void sortByHash(final long[] keys, final long[] values, final int from, final int to)
    {
        int lo = from;
        int hi = to;
        while (lo < hi)
        {
            final long pivot = keys[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }
                while (keys[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    final long k = keys[i];
                    keys[i] = keys[j];
                    keys[j] = k;
                    final long v = values[i];
                    values[i] = values[j];
                    values[j] = v;
                    i++;
                    j--;
                }
            }
            // Recurse into the smaller part, loop over the larger: depth stays logarithmic.
            if (j - lo < hi - i)
            {
                sortByHash(keys, values, lo, j);
                lo = i;
            }
            else
            {
                sortByHash(keys, values, i, hi);
                hi = j;
            }
        }
    }
}
