package flowdemux.reassembly;

/**
 * One direction of a TCP connection put back in sequence order, as Zeek's reassembler does: bytes at an offset
 * already delivered or already buffered are dropped (the first data seen wins), out-of-order segments wait in a
 * bounded buffer until the bytes before them come, and at {@link #finish} (or when the buffer is full) what is missing
 * before the next buffered bytes is reported as a gap and skipped. Offsets count from the byte after the SYN (or the
 * first segment's first byte when the SYN was not seen). The buffer is allocated at the first out-of-order segment
 * and reused after {@link #reset}: the per-segment path allocates nothing once warm.
 */
public final class StreamReassembler
{
    /** What the reassembler hands on, in stream order. */
    public interface Output
    {
        /** {@code length} bytes at {@code offset} of the stream. */
        void data(long offset, byte[] bytes, int from, int length);

        /** {@code length} bytes at {@code offset} never seen (missed_bytes). */
        void gap(long offset, long length);
    }

    private final int capacity;
    private final int maxSegments;
    private final Output output;
    private boolean based;
    /** Sequence number (32 bits) of offset 0. */
    private long base;
    /** Offset of the next byte to deliver. */
    private long next;
    private byte[] arena;
    private int arenaUsed;
    private long[] segStart;
    private int[] segLength;
    private int[] segAt;
    private int segments;
    private long buffered;
    private long overflows;
    private long gapBytes;
    private long duplicateBytes;

    /**
     * @param capacity most out-of-order bytes held; beyond, the oldest hole is given up as a gap (counted)
     * @param maxSegments most out-of-order segments held, likewise
     */
    public StreamReassembler(final int capacity, final int maxSegments, final Output output)
    {
        if (capacity < 1 || maxSegments < 1)
        {
            throw new IllegalArgumentException("capacity and maxSegments must be positive");
        }
        this.capacity = capacity;
        this.maxSegments = maxSegments;
        this.output = output;
    }

    /** Forgets the stream, keeping the buffers, for the next connection. */
    public void reset()
    {
        based = false;
        base = 0;
        next = 0;
        arenaUsed = 0;
        segments = 0;
        buffered = 0;
        overflows = 0;
        gapBytes = 0;
        duplicateBytes = 0;
    }

    /** A SYN with sequence number {@code seq}: the stream starts at the next byte. */
    public void syn(final long seq)
    {
        if (!based)
        {
            based = true;
            base = (seq + 1) & 0xFFFF_FFFFL;
        }
    }

    /** A segment's payload: {@code length} bytes at {@code from} in {@code bytes}, its first at sequence {@code seq}. */
    public void segment(final long seq, final byte[] bytes, final int from, final int length)
    {
        if (length <= 0)
        {
            return;
        }
        if (!based)
        {
            based = true;
            base = seq & 0xFFFF_FFFFL;
        }
        // The offset nearest the next expected one with these 32 bits: sequence numbers wrap.
        final long expected = (base + next) & 0xFFFF_FFFFL;
        long offset = next + (int)(seq - expected);
        int skip = 0;
        if (offset < next)
        {
            // Already delivered: retransmitted bytes count once.
            skip = (int)Math.min(length, next - offset);
            duplicateBytes += skip;
            offset += skip;
        }
        if (skip == length)
        {
            return;
        }
        if (offset == next)
        {
            final int n = deliverable(offset, length - skip);
            output.data(offset, bytes, from + skip, n);
            next += n;
            if (n < length - skip)
            {
                hold(offset + n, bytes, from + skip + n, length - skip - n);
            }
            drain();
            return;
        }
        hold(offset, bytes, from + skip, length - skip);
    }

    /**
     * {@code length} bytes at sequence {@code seq} that were sent but not captured (cut by the snap length): when they
     * are the next expected, a gap at once, so that the stream does not wait for them; else nothing (a hole before
     * them is reported with them at {@link #finish}).
     */
    public void uncaptured(final long seq, final int length)
    {
        if (length <= 0)
        {
            return;
        }
        if (!based)
        {
            based = true;
            base = seq & 0xFFFF_FFFFL;
        }
        final long expected = (base + next) & 0xFFFF_FFFFL;
        final long offset = next + (int)(seq - expected);
        final long end = offset + length;
        if (offset > next || end <= next)
        {
            return;
        }
        // Not over bytes held already: those were captured.
        final long stop = segments > 0 ? Math.min(end, segStart[0]) : end;
        if (stop > next)
        {
            output.gap(next, stop - next);
            gapBytes += stop - next;
            next = stop;
        }
        drain();
    }

    /** Gives up waiting: what is missing before each buffered segment is a gap; the buffered bytes are delivered. */
    public void finish()
    {
        while (segments > 0)
        {
            skipToFirst();
            drain();
        }
    }

    /** Offset of the next byte expected: the bytes delivered and skipped as gaps. */
    public long delivered()
    {
        return next;
    }

    public long gapBytes()
    {
        return gapBytes;
    }

    /** Bytes dropped because the same offsets had been seen (retransmissions, overlaps). */
    public long duplicateBytes()
    {
        return duplicateBytes;
    }

    /** Times the out-of-order buffer was full and a hole given up early. */
    public long overflows()
    {
        return overflows;
    }

    /** How much of a segment at the next offset goes before the first buffered segment (which got there first). */
    private int deliverable(final long offset, final int length)
    {
        return segments > 0 && segStart[0] < offset + length ? (int)Math.max(0, segStart[0] - offset) : length;
    }

    /** Delivers the buffered segments that now continue the stream. */
    private void drain()
    {
        while (segments > 0 && segStart[0] <= next)
        {
            final long start = segStart[0];
            final int len = segLength[0];
            final long end = start + len;
            if (end > next)
            {
                final int skip = (int)(next - start);
                output.data(next, arena, segAt[0] + skip, len - skip);
                next = end;
            }
            removeFirst();
        }
        if (segments == 0)
        {
            arenaUsed = 0;
        }
    }

    private void skipToFirst()
    {
        final long gap = segStart[0] - next;
        if (gap > 0)
        {
            output.gap(next, gap);
            gapBytes += gap;
            next = segStart[0];
        }
    }

    /** Buffers the parts of a segment not yet buffered (the first data seen wins), sorted by offset. */
    private void hold(final long offset, final byte[] bytes, final int from, final int length)
    {
        if (arena == null)
        {
            arena = new byte[capacity];
            segStart = new long[maxSegments];
            segLength = new int[maxSegments];
            segAt = new int[maxSegments];
        }
        long at = offset;
        final long end = offset + length;
        int i = 0;
        while (at < end)
        {
            while (i < segments && segStart[i] + segLength[i] <= at)
            {
                i++;
            }
            long pieceEnd = end;
            if (i < segments && segStart[i] <= at)
            {
                // Overlaps bytes held already: those stay.
                final long heldEnd = segStart[i] + segLength[i];
                duplicateBytes += Math.min(end, heldEnd) - at;
                at = heldEnd;
                continue;
            }
            if (i < segments)
            {
                pieceEnd = Math.min(end, segStart[i]);
            }
            final int n = (int)(pieceEnd - at);
            if (!room(n))
            {
                overflows++;
                // Full: the oldest hole is given up, which delivers what waited behind it.
                skipToFirst();
                drain();
                if (at < next)
                {
                    final int skip = (int)Math.min(end - at, next - at);
                    at += skip;
                    i = 0;
                    continue;
                }
                if (at == next)
                {
                    final int len = deliverable(at, (int)(end - at));
                    output.data(at, bytes, from + (int)(at - offset), len);
                    next += len;
                    at += len;
                    drain();
                    i = 0;
                    continue;
                }
                i = 0;
                if (!room(n))
                {
                    // Larger than the whole buffer: it waits no longer either.
                    output.gap(next, at - next);
                    gapBytes += at - next;
                    output.data(at, bytes, from + (int)(at - offset), n);
                    next = at + n;
                    at += n;
                    drain();
                    continue;
                }
            }
            insert(i, at, bytes, from + (int)(at - offset), n);
            at += n;
            i++;
        }
    }

    private boolean room(final int n)
    {
        if (segments == maxSegments || buffered + n > capacity)
        {
            return false;
        }
        if (arenaUsed + n > capacity)
        {
            compact();
        }
        return true;
    }

    private void insert(final int i, final long start, final byte[] bytes, final int from, final int n)
    {
        System.arraycopy(segStart, i, segStart, i + 1, segments - i);
        System.arraycopy(segLength, i, segLength, i + 1, segments - i);
        System.arraycopy(segAt, i, segAt, i + 1, segments - i);
        segStart[i] = start;
        segLength[i] = n;
        segAt[i] = arenaUsed;
        System.arraycopy(bytes, from, arena, arenaUsed, n);
        arenaUsed += n;
        buffered += n;
        segments++;
    }

    private void removeFirst()
    {
        buffered -= segLength[0];
        segments--;
        System.arraycopy(segStart, 1, segStart, 0, segments);
        System.arraycopy(segLength, 1, segLength, 0, segments);
        System.arraycopy(segAt, 1, segAt, 0, segments);
    }

    /** Moves the buffered bytes to the front of the arena, in offset order. */
    private void compact()
    {
        // In place, in order of arena position, so no byte is overwritten before it moves.
        int used = 0;
        for (int k = 0; k < segments; k++)
        {
            int min = -1;
            for (int j = 0; j < segments; j++)
            {
                if (segAt[j] >= used && (min < 0 || segAt[j] < segAt[min]))
                {
                    min = j;
                }
            }
            System.arraycopy(arena, segAt[min], arena, used, segLength[min]);
            segAt[min] = used;
            used += segLength[min];
        }
        arenaUsed = used;
    }
}
