package flowdemux.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser's ClientHello of today (GREASE, a post-quantum key share: about 1.8 KB, two segments or more) read whole
 * however it was cut: at every extension boundary, so that the server name and ALPN sit in either segment; in three
 * segments whose last comes before the middle, with retransmissions among them. (A segment that comes before the
 * hello's first is not followed: the reader cannot know yet that it continues a hello.) Its JA4 and JA3 are computed here from the
 * lists the hello was built from, as FoxIO's and Salesforce's specifications say, not by the code under test.
 */
class ClientHelloSegmentsTest
{
    private static final byte[] CLIENT = PacketBuilder.ipv4("10.7.0.1");
    private static final byte[] SERVER = PacketBuilder.ipv4("10.7.0.2");
    private static final int[] CIPHERS = {0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
        0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    private static final int[] SIGNATURES = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    private static final int[] GROUPS = {0x4a4a, 0x11ec, 0x001d, 0x0017, 0x0018};
    static final String SNI = "www.example.org";

    /** The extensions in the order sent (shuffled as Chrome does), each {type, data...}. */
    private static List<byte[]> extensions()
    {
        final List<byte[]> e = new ArrayList<>();
        e.add(ext(0x1a1a, new byte[0]));
        e.add(ext(0x0033, keyShare()));
        e.add(ext(0x002d, new byte[] {1, 1}));
        final byte[] name = SNI.getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream sni = new ByteArrayOutputStream();
        u16(sni, name.length + 3);
        sni.write(0);
        u16(sni, name.length);
        sni.writeBytes(name);
        e.add(ext(0x0000, sni.toByteArray()));
        e.add(ext(0x000d, list16(SIGNATURES)));
        e.add(ext(0x0010, new byte[] {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}));
        e.add(ext(0x000a, list16(GROUPS)));
        e.add(ext(0x000b, new byte[] {1, 0}));
        e.add(ext(0x002b, new byte[] {6, 0x2a, 0x2a, 3, 4, 3, 3}));
        e.add(ext(0xff01, new byte[] {0}));
        e.add(ext(0x0017, new byte[0]));
        e.add(ext(0x0023, new byte[0]));
        e.add(ext(0x0005, new byte[] {1, 0, 0, 0, 0}));
        e.add(ext(0x0012, new byte[0]));
        e.add(ext(0x001b, new byte[] {2, 0, 2}));
        e.add(ext(0x44cd, new byte[] {0, 3, 2, 'h', '2'}));
        e.add(ext(0xfe0d, new byte[200]));
        e.add(ext(0x2a2a, new byte[] {0}));
        return e;
    }

    private static byte[] keyShare()
    {
        // X25519MLKEM768 (1216 bytes) and X25519 (32), after a GREASE share.
        final ByteArrayOutputStream shares = new ByteArrayOutputStream();
        u16(shares, 0x4a4a);
        u16(shares, 1);
        shares.write(0);
        u16(shares, 0x11ec);
        u16(shares, 1216);
        shares.writeBytes(new byte[1216]);
        u16(shares, 0x001d);
        u16(shares, 32);
        shares.writeBytes(new byte[32]);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, shares.size());
        out.writeBytes(shares.toByteArray());
        return out.toByteArray();
    }

    /** The record, and where each extension begins in it. */
    static byte[] hello(final List<Integer> boundaries)
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, 0x0303);
        body.writeBytes(new byte[32]);
        body.write(32);
        body.writeBytes(new byte[32]);
        u16(body, CIPHERS.length * 2);
        for (final int c : CIPHERS)
        {
            u16(body, c);
        }
        body.write(1);
        body.write(0);
        final List<byte[]> ext = extensions();
        u16(body, ext.stream().mapToInt(x -> x.length).sum());
        final int head = 5 + 4;
        for (final byte[] x : ext)
        {
            boundaries.add(head + body.size());
            body.writeBytes(x);
        }
        final ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);
        u16(record, 0x0301);
        u16(record, body.size() + 4);
        record.write(1);
        record.write(0);
        u16(record, body.size());
        record.writeBytes(body.toByteArray());
        return record.toByteArray();
    }

    static String expectedJa4() throws Exception
    {
        return expectedJa4('t');
    }

    /** JA4 by the specification from the lists the hello was built from; {@code transport} 't' or 'q'. */
    static String expectedJa4(final char transport) throws Exception
    {
        final List<Integer> types = extensions().stream().map(x -> (x[0] & 0xFF) << 8 | (x[1] & 0xFF))
            .filter(t -> !ClientHello.grease(t)).collect(Collectors.toList());
        final List<Integer> ciphers = Arrays.stream(CIPHERS).filter(c -> !ClientHello.grease(c)).boxed().toList();
        final String a = transport + "13d" + String.format("%02d%02d", ciphers.size(), types.size()) + "h2";
        final String b = sha12(ciphers.stream().sorted().map(ClientHelloSegmentsTest::hex4)
            .collect(Collectors.joining(",")));
        final String c = sha12(types.stream().filter(t -> t != 0 && t != 0x10).sorted().map(ClientHelloSegmentsTest::hex4)
            .collect(Collectors.joining(",")) + "_" + Arrays.stream(SIGNATURES).mapToObj(ClientHelloSegmentsTest::hex4)
            .collect(Collectors.joining(",")));
        return a + "_" + b + "_" + c;
    }

    private static String expectedJa3() throws Exception
    {
        final String ja3 = "771," + Arrays.stream(CIPHERS).filter(c -> !ClientHello.grease(c)).mapToObj(String::valueOf)
            .collect(Collectors.joining("-")) + "," + extensions().stream()
            .map(x -> (x[0] & 0xFF) << 8 | (x[1] & 0xFF)).filter(t -> !ClientHello.grease(t)).map(String::valueOf)
            .collect(Collectors.joining("-")) + "," + Arrays.stream(GROUPS).filter(g -> !ClientHello.grease(g))
            .mapToObj(String::valueOf).collect(Collectors.joining("-")) + ",0";
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(ja3.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theHelloIsReadWholeHoweverItIsCut(@TempDir final Path tmp) throws Exception
    {
        final List<Integer> boundaries = new ArrayList<>();
        final byte[] hello = hello(boundaries);
        assertTrue(hello.length > 1700 && hello.length < 2000, "a post-quantum browser's hello: " + hello.length);
        // Each connection: the client's segments as {offset, length}, in the order they are sent.
        final Map<Integer, int[][]> connections = new TreeMap<>();
        int port = 40_000;
        connections.put(port++, new int[][] {{0, hello.length}});
        for (final int cut : boundaries)
        {
            connections.put(port++, new int[][] {{0, cut}, {cut, hello.length - cut}});
        }
        final int third = hello.length / 3;
        // The last before the middle, the first sent again longer (over the middle's start), the last again.
        connections.put(port++, new int[][] {{0, third}, {2 * third, hello.length - 2 * third}, {0, third + 10},
            {third, third}, {2 * third, hello.length - 2 * third}});
        final Path capture = tmp.resolve("hellos.pcap");
        try (OutputStream out = Files.newOutputStream(capture))
        {
            final PcapWriter w = new PcapWriter(out, 1, false);
            final PacketBuilder p = new PacketBuilder();
            long t = 1_700_000_000_000_000_000L;
            for (final Map.Entry<Integer, int[][]> c : connections.entrySet())
            {
                final int cp = c.getKey();
                final long cs = 1000;
                final long ss = 900_000;
                w.write(t++, p.tcp(CLIENT, cp, SERVER, 443, cs, 0, 0x02, 65535, null, 0).frame(), p.length(), 0);
                w.write(t++, p.tcp(SERVER, 443, CLIENT, cp, ss, cs + 1, 0x12, 65535, null, 0).frame(), p.length(), 0);
                w.write(t++, p.tcp(CLIENT, cp, SERVER, 443, cs + 1, ss + 1, 0x10, 65535, null, 0).frame(), p.length(), 0);
                for (final int[] s : c.getValue())
                {
                    p.payload(Arrays.copyOfRange(hello, s[0], s[0] + s[1]));
                    w.write(t++, p.tcp(CLIENT, cp, SERVER, 443, cs + 1 + s[0], ss + 1, 0x18, 65535, null, s[1]).frame(),
                        p.length(), 0);
                }
                final byte[] serverHello = flowdemux.synth.Payloads.tlsServerHello();
                p.payload(serverHello);
                w.write(t++, p.tcp(SERVER, 443, CLIENT, cp, ss + 1, cs + 1 + hello.length, 0x18, 65535, null,
                    serverHello.length).frame(), p.length(), 0);
                w.write(t++, p.tcp(CLIENT, cp, SERVER, 443, cs + 1 + hello.length, ss + 1 + serverHello.length, 0x11,
                    65535, null, 0).frame(), p.length(), 0);
                w.write(t++, p.tcp(SERVER, 443, CLIENT, cp, ss + 1 + serverHello.length, cs + 2 + hello.length, 0x11,
                    65535, null, 0).frame(), p.length(), 0);
                t += 1_000_000;
            }
            w.close();
        }
        final String ja4 = expectedJa4();
        final String ja3 = expectedJa3();
        for (final String workers : List.of("1", "2"))
        {
            final Path out = tmp.resolve("conns-" + workers + ".jsonl");
            final Cli r = Cli.run("read", capture.toString(), "--workers", workers, "--format", "jsonl", "-o",
                out.toString());
            assertEquals(0, r.exitCode, r.err);
            final Map<Integer, List<String>> got = new TreeMap<>();
            for (final String line : Files.readAllLines(out))
            {
                final JsonNode c = new ObjectMapper().readTree(line);
                final JsonNode d = c.path("service_detail");
                got.put(c.path("orig_p").asInt(), List.of(c.path("service").asText(), d.path("server_name").asText(),
                    d.path("alpn").asText(), d.path("ja4").asText(), d.path("ja3").asText()));
            }
            final Map<Integer, List<String>> want = new TreeMap<>();
            IntStream.range(40_000, port).forEach(cp -> want.put(cp, List.of("ssl", SNI, "h2,http/1.1", ja4, ja3)));
            assertEquals(want, got, "every cut of the hello, " + workers + " worker(s)");
        }
        // conn.log with --zeek-extra: its ja4 and ja3 columns.
        final Cli zeek = Cli.run("read", capture.toString(), "--format", "zeek", "--zeek-extra");
        assertEquals(0, zeek.exitCode, zeek.err);
        int rows = 0;
        int at = -1;
        for (final String line : zeek.out.split("\n"))
        {
            final String[] f = line.split("\t", -1);
            if (line.startsWith("#fields"))
            {
                at = List.of(f).indexOf("ja4") - 1;
                assertEquals("ja3", f[at + 2]);
            }
            else if (!line.startsWith("#") && !line.isEmpty())
            {
                assertEquals(List.of(ja4, ja3), List.of(f[at], f[at + 1]), line);
                rows++;
            }
        }
        assertEquals(port - 40_000, rows);
        // The report groups them: one kind of client, asking for one server name.
        final Cli report = Cli.run("read", capture.toString(), "--format", "json");
        assertEquals(0, report.exitCode, report.err);
        final JsonNode clients = new ObjectMapper().readTree(report.out).path("tls_clients");
        assertEquals(port - 40_000, clients.path("connections").asInt());
        assertEquals(1, clients.path("fingerprints").size());
        final JsonNode c = clients.path("fingerprints").get(0);
        assertEquals(List.of(ja4, String.valueOf(port - 40_000), SNI, String.valueOf(port - 40_000)), List.of(
            c.path("ja4").asText(), c.path("connections").asText(), c.path("server_names").get(0).path("name").asText(),
            c.path("server_names").get(0).path("connections").asText()));
        final String text = Cli.run("read", capture.toString()).out;
        assertTrue(text.contains(ja4 + "       " + (port - 40_000) + " connections, 1 server name: " + SNI), text);
    }

    private static String sha12(final String s) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)))
            .substring(0, 12);
    }

    private static String hex4(final int v)
    {
        return String.format("%04x", v);
    }

    private static byte[] ext(final int type, final byte[] data)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] list16(final int[] values)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, values.length * 2);
        for (final int v : values)
        {
            u16(out, v);
        }
        return out.toByteArray();
    }

    private static void u16(final ByteArrayOutputStream out, final int v)
    {
        out.write(v >>> 8);
        out.write(v & 0xFF);
    }
}
