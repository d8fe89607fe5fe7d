package flowdemux.live;

import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The capture a user makes on their own host: on {@code lo} every TCP/UDP checksum is left unfilled (the loopback
 * device never fills it in), as the NIC leaves outgoing packets' on any modern host. A real server on 127.0.0.1 and
 * ::1, three clients each and a UDP exchange, captured by {@code capture --write}; then {@code read} with no option
 * must list exactly the connections tshark lists, with the same packets each way, and say that the checksums were
 * offloaded. A copy with some checksums set to values that are neither right nor unfilled must mark exactly those
 * packets C/c, leave them out of the counts, and warn on standard error.
 */
class OffloadedChecksumsTest
{
    @Test
    void aLoopbackCaptureReadsWithNoOptionAsTsharkListsIt(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        final String tshark = LiveRequirement.requireTool("tshark");
        final InetAddress v4 = InetAddress.getByName("127.0.0.1");
        final InetAddress v6 = InetAddress.getByName("::1");
        final Path pcap = tmp.resolve("lo.pcap");
        try (ServerSocket s4 = new ServerSocket(0, 10, v4); ServerSocket s6 = new ServerSocket(0, 10, v6);
            DatagramSocket u4 = new DatagramSocket(0, v4); DatagramSocket u6 = new DatagramSocket(0, v6))
        {
            for (final ServerSocket s : List.of(s4, s6))
            {
                LoopbackPeers.daemon(() -> LoopbackPeers.serve(s));
            }
            for (final DatagramSocket u : List.of(u4, u6))
            {
                LoopbackPeers.daemon(() -> LoopbackPeers.echo(u));
            }
            final String filter = "port " + s4.getLocalPort() + " or port " + s6.getLocalPort() + " or port "
                + u4.getLocalPort() + " or port " + u6.getLocalPort();
            final Cli[] capture = new Cli[1];
            final Thread t = LoopbackPeers.daemon(() -> capture[0] = Cli.run("capture", "-i", "lo", "-f", filter, "--duration", "4",
                "--write", pcap.toString(), "--format", "zeek"));
            Thread.sleep(1500); // the capture opens the device and compiles the filter
            for (int i = 0; i < 3; i++)
            {
                request(v4, s4.getLocalPort());
                request(v6, s6.getLocalPort());
            }
            exchange(v4, u4.getLocalPort());
            exchange(v6, u6.getLocalPort());
            t.join(20_000);
            assertNotNull(capture[0], "capture ended");
            assertEquals(0, capture[0].exitCode, capture[0].err);
        }

        final Map<String, long[]> tsharks = tsharkConversations(tshark, pcap);
        assertEquals(8, tsharks.size(), "six TCP connections and two UDP exchanges: " + tsharks.keySet());

        final Cli read = Cli.run("read", pcap.toString(), "--format", "zeek");
        assertEquals(0, read.exitCode, read.err);
        assertEquals("", read.err, "no warning: nothing is wrong with this capture");
        final Map<String, Map<String, String>> ours = byConversation(read.out);
        assertEquals(tsharks.keySet(), ours.keySet(), "the same connections as tshark");
        for (final Map.Entry<String, long[]> e : tsharks.entrySet())
        {
            final Map<String, String> row = ours.get(e.getKey());
            final long[] fromOrig = countsByDirection(row, e.getValue(), e.getKey());
            assertEquals(fromOrig[0], Long.parseLong(row.get("orig_pkts")), e.getKey() + " orig_pkts");
            assertEquals(fromOrig[1], Long.parseLong(row.get("resp_pkts")), e.getKey() + " resp_pkts");
            assertEquals("SF", row.get("conn_state"), row.toString());
            assertFalse(row.get("history").toLowerCase(java.util.Locale.ROOT).contains("c"), row.toString());
        }
        final long packets = tsharks.values().stream().mapToLong(v -> v[0] + v[1]).sum();
        final String text = Cli.run("read", pcap.toString()).out;
        assertTrue(text.contains("checksums     0 verified, " + packets + " offloaded (filled by the NIC after "
            + "capture), 0 bad"), text);

        // Zeek's behaviour, asked for: every unfilled checksum is bad, and standard error says which option reads it.
        final Cli verify = Cli.run("read", pcap.toString(), "--format", "zeek", "--checksums", "verify");
        assertTrue(verify.err.contains("hold the value a sending host leaves for its NIC to fill in")
            && verify.err.contains("--checksums offload"), verify.err);

        // A copy with wrong checksums in some packets: exactly those are left out and marked.
        final Path corrupt = tmp.resolve("corrupt.pcap");
        final Map<String, long[]> spoiled = spoil(pcap, corrupt);
        final Cli bad = Cli.run("read", corrupt.toString(), "--format", "zeek");
        assertEquals(0, bad.exitCode, bad.err);
        final long spoiledPackets = spoiled.values().stream().mapToLong(v -> v[0] + v[1]).sum();
        assertTrue(bad.err.startsWith("flowdemux: warning: " + spoiledPackets + " of " + packets
            + " packets with a checksum"), bad.err);
        final Map<String, Map<String, String>> after = byConversation(bad.out);
        assertEquals(tsharks.keySet(), after.keySet());
        for (final Map.Entry<String, long[]> e : tsharks.entrySet())
        {
            final Map<String, String> row = after.get(e.getKey());
            final long[] all = countsByDirection(row, e.getValue(), e.getKey());
            final long[] lost = countsByDirection(row, spoiled.getOrDefault(e.getKey(), new long[2]), e.getKey());
            assertEquals(all[0] - lost[0], Long.parseLong(row.get("orig_pkts")), e.getKey() + " orig_pkts " + row);
            assertEquals(all[1] - lost[1], Long.parseLong(row.get("resp_pkts")), e.getKey() + " resp_pkts " + row);
            final String history = row.get("history");
            assertEquals(lost[0] > 0, history.contains("C"), e.getKey() + " " + history);
            assertEquals(lost[1] > 0, history.contains("c"), e.getKey() + " " + history);
        }
        final String badText = Cli.run("read", corrupt.toString()).out;
        assertTrue(badText.contains(", " + (packets - spoiledPackets) + " offloaded (filled by the NIC after "
            + "capture), " + spoiledPackets + " bad"), badText);
    }

    /**
     * Per conversation ("proto a/port b/port", endpoints sorted), frames from the lower endpoint and from the
     * higher one, as tshark decodes the file.
     */
    private static Map<String, long[]> tsharkConversations(final String tshark, final Path pcap) throws Exception
    {
        final Process p = new ProcessBuilder(tshark, "-n", "-r", pcap.toString(), "-T", "fields", "-E", "separator=/t",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "tcp.dstport",
            "-e", "udp.srcport", "-e", "udp.dstport").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark");
        final Map<String, long[]> conv = new TreeMap<>();
        for (final String line : out.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] f = line.split("\t", -1);
            final boolean tcp = !f[4].isEmpty();
            final String src = normal(f[0] + f[1]) + "/" + (tcp ? f[4] : f[6]);
            final String dst = normal(f[2] + f[3]) + "/" + (tcp ? f[5] : f[7]);
            add(conv, tcp ? "tcp " : "udp ", src, dst);
        }
        return conv;
    }

    private static void add(final Map<String, long[]> conv, final String proto, final String src, final String dst)
    {
        final boolean forward = src.compareTo(dst) < 0;
        conv.computeIfAbsent(proto + (forward ? src + " " + dst : dst + " " + src), k -> new long[2])[forward ? 0 : 1]++;
    }

    private static String normal(final String address) throws IOException
    {
        return InetAddress.getByName(address).getHostAddress();
    }

    /** flowdemux's conn.log rows by the same key as {@link #tsharkConversations}. */
    private static Map<String, Map<String, String>> byConversation(final String log) throws IOException
    {
        final Map<String, Map<String, String>> rows = new TreeMap<>();
        String[] fields = null;
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#fields\t"))
            {
                fields = line.substring(8).split("\t");
                continue;
            }
            if (line.startsWith("#") || line.isBlank() || fields == null)
            {
                continue;
            }
            final String[] v = line.split("\t", -1);
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < fields.length; i++)
            {
                row.put(fields[i], v[i]);
            }
            final String a = normal(row.get("id.orig_h")) + "/" + row.get("id.orig_p");
            final String b = normal(row.get("id.resp_h")) + "/" + row.get("id.resp_p");
            rows.put(row.get("proto") + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a), row);
        }
        return rows;
    }

    /** {from the originator, from the responder} out of {from the lower endpoint, from the higher one}. */
    private static long[] countsByDirection(final Map<String, String> row, final long[] byEndpoint, final String key)
        throws IOException
    {
        final String orig = normal(row.get("id.orig_h")) + "/" + row.get("id.orig_p");
        final boolean origIsLower = key.split(" ")[1].equals(orig);
        return origIsLower ? byEndpoint : new long[] {byEndpoint[1], byEndpoint[0]};
    }

    /**
     * Copies a classic pcap of Ethernet frames, setting a wrong TCP/UDP checksum (neither the right one nor the
     * unfilled pseudo-header sum, which is what {@code lo} leaves) in every TCP packet that carries data from the
     * lower endpoint and every fourth one from the other side, and in the first UDP datagram of each exchange.
     * Returns the packets spoiled per conversation, keyed as {@link #tsharkConversations}.
     */
    private static Map<String, long[]> spoil(final Path from, final Path to) throws IOException
    {
        final byte[] b = Files.readAllBytes(from);
        final ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(le.getInt(0) == 0xa1b2c3d4 || le.getInt(0) == 0xa1b23c4d, "a little-endian pcap");
        assertEquals(1, le.getInt(20), "Ethernet");
        final Map<String, long[]> spoiled = new TreeMap<>();
        final Map<String, Integer> seen = new HashMap<>();
        for (int rec = 24; rec + 16 <= b.length; rec += 16 + le.getInt(rec + 8))
        {
            final int frame = rec + 16;
            final int etherType = u16(b, frame + 12);
            final int ip = frame + 14;
            final boolean v6 = etherType == 0x86DD;
            final int proto = v6 ? b[ip + 6] & 0xFF : b[ip + 9] & 0xFF;
            final int t = ip + (v6 ? 40 : (b[ip] & 0x0F) * 4);
            final int ipLength = v6 ? 40 + u16(b, ip + 4) : u16(b, ip + 2);
            final String src = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, v6 ? ip + 8 : ip + 12,
                v6 ? ip + 24 : ip + 16)).getHostAddress() + "/" + u16(b, t);
            final String dst = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, v6 ? ip + 24 : ip + 16,
                v6 ? ip + 40 : ip + 20)).getHostAddress() + "/" + u16(b, t + 2);
            final int checksumAt;
            final boolean take;
            final String key;
            if (proto == 6)
            {
                final int payload = ip + ipLength - (t + ((b[t + 12] & 0xF0) >>> 4) * 4);
                key = "tcp " + (src.compareTo(dst) < 0 ? src + " " + dst : dst + " " + src);
                final int n = seen.merge(key + " " + src, 1, Integer::sum);
                take = src.compareTo(dst) < 0 ? payload > 0 : n % 4 == 0;
                checksumAt = t + 16;
            }
            else if (proto == 17)
            {
                key = "udp " + (src.compareTo(dst) < 0 ? src + " " + dst : dst + " " + src);
                take = seen.merge(key, 1, Integer::sum) == 1;
                checksumAt = t + 6;
            }
            else
            {
                continue;
            }
            if (take)
            {
                // lo leaves the pseudo-header sum; flipping bits keeps it from being that or the right value.
                final int wrong = u16(b, checksumAt) ^ 0x5A5A;
                b[checksumAt] = (byte)(wrong >>> 8);
                b[checksumAt + 1] = (byte)wrong;
                add(spoiled, key.substring(0, 4), src, dst);
            }
        }
        Files.write(to, b);
        return spoiled;
    }

    private static int u16(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static void request(final InetAddress host, final int port) throws IOException
    {
        try (Socket s = new Socket(host, port))
        {
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.getInputStream().readAllBytes();
        }
    }

    private static void exchange(final InetAddress host, final int port) throws IOException
    {
        try (DatagramSocket client = new DatagramSocket(0, host))
        {
            client.setSoTimeout(2000);
            for (int i = 0; i < 2; i++)
            {
                client.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, host, port));
                client.receive(new DatagramPacket(new byte[64], 64));
            }
        }
    }

}
