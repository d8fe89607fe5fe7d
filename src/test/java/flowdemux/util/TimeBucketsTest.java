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

    /**
     * Times as packets bring them: mostly a little later than the one before (the bucket of the last add is reused
     * without a division), now and then far back, before the first bucket, or far ahead (a shift, a coarsening):
     * every count still lands in the bucket its time says, also after a coarsening asked for from outside.
     */
    @Test
    void mostlyRisingTimesWithJumpsLandInTheirBuckets()
    {
        final Random random = new Random(11);
        final long base = 1_700_000_000_000_000_000L;
        final TimeBuckets b = new TimeBuckets(3);
        final long[] times = new long[200_000];
        long t = base;
        for (int i = 0; i < times.length; i++)
        {
            final int jump = random.nextInt(1000);
            if (jump == 0)
            {
                t -= (long)(random.nextDouble() * 5_000_000_000L); // back, maybe before the first bucket
            }
            else if (jump == 1)
            {
                t += (long)(random.nextDouble() * 600_000_000_000L); // far ahead: coarser buckets
            }
            else
            {
                t += random.nextInt(200_000);
            }
            times[i] = t;
            b.add(t, i % 3, 1);
            if (i == times.length / 2)
            {
                b.coarsenTo(b.widthNanos() * 10); // as before drawing two series on one axis
            }
        }
        final long[] expected = new long[b.size() * 3];
        for (int i = 0; i < times.length; i++)
        {
            expected[(int)((times[i] - b.startNanos()) / b.widthNanos()) * 3 + i % 3]++;
        }
        for (int i = 0; i < b.size(); i++)
        {
            for (int c = 0; c < 3; c++)
            {
                assertEquals(expected[i * 3 + c], b.get(i, c), "bucket " + i + " column " + c);
            }
        }
    }

    /**
     * Times at both ends of a long (a hostile capture's): the bucket kept from the last add must not wrap around
     * and take a time from the other end.
     */
    @Test
    void timesAtTheEndsOfALongStayInTheirOwnBuckets()
    {
        final TimeBuckets b = new TimeBuckets(1);
        for (int i = 0; i < 4; i++)
        {
            b.add(Long.MIN_VALUE + 1, 0, 1);
            b.add(Long.MAX_VALUE - 1, 0, 100);
        }
        assertEquals(4, b.get(0, 0), "the first bucket holds the four early times only");
        assertEquals(400, b.get(b.size() - 1, 0), "the last bucket holds the four late ones");
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
