package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server's clients merged from two workers are those one summary of every connection keeps: the lowest addresses,
 * each with all its connections and its lowest and highest source port, the rest counted as other clients' connections.
 */
class ServerSummaryTest
{
    private static ServerSummary server()
    {
        return new ServerSummary(0, 0x0000_FFFF_C633_6401L, 53, DecodedPacket.PROTO_UDP, "udp");
    }

    /** A UDP connection from client {@code c} of a pool (a third of them IPv6), from a random source port. */
    private static FlowRecord connection(final FlowRecord r, final int c, final SplittableRandom random)
    {
        r.protocol = DecodedPacket.PROTO_UDP;
        r.origHi = c % 3 == 0 ? 0x2001_0DB8_0000_0000L : 0;
        r.origLo = c % 3 == 0 ? c : 0x0000_FFFF_0A00_0000L + c;
        r.origPort = 1024 + random.nextInt(64_000);
        r.origPackets = 1;
        r.respPackets = random.nextInt(2);
        r.history = "D";
        return r;
    }

    private static void mergedAsOne(final int pool, final int connections, final double shareOfFirst, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final ServerSummary first = server();
        final ServerSummary second = server();
        final ServerSummary all = server();
        final FlowRecord r = FlowRecord.reusable();
        for (int i = 0; i < connections; i++)
        {
            connection(r, random.nextInt(pool), random);
            all.add(r);
            (random.nextDouble() < shareOfFirst ? first : second).add(r);
        }
        first.merge(second);
        assertEquals(all.connections, first.connections);
        assertEquals(all.clientCount(), first.clientCount());
        assertEquals(all.clientsCapped(), first.clientsCapped());
        assertEquals(all.otherClientConnections, first.otherClientConnections);
        final Map<String, int[]> expected = all.clients();
        final Map<String, int[]> merged = first.clients();
        assertEquals(expected.keySet(), merged.keySet());
        expected.forEach((client, counts) -> assertArrayEquals(counts, merged.get(client), client));
        long kept = 0;
        for (final int[] counts : merged.values())
        {
            kept += counts[0];
        }
        assertEquals(connections, kept + first.otherClientConnections, "every connection counted once");
    }

    @Test
    void fewClientsSharedByBothWorkers()
    {
        mergedAsOne(300, 5_000, 0.5, 1);
    }

    @Test
    void moreClientsThanAreKept()
    {
        mergedAsOne(5_000, 40_000, 0.5, 2);
        mergedAsOne(1_500, 3_000, 0.3, 3);
    }

    @Test
    void oneWorkerSawNearlyEverything()
    {
        mergedAsOne(2_000, 10_000, 0.99, 4);
        mergedAsOne(2_000, 10_000, 0.01, 5);
    }

    @Test
    void exactlyAsManyClientsAsAreKept()
    {
        final SplittableRandom random = new SplittableRandom(6);
        final ServerSummary first = server();
        final ServerSummary second = server();
        final FlowRecord r = FlowRecord.reusable();
        for (int c = 0; c < ServerSummary.MAX_CLIENTS_KEPT; c++)
        {
            (c % 2 == 0 ? first : second).add(connection(r, c, random));
        }
        first.merge(second);
        assertEquals(ServerSummary.MAX_CLIENTS_KEPT, first.clientCount());
        assertFalse(first.clientsCapped());
        assertEquals(0, first.otherClientConnections);
        // One more client, above every kept address (IPv6, after the IPv4 ones): counted, not kept.
        final ServerSummary third = server();
        third.add(connection(r, 30_000, random));
        first.merge(third);
        assertTrue(first.clientsCapped());
        assertEquals(ServerSummary.MAX_CLIENTS_KEPT, first.clientCount());
        assertEquals(1, first.otherClientConnections);
    }
}
