package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-packet path (decode, then update the flow) allocates nothing once warm: counted with the JVM's
 * per-thread allocation counter over a million packets of the mixed sample's traffic. Each round is an hour after
 * the last, so its connections are new ones: service detection (the sample carries DNS, HTTP, SSH and TLS first
 * bytes) and the end of a connection run in every round, not only in the first.
 */
class NoAllocationTest
{
    @Test
    void decodeAndTrackAllocateNothingPerPacket() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final List<PacketRecord> packets = new ArrayList<>();
        try (CaptureReader r = CaptureReaders.open("samples/mixed.pcapng"))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                final PacketRecord copy = new PacketRecord();
                p.copyTo(copy);
                packets.add(copy);
            }
        }
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        final long[] named = new long[1];
        final FlowSlot ended = new FlowSlot();
        final FlowTracker tracker = new FlowTracker(1 << 16, (t, f, reason) ->
        {
            if (flowdemux.service.ServiceInspector.services(ended.wrap(t, f).serviceState()) != 0)
            {
                named[0]++;
            }
        });
        final DecodedPacket decoded = decoder.packet();
        final int rounds = 30_000;
        run(packets, decoder, tracker, decoded, rounds / 10); // warm up: JIT, table growth
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long namedBefore = named[0];
        final long n = run(packets, decoder, tracker, decoded, rounds);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The sample's DNS, HTTP, SSH and TLS connections, named again in every round.
        assertTrue(named[0] - namedBefore >= 4L * (rounds - 1), (named[0] - namedBefore) + " connections named");
        System.out.printf("hot path: %d packets, %d bytes allocated (%.4f per packet)%n", n, allocated,
            (double)allocated / n);
        // The counter itself and a stray safepoint may cost a few hundred bytes; one byte per packet would be 1 MB.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated for " + n + " packets");
    }

    private static long run(final List<PacketRecord> packets, final PacketDecoder decoder, final FlowTracker tracker,
        final DecodedPacket decoded, final int rounds)
    {
        long n = 0;
        final long[] stamps = new long[packets.size()];
        for (int i = 0; i < stamps.length; i++)
        {
            stamps[i] = packets.get(i).timestampNanos;
        }
        for (int round = 0; round < rounds; round++)
        {
            // Indexed: a for-each would allocate an iterator per round and blame the hot path for it.
            for (int i = 0; i < packets.size(); i++)
            {
                final PacketRecord p = packets.get(i);
                p.timestampNanos = stamps[i] + (clock + round) * HOUR;
                if (decoder.decode(p) == DropReason.NONE)
                {
                    tracker.onPacket(decoded);
                }
                n++;
            }
        }
        clock += rounds;
        for (int i = 0; i < stamps.length; i++)
        {
            packets.get(i).timestampNanos = stamps[i];
        }
        return n;
    }

    private static final long HOUR = 3_600_000_000_000L;
    /** Rounds run so far: the next run's clock starts after them. */
    private static long clock;
}
