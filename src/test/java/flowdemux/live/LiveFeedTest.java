package flowdemux.live;

import flowdemux.report.LiveCounters;
import flowdemux.source.LiveCapture;
import flowdemux.source.LiveFeed;
import flowdemux.source.PacketRecord;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture thread against a stalled analysis, on {@code lo} only: numbered UDP datagrams to a port no one reads,
 * captured with a BPF filter for that port. Every datagram is either handed to the analysis or counted as dropped by
 * flowdemux, never both and never neither; libpcap's received count on the loopback device is twice the datagrams.
 */
class LiveFeedTest
{
    private static final int DATAGRAMS = 30_000;

    @Test
    void aStalledAnalysisLosesOnlyCountedPackets() throws Exception
    {
        LiveRequirement.require();
        final InetAddress host = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket sink = new DatagramSocket(0, host); DatagramSocket sender = new DatagramSocket(0, host))
        {
            final int port = sink.getLocalPort();
            // Two slabs (16,384 packets at most) between the threads, and an analysis that reads nothing until all
            // was sent: the rest must be counted as flowdemux's drops.
            final LiveFeed feed = new LiveFeed(LiveCapture.open("lo", 256, false, false, 16 << 20,
                "udp and dst port " + port + " and src port " + sender.getLocalPort(), 0), 2, () -> { }).start();
            try (feed)
            {
                Thread.sleep(200);
                final byte[] payload = new byte[8];
                for (int i = 0; i < DATAGRAMS; i++)
                {
                    writeInt(payload, i);
                    sender.send(new DatagramPacket(payload, payload.length, host, port));
                }
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (feed.taken() < DATAGRAMS && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                feed.stop();

                final PacketRecord record = new PacketRecord();
                final Set<Integer> seen = new HashSet<>();
                long previous = Long.MIN_VALUE;
                while (feed.next(record))
                {
                    // Ethernet (14) + IPv4 (20) + UDP (8), then the number.
                    assertEquals(14 + 20 + 8 + 8, record.capturedLength);
                    assertTrue(seen.add(readInt(record.buffer, record.offset + 42)), "each datagram once");
                    assertTrue(record.timestampNanos >= previous, "in capture order");
                    previous = record.timestampNanos;
                }
                final long[] stats = feed.stats();
                assertEquals(0, stats[LiveCounters.KERNEL_DROPPED], "the kernel buffer held them all");
                assertTrue(stats[LiveCounters.FLOWDEMUX_DROPPED] > 0, "two slabs cannot hold " + DATAGRAMS);
                assertTrue(seen.size() >= 8192, "at least a slab reached the analysis: " + seen.size());
                assertEquals(DATAGRAMS, seen.size() + stats[LiveCounters.FLOWDEMUX_DROPPED],
                    "handed over + dropped by flowdemux");
                assertEquals(2L * DATAGRAMS, stats[LiveCounters.RECEIVED],
                    "a loopback device counts each packet twice");
                assertTrue(feed.isLoopback());
            }
        }
    }

    private static void writeInt(final byte[] b, final int v)
    {
        b[0] = (byte)(v >>> 24);
        b[1] = (byte)(v >>> 16);
        b[2] = (byte)(v >>> 8);
        b[3] = (byte)v;
    }

    private static int readInt(final byte[] b, final int at)
    {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }
}
