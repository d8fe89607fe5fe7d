package flowdemux.util;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buckets that coarsen as the span grows keep every count, in the right bucket. */
class TimeBucketsTest
{
    @Test
    void countsSurviveCoarseningInAnyOrder()
    {
        final Random random = new Random(7);
        final long base = 1_700_000_000_000_000_000L;
        for (final long span : new long[] {50_000_000L, 3_000_000_000L, 7_200_000_000_000L, 40L * 86_400_000_000_000L})
        {
            final TimeBuckets b = new TimeBuckets(2);
            final long[] times = new long[20_000];
            for (int i = 0; i < times.length; i++)
            {
                times[i] = base + (long)(random.nextDouble() * span);
                b.add(times[i], 0, 1);
                b.add(times[i], 1, i);
            }
            assertTrue(b.size() <= TimeBuckets.MAX_BUCKETS);
            long total = 0;
            for (int i = 0; i < b.size(); i++)
            {
                total += b.get(i, 0);
            }
            assertEquals(times.length, total, "span " + span);
            // Each time falls in the bucket its width says.
            final long[] expected = new long[b.size()];
            for (final long t : times)
            {
                expected[(int)((t - b.startNanos()) / b.widthNanos())]++;
            }
            for (int i = 0; i < b.size(); i++)
            {
                assertEquals(expected[i], b.get(i, 0));
            }
            assertTrue(b.widthNanos() * TimeBuckets.MAX_BUCKETS >= span / 2, "not coarser than it needs");
        }
    }

    @Test
    void twoSeriesMergeAtTheWiderWidth()
    {
        final long base = 1_700_000_000_000_000_000L;
        final TimeBuckets fine = new TimeBuckets(1);
        final TimeBuckets coarse = new TimeBuckets(1);
        fine.add(base + 1_000_000, 0, 5);
        for (int i = 0; i < 100; i++)
        {
            coarse.add(base + i * 1_000_000_000L, 0, 1);
        }
        fine.merge(coarse);
        assertEquals(coarse.widthNanos(), fine.widthNanos());
        long total = 0;
        for (int i = 0; i < fine.size(); i++)
        {
            total += fine.get(i, 0);
        }
        assertEquals(105, total);
        assertEquals(6, fine.get(0, 0));
    }
}
