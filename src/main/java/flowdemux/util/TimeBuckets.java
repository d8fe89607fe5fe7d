package flowdemux.util;

/**
 * Counts over capture time in buckets of one width, a few columns each (packets, bytes; new and ended connections),
 * that coarsen as the span grows so that there are never more than {@link #MAX_BUCKETS}: the widths run through a ladder
 * of round values (1 ms, 2 ms, 10 ms, ... 1 h, 6 h, 1 day, ...), each a whole multiple of the one before, so that
 * buckets merge exactly, and two series (one per worker) merge into the wider width of the two. Buckets are aligned
 * to the Unix epoch. Nothing is allocated after construction.
 */
public final class TimeBuckets
{
    /** Widths in nanoseconds; each divides the next. */
    static final long[] LADDER;
    public static final int MAX_BUCKETS = 512;

    static
    {
        final long ms = 1_000_000L;
        final long s = 1_000 * ms;
        LADDER = new long[] {ms, 2 * ms, 10 * ms, 20 * ms, 100 * ms, 200 * ms, s, 2 * s, 10 * s, 20 * s, 60 * s,
            120 * s, 600 * s, 1_200 * s, 3_600 * s, 21_600 * s, 86_400 * s, 864_000 * s, 8_640_000 * s,
            86_400_000 * s, 864_000_000 * s, 8_640_000_000L * s};
    }

    private final int columns;
    private final long[] counts;
    private int level;
    /** Bucket number (time / width) of the first bucket; valid once {@link #used} is above 0. */
    private long first;
    private int used;
    /**
     * The time range of the bucket the last add went to, and its index: consecutive packets mostly fall in the same
     * bucket, and then need no long division (two adds per packet read). Empty after a coarsening or a shift.
     */
    private long hitFrom = Long.MAX_VALUE;
    private long hitTo = Long.MIN_VALUE;
    private int hitIndex;

    public TimeBuckets(final int columns)
    {
        this.columns = columns;
        this.counts = new long[MAX_BUCKETS * columns];
    }

    /** Adds {@code value} to {@code column} of the bucket of {@code timeNanos}. */
    public void add(final long timeNanos, final int column, final long value)
    {
        if (timeNanos >= hitFrom && timeNanos <= hitTo)
        {
            counts[hitIndex * columns + column] += value;
            return;
        }
        long bucket = Math.floorDiv(timeNanos, LADDER[level]);
        if (used == 0)
        {
            first = bucket;
            used = 1;
        }
        while (bucket < first || bucket >= first + MAX_BUCKETS)
        {
            if (bucket < first && first - bucket + used <= MAX_BUCKETS)
            {
                shiftRight((int)(first - bucket));
                break;
            }
            if (level == LADDER.length - 1)
            {
                return; // beyond any capture's span: a timestamp so far off is not drawn
            }
            coarsen(level + 1);
            bucket = Math.floorDiv(timeNanos, LADDER[level]);
        }
        final int i = (int)(bucket - first);
        used = Math.max(used, i + 1);
        counts[i * columns + column] += value;
        final long width = LADDER[level];
        final long from = bucket * width;
        if (from / width != bucket || from > timeNanos)
        {
            // The first bucket before Long.MIN_VALUE begins below it: not kept, the range would wrap around.
            forgetHit();
            return;
        }
        hitIndex = i;
        hitFrom = from;
        final long last = from + (width - 1);
        hitTo = last < from ? Long.MAX_VALUE : last; // the last bucket before Long.MAX_VALUE is cut short
    }

    private void forgetHit()
    {
        hitFrom = Long.MAX_VALUE;
        hitTo = Long.MIN_VALUE;
    }

    /** Adds every bucket of {@code other} (the same columns), at the wider width of the two. */
    public void merge(final TimeBuckets other)
    {
        if (other.used == 0)
        {
            return;
        }
        if (other.level > level)
        {
            coarsen(other.level);
        }
        final long width = LADDER[other.level];
        for (int i = 0; i < other.used; i++)
        {
            final long start = (other.first + i) * width;
            for (int c = 0; c < columns; c++)
            {
                final long v = other.counts[i * columns + c];
                if (v != 0)
                {
                    add(start, c, v);
                }
            }
        }
    }

    /**
     * Coarsens to the first ladder width of at least {@code widthNanos}, for two series drawn on one axis.
     *
     * @return whether the width changed (false at the ladder's top)
     */
    public boolean coarsenTo(final long widthNanos)
    {
        int target = level;
        while (target < LADDER.length - 1 && LADDER[target] < widthNanos)
        {
            target++;
        }
        if (target > level)
        {
            coarsen(target);
            return true;
        }
        return false;
    }

    private void coarsen(final int newLevel)
    {
        final long factor = LADDER[newLevel] / LADDER[level];
        final long newFirst = Math.floorDiv(first, factor);
        final int newUsed = used == 0 ? 0 : (int)(Math.floorDiv(first + used - 1, factor) - newFirst + 1);
        for (int i = 0; i < used; i++)
        {
            final int to = (int)(Math.floorDiv(first + i, factor) - newFirst);
            for (int c = 0; c < columns; c++)
            {
                final long v = counts[i * columns + c];
                counts[i * columns + c] = 0;
                counts[to * columns + c] += v;
            }
        }
        level = newLevel;
        first = newFirst;
        used = newUsed;
        forgetHit();
    }

    private void shiftRight(final int by)
    {
        System.arraycopy(counts, 0, counts, by * columns, used * columns);
        java.util.Arrays.fill(counts, 0, by * columns, 0);
        first -= by;
        used += by;
        forgetHit();
    }

    /** Bucket width in nanoseconds. */
    public long widthNanos()
    {
        return LADDER[level];
    }

    /** Start of the first bucket, nanoseconds since the epoch (0 when empty). */
    public long startNanos()
    {
        return used == 0 ? 0 : first * LADDER[level];
    }

    /** Buckets from the first to the last with a count. */
    public int size()
    {
        return used;
    }

    public long get(final int bucket, final int column)
    {
        return counts[bucket * columns + column];
    }
}
