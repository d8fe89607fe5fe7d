package flowdemux.util;

import java.util.Arrays;

/**
 * An open-addressed map from a 128-bit address and a 32-bit tag (a port and protocol, or 0) to a non-negative int,
 * over primitive arrays: no key object and no node per entry. Linear probing with a power-of-two mask; removal shifts
 * the following entries back (no tombstones), so lookups stay short however many entries come and go.
 */
public final class AddressIndex
{
    /** What {@link #get} and {@link #remove} return for a key that is not there. */
    public static final int MISSING = -1;
    private static final int MIN_CAPACITY = 8;

    private long[] his;
    private long[] los;
    private int[] tags;
    /** The value of each slot, or MISSING when the slot is free. */
    private int[] values;
    private int mask;
    private int size;

    public AddressIndex()
    {
        allocate(MIN_CAPACITY);
    }

    /** Receives each entry of {@link #forEach}. */
    public interface Visitor
    {
        void accept(long hi, long lo, int tag, int value);
    }

    private void allocate(final int capacity)
    {
        his = new long[capacity];
        los = new long[capacity];
        tags = new int[capacity];
        values = new int[capacity];
        Arrays.fill(values, MISSING);
        mask = capacity - 1;
    }

    private static int hash(final long hi, final long lo, final int tag)
    {
        return (int)Hashing.mix(hi * 31 + Hashing.mix(lo ^ ((long)tag << 32)));
    }

    public int size()
    {
        return size;
    }

    /** The value of the key, or {@link #MISSING}. */
    public int get(final long hi, final long lo, final int tag)
    {
        final int[] values = this.values;
        for (int i = hash(hi, lo, tag) & mask; values[i] != MISSING; i = (i + 1) & mask)
        {
            if (his[i] == hi && los[i] == lo && tags[i] == tag)
            {
                return values[i];
            }
        }
        return MISSING;
    }

    /** Sets the key's value (≥ 0), adding the key if it is new. */
    public void put(final long hi, final long lo, final int tag, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("negative value " + value);
        }
        int i = hash(hi, lo, tag) & mask;
        for (; values[i] != MISSING; i = (i + 1) & mask)
        {
            if (his[i] == hi && los[i] == lo && tags[i] == tag)
            {
                values[i] = value;
                return;
            }
        }
        his[i] = hi;
        los[i] = lo;
        tags[i] = tag;
        values[i] = value;
        if (++size > (mask + 1) / 2)
        {
            grow();
        }
    }

    /** Removes the key; returns its value, or {@link #MISSING} when it was not there. */
    public int remove(final long hi, final long lo, final int tag)
    {
        int i = hash(hi, lo, tag) & mask;
        for (; values[i] != MISSING; i = (i + 1) & mask)
        {
            if (his[i] == hi && los[i] == lo && tags[i] == tag)
            {
                final int old = values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
        return MISSING;
    }

    /** Fills the hole at {@code free} with a later entry of its probe run that may move there, until the run ends. */
    private void shiftBack(final int hole)
    {
        int free = hole;
        for (int i = (free + 1) & mask; values[i] != MISSING; i = (i + 1) & mask)
        {
            final int home = hash(his[i], los[i], tags[i]) & mask;
            // The entry may move back to `free` unless its home lies after `free`, within (free, i].
            if (((i - home) & mask) >= ((i - free) & mask))
            {
                his[free] = his[i];
                los[free] = los[i];
                tags[free] = tags[i];
                values[free] = values[i];
                free = i;
            }
        }
        values[free] = MISSING;
    }

    private void grow()
    {
        final long[] oldHis = his;
        final long[] oldLos = los;
        final int[] oldTags = tags;
        final int[] oldValues = values;
        allocate(oldValues.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++)
        {
            if (oldValues[i] != MISSING)
            {
                put(oldHis[i], oldLos[i], oldTags[i], oldValues[i]);
            }
        }
    }

    /** Visits every entry, in no particular order. */
    public void forEach(final Visitor visitor)
    {
        for (int i = 0; i < values.length; i++)
        {
            if (values[i] != MISSING)
            {
                visitor.accept(his[i], los[i], tags[i], values[i]);
            }
        }
    }
}
