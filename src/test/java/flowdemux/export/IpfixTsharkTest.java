package flowdemux.export;

import flowdemux.Cli;
import flowdemux.ConnLogRows;
import flowdemux.Corpus;
import flowdemux.Tools;
import flowdemux.cli.Main;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wireshark's IPFIX dissector (tshark) reads what flowdemux exports: the datagrams a loopback UDP socket received are
 * saved as a capture and decoded with {@code -d udp.port==PORT,cflow}; every message parses with no malformed field
 * or expert warning, carries a data record per connection, and flowdemux's enterprise elements carry each
 * connection's conn_state, history and missed bytes of the conn.log, found by its uid. Over TCP, one stream: the
 * templates come once, and the messages hold every connection.
 */
class IpfixTsharkTest
{
    private static final int PORT = 4739;

    @Test
    void tsharkDecodesEveryRecordWithZeeksFields(@TempDir final Path tmp) throws Exception
    {
        final String tshark = Tools.require("tshark", "tshark");
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "500", "--ipv6", "30", "-o", generated.toString(), "--summary",
            tmp.resolve("gen.json").toString()).exitCode);
        final Path icmp6 = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        final List<byte[]> messages = new ArrayList<>();
        final Cli read;
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            collector.setSoTimeout(1000);
            collector.setReceiveBufferSize(8 << 20);
            read = Cli.run("read", generated.toString(), "samples/mixed.pcapng", icmp6.toString(), "--ipfix",
                "127.0.0.1:" + collector.getLocalPort(), "--ipfix-template-messages", "3", "--format", "zeek", "-o",
                tmp.resolve("conn.log").toString());
            messages.addAll(received(collector));
            for (final byte[] m : messages)
            {
                assertTrue(m.length <= 1400, "a message within the MTU: " + m.length);
            }
        }
        assertEquals(0, read.exitCode, read.err);
        final Map<String, String[]> conns = connLog(Files.readString(tmp.resolve("conn.log")));
        assertTrue(conns.size() > 500, "connections: " + conns.size());

        final Path pcap = saved(tmp, messages);
        final String out = tshark(tshark, pcap, "-V");
        assertTrue(!out.contains("Malformed") && !out.contains("Expert Info"), "no malformed field, no warning");
        final java.util.regex.Pattern entry = java.util.regex.Pattern.compile(
            "Enterprise Private entry: \\(Example Enterprise Number for Documentation Use\\) Type (\\d+): Value "
            + "\\(hex bytes\\): ([0-9a-f ]*)");
        int templatesSeen = 0;
        int records = 0;
        final Map<String, String[]> decoded = new HashMap<>();
        for (final String frame : out.split("\nFrame "))
        {
            if (frame.contains("(Data Template): 256,257,258,259"))
            {
                templatesSeen++;
            }
            final String[] flows = frame.split("\n\\s+Flow \\d+\n");
            for (int f = 1; f < flows.length; f++)
            {
                final Map<Integer, String> values = new HashMap<>();
                final java.util.regex.Matcher m = entry.matcher(flows[f]);
                while (m.find())
                {
                    values.put(Integer.parseInt(m.group(1)), m.group(2).trim());
                }
                // An empty history is "-" in the conn.log and an empty string in IPFIX.
                final String history = ascii(values.getOrDefault(2, ""));
                decoded.put(ascii(values.get(8)), new String[] {ascii(values.get(1)), history.isEmpty() ? "-" : history,
                    String.valueOf(Long.parseUnsignedLong(values.get(5).replace(" ", ""), 16))});
                records++;
            }
        }
        System.out.printf("tshark: %d messages, %d records decoded, templates in %d of them%n", messages.size(),
            records, templatesSeen);
        assertEquals(conns.size(), records, "a record per connection");
        assertTrue(templatesSeen >= Math.min(messages.size(), 1 + (messages.size() - 1) / 3),
            "templates again every 3 messages");
        for (final Map.Entry<String, String[]> c : conns.entrySet())
        {
            final String[] d = decoded.get(c.getKey());
            assertTrue(d != null, "uid " + c.getKey() + " exported");
            assertEquals(List.of(c.getValue()), List.of(d), "conn_state, history, missed_bytes of " + c.getKey());
        }
    }

    @Test
    void overTcpTheTemplatesComeOnceAndEveryConnectionFollows(@TempDir final Path tmp) throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            final List<ByteBuffer> messages = new ArrayList<>();
            final Thread reader = new Thread(() ->
            {
                try (Socket s = server.accept(); DataInputStream in = new DataInputStream(s.getInputStream()))
                {
                    while (true)
                    {
                        final byte[] header = new byte[16];
                        in.readFully(header);
                        final int length = ByteBuffer.wrap(header).getShort(2) & 0xffff;
                        final byte[] m = new byte[length];
                        System.arraycopy(header, 0, m, 0, 16);
                        in.readFully(m, 16, length - 16);
                        messages.add(ByteBuffer.wrap(m));
                    }
                }
                catch (EOFException e)
                {
                    // the exporter closed the stream
                }
                catch (IOException e)
                {
                    throw new IllegalStateException(e);
                }
            });
            reader.start();
            final Cli read = Cli.run("read", "samples/mixed.pcapng", "--ipfix", "tcp://127.0.0.1:"
                + server.getLocalPort(), "--ipfix-domain", "77", "--format", "zeek", "-o",
                tmp.resolve("conn.log").toString());
            reader.join(10_000);
            assertEquals(0, read.exitCode, read.err);
            final int connections = connLog(Files.readString(tmp.resolve("conn.log"))).size();
            int templateSets = 0;
            long sequence = 0;
            int records = 0;
            for (final ByteBuffer m : messages)
            {
                assertEquals(10, m.getShort(0));
                assertEquals(77, m.getInt(12), "observation domain");
                assertEquals(sequence, m.getInt(8) & 0xffffffffL, "sequence counts the records sent before");
                for (int at = 16; at < m.limit(); )
                {
                    final int set = m.getShort(at) & 0xffff;
                    final int length = m.getShort(at + 2) & 0xffff;
                    assertTrue(length >= 4 && at + length <= m.limit(), "set inside its message");
                    if (set == 2)
                    {
                        templateSets++;
                    }
                    else
                    {
                        assertTrue(set >= 256 && set <= 259, "data set of a template: " + set);
                        final int n = recordsIn(m, at + 4, at + length, set);
                        records += n;
                        sequence += n;
                    }
                    at += length;
                }
            }
            assertEquals(1, templateSets, "templates once per TCP connection");
            assertEquals(connections, records);
        }
    }

    @Test
    void theTunnelsAroundAConnectionTravelWithItsRecord(@TempDir final Path tmp) throws Exception
    {
        final String tshark = Tools.require("tshark", "tshark");
        final List<String> inputs = List.of(Corpus.root().resolve("zeek/vxlan.pcap").toString(),
            Corpus.root().resolve("zeek-tunnels/gtp-inner-ipv6.pcap").toString(),
            Corpus.root().resolve("zeek-tunnels/gre-sample.pcap").toString(),
            Corpus.root().resolve("zeek-tunnels/geneve.pcap").toString());
        final List<byte[]> messages = new ArrayList<>();
        final List<String> args = new ArrayList<>(List.of("read"));
        args.addAll(inputs);
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            collector.setSoTimeout(1000);
            args.addAll(List.of("--ipfix", "127.0.0.1:" + collector.getLocalPort(), "--format", "jsonl", "-o",
                tmp.resolve("conns.jsonl").toString()));
            final Cli read = Cli.run(args.toArray(new String[0]));
            assertEquals(0, read.exitCode, read.err);
            messages.addAll(received(collector));
        }
        // What JSON lines say of each connection's tunnels: uid -> {parents, type, id}.
        final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        final Map<String, List<String>> expected = new HashMap<>();
        int inside = 0;
        for (final String line : Files.readAllLines(tmp.resolve("conns.jsonl")))
        {
            final com.fasterxml.jackson.databind.JsonNode c = json.readTree(line);
            final List<String> parents = new ArrayList<>();
            c.path("tunnel_parents").forEach(u -> parents.add(u.asText()));
            final com.fasterxml.jackson.databind.JsonNode t = c.path("tunnel");
            final String type = t.isMissingNode() ? "" : "Tunnel::" + t.path("type").asText().toUpperCase(
                java.util.Locale.ROOT).replace("GTPV1", "GTPv1");
            final long id = t.path("id").isNumber() ? t.path("id").asLong() : -1;
            final long segment = "Tunnel::VXLAN".equals(type) && id >= 0 ? 1L << 56 | id : 0;
            expected.put(c.path("uid").asText(), List.of(String.join(",", parents), type, Long.toString(id),
                Long.toString(segment)));
            inside += parents.isEmpty() ? 0 : 1;
        }
        assertTrue(inside >= 6, "connections inside tunnels: " + inside);

        final Path pcap = saved(tmp, messages);
        final String out = tshark(tshark, pcap, "-V");
        assertTrue(!out.contains("Malformed") && !out.contains("Expert Info"), "no malformed field, no warning");
        // tshark names IANA's layer2SegmentId, one a record, in the order of the messages; the strings are walked
        // here (-V shortens long byte strings and -T fields leaves out empty ones).
        final String table = tshark(tshark, pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;", "-e",
            "cflow.layer2_segment_id");
        final List<String> segments = new ArrayList<>();
        for (final String frame : table.split("\n"))
        {
            segments.addAll(List.of(frame.split(";")));
        }
        final Map<String, List<String>> decoded = new HashMap<>();
        for (final byte[] message : messages)
        {
            final ByteBuffer m = ByteBuffer.wrap(message);
            for (int at = 16; at < m.limit(); )
            {
                final int set = m.getShort(at) & 0xffff;
                final int length = m.getShort(at + 2) & 0xffff;
                if (set >= 256)
                {
                    for (int r = at + 4; r < at + length; )
                    {
                        final List<String> strings = new ArrayList<>();
                        r = readStrings(m, r + fixedLength(set), 3, strings);
                        final long tunnelId = m.getLong(r + 8);
                        r = readStrings(m, r + 16, 2, strings);
                        decoded.put(strings.get(2), List.of(strings.get(4), strings.get(3),
                            Long.toString(tunnelId), segments.get(decoded.size())));
                    }
                }
                at += length;
            }
        }
        assertEquals(segments.size(), decoded.size(), "tshark's records are the records walked");
        System.out.printf("tshark: %d records, %d inside tunnels%n", decoded.size(), inside);
        assertEquals(expected, decoded, "tunnel_parents, tunnel type, tunnel id and VXLAN segment of every record");
    }

    /** Counts records in a data set by walking their fields (the variable-length strings at the end). */
    private static int recordsIn(final ByteBuffer m, final int from, final int to, final int template)
    {
        final int fixed = fixedLength(template);
        int n = 0;
        for (int at = from; at < to; n++)
        {
            at += fixed;
            at = skipStrings(m, at, 3) + 16;
            at = skipStrings(m, at, 2);
            assertTrue(at <= to, "record inside its set");
        }
        return n;
    }

    /** The bytes of a record before its first string. */
    private static int fixedLength(final int template)
    {
        return switch (template)
        {
            case 256 -> 4 + 4 + 2 + 2;
            case 257 -> 16 + 16 + 2 + 2;
            case 258 -> 4 + 4 + 2;
            default -> 16 + 16 + 2;
        } + 1 + 2 + 8 * 4 + 8 * 4 + 2 + 8 * 5;
    }

    private static int readStrings(final ByteBuffer m, final int from, final int strings, final List<String> into)
    {
        int at = from;
        for (int s = 0; s < strings; s++)
        {
            final int len = m.get(at) & 0xff;
            final int n = len < 255 ? len : m.getShort(at + 1) & 0xffff;
            at += len < 255 ? 1 : 3;
            into.add(new String(m.array(), at, n, StandardCharsets.US_ASCII));
            at += n;
        }
        return at;
    }

    private static int skipStrings(final ByteBuffer m, final int from, final int strings)
    {
        int at = from;
        for (int s = 0; s < strings; s++)
        {
            final int len = m.get(at) & 0xff;
            at += len < 255 ? 1 + len : 3 + (m.getShort(at + 1) & 0xffff);
        }
        return at;
    }

    /** uid -> {conn_state, history, missed_bytes}. */
    private static Map<String, String[]> connLog(final String log)
    {
        final Map<String, String[]> rows = new HashMap<>();
        for (final Map<String, String> r : ConnLogRows.parse(log))
        {
            rows.put(r.get("uid"), new String[] {r.get("conn_state"), r.get("history"), r.get("missed_bytes")});
        }
        return rows;
    }

    private static String ascii(final String hex)
    {
        final String h = hex.replace(":", "").replace(" ", "");
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i + 1 < h.length(); i += 2)
        {
            b.write(Integer.parseInt(h.substring(i, i + 2), 16));
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** The datagrams the collector received, until a second passes without one. */
    private static List<byte[]> received(final DatagramSocket collector) throws IOException
    {
        final List<byte[]> messages = new ArrayList<>();
        while (true)
        {
            final DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
            try
            {
                collector.receive(p);
            }
            catch (SocketTimeoutException e)
            {
                return messages;
            }
            messages.add(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    /** The messages as a capture of UDP datagrams to the IPFIX port, for tshark. */
    private static Path saved(final Path tmp, final List<byte[]> messages) throws IOException
    {
        final Path pcap = tmp.resolve("ipfix.pcap");
        try (OutputStream os = Files.newOutputStream(pcap))
        {
            final PcapWriter w = new PcapWriter(os, 1, false);
            long t = 1_700_000_000_000_000_000L;
            for (final byte[] m : messages)
            {
                final byte[] frame = udpFrame(m);
                w.writeCaptured(t, frame, 0, frame.length, frame.length);
                t += 1_000_000;
            }
            w.close();
        }
        return pcap;
    }

    /** What tshark prints of the capture, the IPFIX port decoded as IPFIX. */
    private static String tshark(final String tshark, final Path pcap, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(tshark, "-r", pcap.toString(), "-d",
            "udp.port==" + PORT + ",cflow"));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    /** Ethernet, IPv4 127.0.0.1 -> 127.0.0.1, UDP to the IPFIX port. */
    private static byte[] udpFrame(final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        b.put(new byte[12]).putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)(20 + 8 + payload.length)).putShort((short)0).putShort((short)0)
            .put((byte)64).put((byte)17).putShort((short)0).putInt(0x7f000001).putInt(0x7f000001);
        b.putShort((short)40000).putShort((short)PORT).putShort((short)(8 + payload.length)).putShort((short)0);
        b.put(payload);
        return b.array();
    }
}
