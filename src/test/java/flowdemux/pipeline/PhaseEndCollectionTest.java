package flowdemux.pipeline;

import flowdemux.flow.ConnectionConfig;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read by workers that held many connections collects the whole heap when its input ends and again when every
 * connection has ended, so that the end of the read reuses the memory of what it no longer needs (OfflineRun.reclaim).
 */
class PhaseEndCollectionTest
{
    /** Full collections so far: the collectors of the old generation (Parallel, G1, Serial). */
    private static long fullCollections()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            final String name = gc.getName();
            if (name.contains("Old") || name.contains("MarkSweep"))
            {
                n += gc.getCollectionCount();
            }
        }
        return n;
    }

    private static long fullCollectionsOfARead(final int workers, final long reclaimFrom) throws Exception
    {
        return fullCollectionsOfARead(workers, reclaimFrom, true);
    }

    private static long fullCollectionsOfARead(final int workers, final long reclaimFrom, final boolean views)
        throws Exception
    {
        final byte[] capture = TrafficGenerator.pcap(3, 2000, 200, 10);
        final long[] ended = {0};
        final OfflineRun run = new OfflineRun(workers, 1_000_000, i -> (table, flow, reason) ->
        {
            synchronized (ended)
            {
                ended[0]++;
            }
        }, PacketFilter.ALL, ProgressListener.NONE, new ConnectionConfig());
        run.reclaimFrom(reclaimFrom);
        run.collectAtPhaseEnds(views);
        final long before = fullCollections();
        run.run(CaptureReaders.open(new ByteArrayInputStream(capture)));
        final long after = fullCollections();
        assertEquals(2000, ended[0], "every connection ended");
        return after - before;
    }

    /** The capture's 2,000 connections, 200 in flight at once: the workers' tables hold more than 100 together. */
    @Test
    void twoFullCollectionsWhenWorkersHeldManyConnections() throws Exception
    {
        for (final int workers : new int[] {2, 3})
        {
            final long n = fullCollectionsOfARead(workers, 100);
            assertTrue(n >= 2, workers + " workers: " + n + " full collections");
        }
    }

    // Another full collection could come from elsewhere in the JVM, but not two in so short a read.

    @Test
    void noneWhenTheWorkersHeldFewerConnections() throws Exception
    {
        final long n = fullCollectionsOfARead(2, 2001);
        assertTrue(n < 2, n + " full collections");
    }

    @Test
    void noneWhenTheSinksBuildNoViews() throws Exception
    {
        final long n = fullCollectionsOfARead(2, 100, false);
        assertTrue(n < 2, n + " full collections");
    }

    @Test
    void noneWithOneWorker() throws Exception
    {
        final long n = fullCollectionsOfARead(1, 0);
        assertTrue(n < 2, n + " full collections");
    }
}
