package flowdemux.flow;

import flowdemux.util.Hashing;

/**
 * TCP data that arrived above a hole in its stream, as byte ranges of relative sequence numbers: Zeek's reassembler
 * keeps such blocks, and when an acknowledgement reaches past the hole only the holes count as content gaps (G,
 * missed_bytes), not the data that did arrive (TCP_Reassembler::Undelivered). Nothing of the payload is kept.
 *
 * <p>Only streams with data above a hole have an entry, so a clean capture leaves this empty and costs one size
 * check a data packet. Entries are keyed by flow and endpoint (A or B of the canonical key, not originator or
 * responder, so a role flip needs nothing here), in an open-addressed table with backward-shift deletion; each
 * holds up to {@link #MAX_RANGES} sorted, disjoint ranges (beyond that the highest is dropped, which can only make a
 * later gap look larger). The flow table removes a flow's entries when the flow goes.
 */
final class PendingData
{
    static final int MAX_RANGES = 16;
    private static final long EMPTY = 0;

    private long[] keys = new long[16];
    private int[] slots = new int[16];
    private int mask = 15;
    private int size;

    /** Range pool: slot * MAX_RANGES ... + count. */
    private long[] starts = new long[4 * MAX_RANGES];
    private long[] ends = new long[4 * MAX_RANGES];
    private int[] counts = new int[4];
    private int[] freeSlots = {3, 2, 1, 0};
    private int freeCount = 4;

    boolean isEmpty()
    {
        return size == 0;
    }

    static long key(final int flow, final boolean endpointA)
    {
        return ((long)flow << 1 | (endpointA ? 1 : 0)) + 1;
    }

    /**
     * Data [start, end) arrived above the stream's delivered point: remember it.
     */
    void add(final long key, final long start, final long end)
    {
        int slot = find(key);
        if (slot < 0)
        {
            slot = insert(key);
        }
        final int base = slot * MAX_RANGES;
        int n = Ranges.insert(starts, ends, base, counts[slot], MAX_RANGES, start, end);
        if (n < 0)
        {
            // Full: the highest range goes, or the new one if it would be the highest.
            if (start > ends[base + counts[slot] - 1])
            {
                return;
            }
            n = Ranges.insert(starts, ends, base, counts[slot] - 1, MAX_RANGES, start, end);
        }
        counts[slot] = n;
    }

    /**
     * The stream's delivered point moved to {@code mark}: ranges that now touch it are delivered too. Returns the new
     * delivered point.
     */
    long absorb(final long key, final long mark)
    {
        // Ranges are disjoint and merged where they touch, so every range that starts at or below the mark is
        // covered without a hole: the same walk as an acknowledgement of one byte past the mark.
        return fillTo(key, mark, mark + 1);
    }

    /** The holes {@link #fillTo} found, lengths in order; reused (nothing allocated per packet). */
    final long[] holes = new long[MAX_RANGES];
    int holeCount;

    /**
     * An acknowledgement up to {@code ack} with the stream delivered to {@code mark}: delivers the ranges below the
     * acknowledgement and leaves the length of each hole before them in {@link #holes}, in order. Returns the
     * delivered point after the last range below {@code ack} (the caller reports the hole from there to ack).
     */
    long fillTo(final long key, final long mark, final long ack)
    {
        holeCount = 0;
        final int slot = find(key);
        if (slot < 0)
        {
            return mark;
        }
        final int base = slot * MAX_RANGES;
        long m = mark;
        int i = 0;
        final int n = counts[slot];
        while (i < n && starts[base + i] < ack)
        {
            if (starts[base + i] > m)
            {
                holes[holeCount++] = starts[base + i] - m;
            }
            m = Math.max(m, ends[base + i]);
            i++;
        }
        drop(key, slot, i);
        return m;
    }

    /** Forgets both endpoints' ranges of a flow that leaves the table. */
    void removeFlow(final int flow)
    {
        if (size == 0)
        {
            return;
        }
        removeKey(key(flow, true));
        removeKey(key(flow, false));
    }

    private void removeKey(final long key)
    {
        final int slot = find(key);
        if (slot >= 0)
        {
            drop(key, slot, counts[slot]);
        }
    }

    /** Removes the first {@code k} ranges of a slot, and the entry when none is left. */
    private void drop(final long key, final int slot, final int k)
    {
        final int base = slot * MAX_RANGES;
        final int left = counts[slot] - k;
        if (left > 0)
        {
            System.arraycopy(starts, base + k, starts, base, left);
            System.arraycopy(ends, base + k, ends, base, left);
            counts[slot] = left;
            return;
        }
        counts[slot] = 0;
        remove(key);
        freeSlots[freeCount++] = slot;
    }

    private int find(final long key)
    {
        if (size == 0)
        {
            return -1;
        }
        int i = (int)Hashing.mix(key) & mask;
        while (keys[i] != EMPTY)
        {
            if (keys[i] == key)
            {
                return slots[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private int insert(final long key)
    {
        if ((size + 1) * 2 > keys.length)
        {
            rehash(keys.length * 2);
        }
        if (freeCount == 0)
        {
            growPool();
        }
        final int slot = freeSlots[--freeCount];
        counts[slot] = 0;
        int i = (int)Hashing.mix(key) & mask;
        while (keys[i] != EMPTY)
        {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        slots[i] = slot;
        size++;
        return slot;
    }

    private void remove(final long key)
    {
        int i = (int)Hashing.mix(key) & mask;
        while (keys[i] != key)
        {
            i = (i + 1) & mask;
        }
        keys[i] = EMPTY;
        size--;
        // Backward shift: move later entries of the probe chain into the hole, so no tombstone is left.
        int hole = i;
        int j = (i + 1) & mask;
        while (keys[j] != EMPTY)
        {
            final int home = (int)Hashing.mix(keys[j]) & mask;
            final boolean between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!between)
            {
                keys[hole] = keys[j];
                slots[hole] = slots[j];
                keys[j] = EMPTY;
                hole = j;
            }
            j = (j + 1) & mask;
        }
    }

    private void rehash(final int capacity)
    {
        final long[] oldKeys = keys;
        final int[] oldSlots = slots;
        keys = new long[capacity];
        slots = new int[capacity];
        mask = capacity - 1;
        for (int k = 0; k < oldKeys.length; k++)
        {
            if (oldKeys[k] != EMPTY)
            {
                int i = (int)Hashing.mix(oldKeys[k]) & mask;
                while (keys[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[k];
                slots[i] = oldSlots[k];
            }
        }
    }

    private void growPool()
    {
        final int old = counts.length;
        final int capacity = old * 2;
        starts = java.util.Arrays.copyOf(starts, capacity * MAX_RANGES);
        ends = java.util.Arrays.copyOf(ends, capacity * MAX_RANGES);
        counts = java.util.Arrays.copyOf(counts, capacity);
        freeSlots = java.util.Arrays.copyOf(freeSlots, capacity);
        for (int s = capacity - 1; s >= old; s--)
        {
            freeSlots[freeCount++] = s;
        }
    }
}
