package flowdemux.export;

import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.Nfcapd;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPFIX export checked by a real collector, Debian's nfcapd (nfdump 1.7), on a loopback port: a generated capture
 * (IPv4 and IPv6, TCP and UDP) and two corpus captures of ICMPv4 and ICMPv6 read with {@code --ipfix}; every
 * connection of the conn.log written in the same run is in nfdump's output once, with the same 5-tuple, packets and
 * IP bytes each way, and start and end within a millisecond; nothing else is. And a collector that is not listening:
 * the read still writes its report, says what was dropped and exits 3.
 */
class IpfixNfcapdTest
{
    @Test
    void nfcapdReceivesEveryConnectionOnce(@TempDir final Path tmp) throws Exception
    {
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "3000", "--concurrency", "300", "--ipv6", "30", "-o",
            generated.toString(), "--summary", tmp.resolve("gen.json").toString()).exitCode);
        final Path icmp4 = Corpus.root().resolve("zeek/communityid-icmp.pcap");
        final Path icmp6 = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        Assumptions.assumeTrue(Files.exists(icmp4) && Files.exists(icmp6) || Boolean.getBoolean(
            "flowdemux.requireCorpus"), "corpus not found");

        final Cli read;
        final TreeMap<String, Integer> exported;
        try (Nfcapd collector = Nfcapd.start(tmp.resolve("nfcapd")))
        {
            read = Cli.run("read", generated.toString(), icmp4.toString(), icmp6.toString(), "--ipfix",
                "127.0.0.1:" + collector.port, "--ipfix-rate", "20000", "--format", "zeek", "-o",
                tmp.resolve("conn.log").toString());
            Thread.sleep(500);
            exported = collector.stopAndRead();
        }
        assertEquals(0, read.exitCode, read.err);
        assertTrue(read.err.contains(" 0 dropped"), read.err);

        final TreeMap<String, Integer> expected = Nfcapd.fromConnLog(Files.readString(tmp.resolve("conn.log")), exported);
        final int same = Nfcapd.matching(expected, exported);
        final int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("IPFIX to nfcapd: %d of %d connections match nfdump's records (%d records)%n", same, total,
            exported.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(total > 3000, "the generated connections and the ICMP ones: " + total);
        assertEquals(expected, exported, "conn.log = nfdump");
    }

    @Test
    void aCollectorThatIsNotListeningIsReportedAndTheReportIsStillWritten(@TempDir final Path tmp) throws Exception
    {
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "200", "-o", generated.toString(), "--summary",
            tmp.resolve("gen.json").toString()).exitCode);
        final int port = Nfcapd.freeUdpPort();
        final Cli read = Cli.run("read", generated.toString(), "--ipfix", "127.0.0.1:" + port, "--format", "zeek",
            "-o", tmp.resolve("conn.log").toString());
        assertEquals(Main.EXIT_EXPORT, read.exitCode, read.err);
        assertEquals(200, Files.readAllLines(tmp.resolve("conn.log")).stream().filter(l -> !l.startsWith("#"))
            .count(), "the report is complete");
        // The first message is refused by ICMP port unreachable only after it left: sent + dropped = all.
        final var m = java.util.regex.Pattern.compile("([\\d,]+) records sent in [\\d,]+ messages, ([\\d,]+) dropped")
            .matcher(read.err);
        assertTrue(m.find(), read.err);
        final long sent = Long.parseLong(m.group(1).replace(",", ""));
        final long dropped = Long.parseLong(m.group(2).replace(",", ""));
        assertEquals(200, sent + dropped, read.err);
        assertTrue(dropped > 0, read.err);

        final Cli unresolvable = Cli.run("read", generated.toString(), "--ipfix", "no-such-host.invalid:4739");
        assertEquals(Main.EXIT_INPUT, unresolvable.exitCode);
        assertEquals("flowdemux: cannot resolve the IPFIX collector no-such-host.invalid", unresolvable.err.trim());
        final Cli refused = Cli.run("read", generated.toString(), "--ipfix", "tcp://127.0.0.1:" + port);
        assertEquals(Main.EXIT_INPUT, refused.exitCode);
        assertEquals(1, refused.err.trim().lines().count(), refused.err);
        assertTrue(refused.err.startsWith("flowdemux: cannot reach the IPFIX collector tcp://127.0.0.1:" + port),
            refused.err);
        final Cli badTarget = Cli.run("read", generated.toString(), "--ipfix", "127.0.0.1:99999");
        assertEquals(Main.EXIT_USAGE, badTarget.exitCode);
        assertTrue(badTarget.err.contains("the port must be 1 to 65535"), badTarget.err);
    }

    @Test
    void interimRecordsCarryTheCountsSinceThePreviousOne(@TempDir final Path tmp) throws Exception
    {
        // One UDP exchange every half second for 10 s: with --active-timeout 3, interim records at 3, 6 and 9 s.
        final Path file = tmp.resolve("long.pcap");
        try (java.io.OutputStream os = Files.newOutputStream(file))
        {
            final flowdemux.synth.PcapWriter w = new flowdemux.synth.PcapWriter(os, 1, false);
            final byte[] a = flowdemux.synth.PacketBuilder.ipv4("10.1.1.1");
            final byte[] b = flowdemux.synth.PacketBuilder.ipv4("10.2.2.2");
            for (int i = 0; i < 20; i++)
            {
                final long t = 1_700_000_000_000_000_000L + i * 500_000_000L;
                final byte[] ask = new flowdemux.synth.PacketBuilder().udp(a, 40000, b, 5353, 20).copy();
                final byte[] answer = new flowdemux.synth.PacketBuilder().udp(b, 5353, a, 40000, 100 + i).copy();
                w.writeCaptured(t, ask, 0, ask.length, ask.length);
                w.writeCaptured(t + 1_000_000, answer, 0, answer.length, answer.length);
            }
            w.close();
        }
        final Cli read;
        final TreeMap<String, Integer> exported;
        try (Nfcapd collector = Nfcapd.start(tmp.resolve("nfcapd")))
        {
            read = Cli.run("read", file.toString(), "--active-timeout", "3", "--ipfix", "127.0.0.1:" + collector.port,
                "--format", "zeek", "-o", tmp.resolve("conn.log").toString());
            Thread.sleep(300);
            exported = collector.stopAndRead();
        }
        assertEquals(0, read.exitCode, read.err);
        // The conn.log's rows of the connection are cumulative; IPFIX's are deltas: each record is the difference
        // between two consecutive rows, and they add up to the last row.
        final List<long[]> rows = new java.util.ArrayList<>();
        for (final Map<String, String> r : flowdemux.ConnLogRows.parse(Files.readString(tmp.resolve("conn.log"))))
        {
            rows.add(new long[] {Long.parseLong(r.get("orig_pkts")), Long.parseLong(r.get("orig_ip_bytes")),
                Long.parseLong(r.get("resp_pkts")), Long.parseLong(r.get("resp_ip_bytes"))});
        }
        assertTrue(rows.size() >= 4, "interim rows and the last one: " + rows.size());
        final List<String> expected = new java.util.ArrayList<>();
        long[] before = {0, 0, 0, 0};
        for (final long[] r : rows)
        {
            expected.add((r[0] - before[0]) + " " + (r[1] - before[1]) + " " + (r[2] - before[2]) + " "
                + (r[3] - before[3]));
            before = r;
        }
        final List<String> got = new java.util.ArrayList<>();
        for (final Map.Entry<String, Integer> e : exported.entrySet())
        {
            final String counts = e.getKey().split(" \\| ")[1];
            for (int i = 0; i < e.getValue(); i++)
            {
                got.add(counts);
            }
        }
        java.util.Collections.sort(expected);
        java.util.Collections.sort(got);
        assertEquals(expected, got, "packets and bytes each way of each record = the rows' differences");
    }

    @Test
    void aCollectorStoppedHalfwayLosesOnlyCountedRecords(@TempDir final Path tmp) throws Exception
    {
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "20000", "-o", generated.toString(), "--summary",
            tmp.resolve("gen.json").toString()).exitCode);
        for (final boolean tcp : new boolean[] {false, true})
        {
            final java.io.Closeable[] stop = new java.io.Closeable[1];
            final int port;
            final Thread collector;
            if (tcp)
            {
                final java.net.ServerSocket server = new java.net.ServerSocket(0, 1, InetAddressHolder.LOOPBACK);
                port = server.getLocalPort();
                collector = new Thread(() ->
                {
                    try (server; java.net.Socket s = server.accept())
                    {
                        s.getInputStream().readNBytes(20_000); // a few messages, then it goes away
                    }
                    catch (java.io.IOException e)
                    {
                        // gone either way
                    }
                });
            }
            else
            {
                final java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddressHolder.LOOPBACK);
                port = socket.getLocalPort();
                collector = new Thread(() ->
                {
                    try (socket)
                    {
                        for (int i = 0; i < 5; i++)
                        {
                            socket.receive(new java.net.DatagramPacket(new byte[2048], 2048));
                        }
                    }
                    catch (java.io.IOException e)
                    {
                        // gone either way
                    }
                });
            }
            collector.start();
            final Cli read = Cli.run("read", generated.toString(), "--ipfix", (tcp ? "tcp://" : "") + "127.0.0.1:"
                + port, "--ipfix-rate", "40000", "--format", "zeek", "-o", tmp.resolve("conn.log").toString());
            collector.join(10_000);
            assertEquals(Main.EXIT_EXPORT, read.exitCode, read.err);
            assertEquals(20_000, Files.readAllLines(tmp.resolve("conn.log")).stream().filter(l -> !l.startsWith("#"))
                .count(), "the report is complete");
            final var m = java.util.regex.Pattern.compile("([\\d,]+) records sent in [\\d,]+ messages, ([\\d,]+) "
                + "dropped").matcher(read.err);
            assertTrue(m.find(), read.err);
            final long sent = Long.parseLong(m.group(1).replace(",", ""));
            final long dropped = Long.parseLong(m.group(2).replace(",", ""));
            assertEquals(20_000, sent + dropped, read.err);
            assertTrue(sent > 0 && dropped > 0, read.err);
            if (tcp)
            {
                assertTrue(read.err.contains("closed the connection"), read.err);
            }
        }
    }

    /** The loopback address, for the collectors made here. */
    private static final class InetAddressHolder
    {
        static final java.net.InetAddress LOOPBACK = java.net.InetAddress.getLoopbackAddress();
    }
}
