package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.FlowKeys;
import flowdemux.flow.FlowSlot;
import flowdemux.flow.FlowTracker;
import flowdemux.service.ServiceInspector;
import flowdemux.service.ServicePrefix;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-packet path (decode, then update the flow; or, as the reader and a worker share it, decode, pack into a
 * batch and track the batch) allocates nothing once warm: counted with the JVM's
 * per-thread allocation counter over a million packets of the mixed sample's traffic. Each round is an hour after
 * the last, so its connections are new ones: service detection (the sample carries DNS, HTTP, SSH and TLS first
 * bytes) and the end of a connection run in every round, not only in the first.
 */
class NoAllocationTest
{
    @ParameterizedTest(name = "batched {0}")
    @ValueSource(booleans = {false, true})
    void decodeAndTrackAllocateNothingPerPacket(final boolean batched) throws Exception
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
            if (ServiceInspector.services(ended.wrap(t, f).serviceState()) != 0)
            {
                named[0]++;
            }
        });
        final DecodedPacket decoded = decoder.packet();
        final int rounds = 30_000;
        final Batch batch = batched ? new Batch() : null;
        run(packets, decoder, tracker, decoded, batch, rounds / 10); // warm up: JIT, table growth
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long namedBefore = named[0];
        final long n = run(packets, decoder, tracker, decoded, batch, rounds);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The sample's DNS, HTTP, SSH and TLS connections, named again in every round.
        assertTrue(named[0] - namedBefore >= 4L * (rounds - 1), (named[0] - namedBefore) + " connections named");
        System.out.printf("hot path: %d packets, %d bytes allocated (%.4f per packet)%n", n, allocated,
            (double)allocated / n);
        // The counter itself and a stray safepoint may cost a few hundred bytes; one byte per packet would be 1 MB.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated for " + n + " packets");
    }

    /**
     * The same traffic inside VXLAN: each frame decoded, its tunnel numbered in the registry, the packet inside
     * decoded and both tracked, as OfflineRun's layers do. Rounds are ten seconds apart, so the tunnels (their outer
     * connections) stay open: what a tunnel's first packet costs (its registry entry, 80 bytes in a page of 4,096)
     * is per tunnel, not per packet; the packets allocate nothing.
     */
    @org.junit.jupiter.api.Test
    void packetsInsideTunnelsAllocateNothing() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final List<PacketRecord> packets = new ArrayList<>();
        final flowdemux.synth.TunnelWrapper wrapper = new flowdemux.synth.TunnelWrapper();
        try (CaptureReader r = CaptureReaders.open("samples/mixed.pcapng"))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                final byte[] frame = java.util.Arrays.copyOfRange(p.buffer, p.offset, p.offset + p.capturedLength);
                wrapper.wrap(flowdemux.synth.TunnelWrapper.Kind.VXLAN, frame, frame.length, 42);
                final PacketRecord copy = new PacketRecord();
                copy.set(wrapper.copy(), 0, wrapper.length(), wrapper.length());
                copy.timestampNanos = p.timestampNanos;
                copy.linkType = p.linkType;
                copy.index = packets.size();
                packets.add(copy);
            }
        }
        final flowdemux.flow.ConnectionConfig config = new flowdemux.flow.ConnectionConfig();
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        final flowdemux.flow.TunnelRegistry tunnels = new flowdemux.flow.TunnelRegistry(config, (t, r, i, a) -> { });
        final FlowTracker tracker = new FlowTracker(1 << 16, (t, f, reason) -> { }, config);
        tracker.tunnels(tunnels);
        final long[] inside = new long[1];
        runTunnelled(packets, decoder, tunnels, tracker, 2_000, inside);
        final long before = threads.getCurrentThreadAllocatedBytes();
        final long insideBefore = inside[0];
        final long n = runTunnelled(packets, decoder, tunnels, tracker, 20_000, inside);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("hot path in VXLAN: %d frames, %d inside, %d bytes allocated (%.4f per frame)%n", n,
            inside[0] - insideBefore, allocated, (double)allocated / n);
        assertTrue(inside[0] - insideBefore >= n - 20_000L * 2, "the packets inside were decoded: " + inside[0]);
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated for " + n + " frames");
    }

    private static long runTunnelled(final List<PacketRecord> packets, final PacketDecoder decoder,
        final flowdemux.flow.TunnelRegistry tunnels, final FlowTracker tracker, final int rounds, final long[] inside)
    {
        final DecodedPacket d = decoder.packet();
        long n = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < packets.size(); i++)
            {
                final PacketRecord p = packets.get(i);
                final long stamp = p.timestampNanos;
                p.timestampNanos = stamp + (tunnelClock + round) * 10_000_000_000L;
                n++;
                if (decoder.decode(p) == DropReason.NONE)
                {
                    d.captureNow = d.timestampNanos;
                    while (true)
                    {
                        tracker.onPacket(d);
                        if (d.carries == flowdemux.decode.Tunnel.NONE)
                        {
                            break;
                        }
                        final int instance = tunnels.enter(d, d.captureNow);
                        if (decoder.decapsulate() != DropReason.NONE)
                        {
                            break;
                        }
                        d.tunnelInstance = instance;
                        d.captureNow = d.timestampNanos;
                        d.frames = 0;
                        inside[0]++;
                    }
                }
                p.timestampNanos = stamp;
            }
        }
        tunnelClock += rounds;
        return n;
    }

    private static long tunnelClock;

    /** Decodes and tracks every packet {@code rounds} times; through {@code batch}, as a worker gets them, if given. */
    private static long run(final List<PacketRecord> packets, final PacketDecoder decoder, final FlowTracker tracker,
        final DecodedPacket decoded, final Batch batch, final int rounds)
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
                if (decoder.decode(p) != DropReason.NONE)
                {
                    n++;
                    continue;
                }
                if (batch == null)
                {
                    tracker.onPacket(decoded);
                }
                else
                {
                    decoded.captureNow = decoded.timestampNanos;
                    decoded.inspectLength = ServicePrefix.wanted(decoded.inspectBytes, decoded.inspectOffset,
                        decoded.inspectLength, decoded.protocol == DecodedPacket.PROTO_TCP, decoded.payloadLength,
                        ServiceInspector.PACKET_BYTES);
                    FlowKeys.key(decoded);
                    batch.add(decoded, ServiceInspector.PACKET_BYTES);
                    if (batch.count == Batch.SIZE)
                    {
                        tracker.onKeyedBatch(batch.packets, batch.count, batch.payloads);
                        batch.clear();
                    }
                }
                n++;
            }
        }
        if (batch != null)
        {
            tracker.onKeyedBatch(batch.packets, batch.count, batch.payloads);
            batch.clear();
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
