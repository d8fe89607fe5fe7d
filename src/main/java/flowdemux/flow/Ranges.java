package flowdemux.flow;

/**
 * Sorted, disjoint [start, end) ranges kept in two parallel arrays at {@code base}, {@code count} of them: the byte
 * ranges of a fragmented datagram, or of TCP data above a hole. Allocates nothing.
 */
final class Ranges
{
    private Ranges()
    {
    }

    /**
     * Merges [start, end) in, joining every range it touches or overlaps. Returns the new count, or -1 when that
     * would take more than {@code max} ranges (then nothing is changed).
     */
    static int insert(final long[] starts, final long[] ends, final int base, final int count, final int max,
        final long start, final long end)
    {
        long s = start;
        long e = end;
        int before = 0;
        while (before < count && ends[base + before] < s)
        {
            before++;
        }
        int j = before;
        while (j < count && starts[base + j] <= e)
        {
            s = Math.min(s, starts[base + j]);
            e = Math.max(e, ends[base + j]);
            j++;
        }
        final int after = count - j;
        if (before + 1 + after > max)
        {
            return -1;
        }
        // The ranges after the merged one move to sit right behind it (arraycopy handles the overlap).
        System.arraycopy(starts, base + j, starts, base + before + 1, after);
        System.arraycopy(ends, base + j, ends, base + before + 1, after);
        starts[base + before] = s;
        ends[base + before] = e;
        return before + 1 + after;
    }
}
