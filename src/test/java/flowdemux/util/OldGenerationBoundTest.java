package flowdemux.util;

import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dead objects piling up in the old generation past the bound make a full collection run (split relies on it to
 * keep its heap near its live connections): humongous arrays go straight to G1's old regions, as split's promoted
 * per-connection objects reach the throughput collector's old generation.
 */
class OldGenerationBoundTest
{
    @Test
    void deadObjectsPastTheBoundAreCollected() throws Exception
    {
        assertTrue(OldGenerationBound.install(), "a heap pool with a usage threshold");
        final long before = fullCollections();
        List<byte[]> kept = new ArrayList<>();
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (fullCollections() == before && System.nanoTime() < deadline)
        {
            kept.add(new byte[4 << 20]);
            if (kept.size() == 32)
            {
                kept = new ArrayList<>(); // 128 MB dead at a time
            }
            Thread.sleep(1);
        }
        assertTrue(fullCollections() > before, "no full collection while dead arrays piled up");
    }

    private static long fullCollections()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            final String name = gc.getName();
            if (name.contains("Old") || name.contains("MarkSweep") || name.contains("Full"))
            {
                n += gc.getCollectionCount();
            }
        }
        return n;
    }
}
