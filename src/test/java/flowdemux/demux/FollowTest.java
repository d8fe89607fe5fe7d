package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * follow on connections crafted with the bytes expected by construction: retransmissions, an overlap with other
 * content (the first seen wins, as in Zeek), segments out of order, a segment never captured (a gap), a snapped
 * segment, data on both sides, UDP datagrams.
 */
class FollowTest
{
    private static final byte[] CLIENT = PacketBuilder.ipv4("10.1.0.1");
    private static final byte[] SERVER = PacketBuilder.ipv4("10.1.0.2");
    private static final int S = 0x02;
    private static final int A = 0x10;
    private static final int P = 0x08;
    private static final int F = 0x01;
    private static final long CISN = 4_294_967_000L; // wraps inside the stream
    private static final long SISN = 77_000L;

    /** Writes a capture; each packet is one segment with the payload given, from the client or the server. */
    private static final class Script implements AutoCloseable
    {
        final PacketBuilder b = new PacketBuilder();
        final PcapWriter w;
        final OutputStream out;
        long t = 1_700_000_000_000_000_000L;
        /** What the next segments acknowledge of the other side's stream (offsets). */
        long clientAcks;
        long serverAcks;

        Script(final Path file) throws Exception
        {
            out = Files.newOutputStream(file);
            w = new PcapWriter(out, 1, true);
        }

        void client(final long offset, final int flags, final String payload) throws Exception
        {
            segment(true, offset, flags, payload, Integer.MAX_VALUE);
        }

        void server(final long offset, final int flags, final String payload) throws Exception
        {
            segment(false, offset, flags, payload, Integer.MAX_VALUE);
        }

        void segment(final boolean fromClient, final long offset, final int flags, final String payload,
            final int snap) throws Exception
        {
            final byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
            final long seq = ((fromClient ? CISN : SISN) + 1 + offset) & 0xFFFF_FFFFL;
            b.payload(p);
            if (fromClient)
            {
                b.tcp(CLIENT, 40000, SERVER, 8080, seq, SISN + 1 + clientAcks, flags, 1000, null, p.length);
            }
            else
            {
                b.tcp(SERVER, 8080, CLIENT, 40000, seq, (CISN + 1 + serverAcks) & 0xFFFF_FFFFL, flags, 1000, null,
                    p.length);
            }
            t += 1_000_000;
            if (snap < b.length())
            {
                w.writeCaptured(t, b.frame(), 0, snap, b.length());
            }
            else
            {
                w.write(t, b.frame(), b.length(), 0);
            }
        }

        void handshake() throws Exception
        {
            b.tcp(CLIENT, 40000, SERVER, 8080, CISN, 0, S, 1000, null, 0);
            w.write(t += 1_000_000, b.frame(), b.length(), 0);
            b.tcp(SERVER, 8080, CLIENT, 40000, SISN, CISN + 1, S | A, 1000, null, 0);
            w.write(t += 1_000_000, b.frame(), b.length(), 0);
            client(0, A, "");
        }

        @Override
        public void close() throws java.io.IOException
        {
            w.flush();
            out.close();
        }
    }

    private static String uidOf(final Path capture, final String proto)
    {
        return Cli.run("read", capture.toString(), "--format", "zeek").out.lines().filter(l -> !l.startsWith("#"))
            .filter(l -> l.split("\t")[6].equals(proto)).findFirst().orElseThrow().split("\t")[1];
    }

    @Test
    void reordersRetransmissionsOverlapsAndGapsAsZeek(@TempDir final Path tmp) throws Exception
    {
        final Path capture = tmp.resolve("crafted.pcap");
        try (Script s = new Script(capture))
        {
            s.handshake();
            s.client(0, A | P, "GET /a HTTP/1.1\r\n");            // 0..17
            s.client(0, A | P, "GET /a HTTP/1.1\r\n");            // retransmitted whole: once
            s.client(13, A | P, "XXXXHost: h\r\n");               // 13..26: 4 bytes overlap with other content
            s.client(40, A | P, "after-the-gap");                 // 40..53, before 26..40 comes
            s.client(26, A | P, "X-Late: 1\r\n");                 // 26..37; 37..40 never captured
            s.server(0, A | P, "HTTP/1.1 200 OK\r\n\r\n");        // 0..19
            s.segment(false, 19, A | P, "body-cut-by-snaplen", 14 + 20 + 20 + 4); // 4 of 19 bytes captured
            s.server(38, A | P, "end");                           // after the snapped segment
            s.clientAcks = 41; // the ends acknowledge the holes: Zeek counts them as missed_bytes
            s.serverAcks = 54;
            s.client(53, A | F, "");
            s.server(41, A | F, "");
        }
        final String uid = uidOf(capture, "tcp");
        final Path dir = tmp.resolve("out");
        final Cli r = Cli.run("follow", capture.toString(), "--uid", uid, "-o", dir.toString());
        assertEquals(0, r.exitCode, r.err);
        assertEquals("GET /a HTTP/1.1\r\nHost: h\r\nX-Late: 1\r\nafter-the-gap",
            Files.readString(dir.resolve(uid + ".orig"), StandardCharsets.ISO_8859_1));
        assertEquals("HTTP/1.1 200 OK\r\n\r\nbodyend",
            Files.readString(dir.resolve(uid + ".resp"), StandardCharsets.ISO_8859_1));
        assertEquals(List.of("side\toffset\tlength", "resp\t23\t15", "orig\t37\t3"),
            Files.readAllLines(dir.resolve(uid + ".gaps.tsv")));
        assertTrue(r.err.contains("orig 50 bytes, 3 missing; resp 26 bytes, 15 missing"), r.err);
        // The conn.log counts the same holes, and as Zeek the snapped segment whole (its 4 captured bytes too: Zeek
        // does not deliver a truncated payload), where follow keeps what was captured.
        final String row = Cli.run("read", capture.toString(), "--format", "zeek").out.lines()
            .filter(l -> l.contains(uid)).findFirst().orElseThrow();
        assertEquals(String.valueOf(3 + 15 + 4), row.split("\t")[14], "missed_bytes of " + row);

        // On a terminal: both sides in the order sent, the gap on its own line, bytes escaped.
        final Cli text = Cli.run("follow", capture.toString(), "--uid", uid);
        assertEquals(0, text.exitCode, text.err);
        assertTrue(text.out.startsWith("tcp 10.1.0.1:40000 -> 10.1.0.2:8080\n>>> orig, from byte 0 at "), text.out);
        assertTrue(text.out.contains("GET /a HTTP/1.1\nHost: h\nX-Late: 1\n"), text.out);
        assertTrue(text.out.contains("[orig: 3 bytes missing from byte 37]\n"), text.out);
        // the bytes after a hole wait for it; given up at the end, they come after the responder's
        assertTrue(text.out.indexOf("<<< resp") < text.out.indexOf("after-the-gap"), text.out);
        assertTrue(text.out.contains("[resp: 15 bytes missing from byte 23]\n"), text.out);

        // One side, at most 10 bytes of it.
        final Path one = tmp.resolve("one");
        final Cli side = Cli.run("follow", capture.toString(), "--uid", uid, "-o", one.toString(), "--side", "resp",
            "--max-bytes", "10");
        assertEquals(0, side.exitCode, side.err);
        assertEquals("HTTP/1.1 2", Files.readString(one.resolve(uid + ".resp")));
        assertFalse(Files.exists(one.resolve(uid + ".orig")));
        assertTrue(side.err.contains("resp 10 bytes, 15 missing, 16 past --max-bytes"), side.err);
    }

    @Test
    void udpIsEachDatagramInOrderAndBinaryIsEscaped(@TempDir final Path tmp) throws Exception
    {
        final Path capture = tmp.resolve("udp.pcap");
        final PacketBuilder b = new PacketBuilder();
        try (OutputStream out = Files.newOutputStream(capture))
        {
            final PcapWriter w = new PcapWriter(out, 1, true);
            long t = 1_700_000_000_000_000_000L;
            final String[] payloads = {"ping\\1", "\u0000\u00ff\r", "pong"};
            for (int i = 0; i < payloads.length; i++)
            {
                final byte[] p = payloads[i].getBytes(StandardCharsets.ISO_8859_1);
                b.payload(p);
                if (i == 2)
                {
                    b.udp(SERVER, 9999, CLIENT, 40001, p.length);
                }
                else
                {
                    b.udp(CLIENT, 40001, SERVER, 9999, p.length);
                }
                w.write(t += 1_000_000, b.frame(), b.length(), 0);
            }
            w.flush();
        }
        final String uid = uidOf(capture, "udp");
        final Path dir = tmp.resolve("out");
        assertEquals(0, Cli.run("follow", capture.toString(), "--uid", uid, "-o", dir.toString()).exitCode);
        assertArrayEquals("ping\\1\u0000\u00ff\r".getBytes(StandardCharsets.ISO_8859_1),
            Files.readAllBytes(dir.resolve(uid + ".orig")));
        assertEquals("pong", Files.readString(dir.resolve(uid + ".resp")));
        final Cli text = Cli.run("follow", capture.toString(), "--uid", uid);
        assertTrue(text.out.contains("ping\\\\1\\x00\\xff\\x0d\n<<< resp"), text.out);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "IPv6 {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aDatagramInIpFragmentsIsItsBytesPutBackTogether(final boolean v6, @TempDir final Path tmp) throws Exception
    {
        // A 1,000-byte UDP payload in three IPv4 fragments, out of order (the last first), beside a whole datagram
        // of another connection's fragments left incomplete; then a small datagram on the same connection.
        final Path capture = tmp.resolve("frag.pcap");
        final PacketBuilder b = new PacketBuilder();
        final byte[] payload = new byte[1000];
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)('a' + i % 26);
        }
        b.payload(payload);
        final byte[] client = v6 ? PacketBuilder.ipv6(0x20010db8_00000000L, 1) : CLIENT;
        final byte[] server = v6 ? PacketBuilder.ipv6(0x20010db8_00000000L, 2) : SERVER;
        final byte[] whole = b.udp(client, 40002, server, 53, payload.length).copy();
        final byte[] other = new PacketBuilder().udp(server, 5000, client, 6000, 900).copy();
        final java.util.function.Function<int[], byte[]> cut = p -> v6
            ? flowdemux.Captures.ipv6Fragment(p[3] == 0 ? whole : other, p[0], p[1], p[2] == 1)
            : flowdemux.Captures.ipv4Fragment(p[3] == 0 ? whole : other, p[0], p[1], p[2] == 1);
        try (OutputStream out = Files.newOutputStream(capture))
        {
            final PcapWriter w = new PcapWriter(out, 1, true);
            long t = 1_700_000_000_000_000_000L;
            final byte[][] frames = {cut.apply(new int[] {800, 208, 0, 0}), cut.apply(new int[] {0, 400, 1, 1}),
                cut.apply(new int[] {0, 400, 1, 0}), cut.apply(new int[] {400, 400, 1, 0})};
            for (final byte[] f : frames)
            {
                w.write(t += 1_000_000, f, f.length, 0);
            }
            b.payload("tail".getBytes(StandardCharsets.ISO_8859_1));
            b.udp(client, 40002, server, 53, 4);
            w.write(t += 1_000_000, b.frame(), b.length(), 0);
            w.flush();
        }
        final String uid = uidOf(capture, "udp");
        final Path dir = tmp.resolve("out");
        final Cli r = Cli.run("follow", capture.toString(), "--uid", uid, "-o", dir.toString());
        assertEquals(0, r.exitCode, r.err);
        final byte[] expected = new byte[1004];
        System.arraycopy(payload, 0, expected, 0, 1000);
        System.arraycopy("tail".getBytes(StandardCharsets.ISO_8859_1), 0, expected, 1000, 4);
        assertArrayEquals(expected, Files.readAllBytes(dir.resolve(uid + ".orig")));
        assertEquals(1, Files.readAllLines(dir.resolve(uid + ".gaps.tsv")).size(), "no gap, only the header");
    }

    @Test
    void aUidNotInTheInputWritesNothing(@TempDir final Path tmp) throws Exception
    {
        final Path dir = tmp.resolve("out");
        final Cli r = Cli.run("follow", "samples/three-tabs.pcap", "--uid", "CAAAAAAAAAAAAAAAAA", "-o", dir.toString());
        assertEquals(2, r.exitCode);
        assertTrue(r.err.contains("uid CAAAAAAAAAAAAAAAAA is not in this input"), r.err);
        try (var files = Files.list(dir))
        {
            assertEquals(List.of(), files.toList());
        }
        assertEquals(1, Cli.run("follow", "samples/three-tabs.pcap", "--uid", "x").exitCode);
        assertEquals(1, Cli.run("follow", "samples/three-tabs.pcap", "--uid", "CAAAAAAAAAAAAAAAAA", "--side", "up")
            .exitCode);
    }
}
