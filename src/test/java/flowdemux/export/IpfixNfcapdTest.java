package flowdemux.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Corpus;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
    /** ICMP request/reply types Zeek pairs (ICMPv6 as 1000 + type): the responder's "port" is the counterpart. */
    private static final Map<Integer, Integer> COUNTERPART = Map.ofEntries(Map.entry(8, 0), Map.entry(0, 8),
        Map.entry(13, 14), Map.entry(14, 13), Map.entry(15, 16), Map.entry(16, 15), Map.entry(17, 18),
        Map.entry(18, 17), Map.entry(10, 9), Map.entry(9, 10), Map.entry(1128, 129), Map.entry(1129, 128),
        Map.entry(1130, 131), Map.entry(1131, 130), Map.entry(1133, 134), Map.entry(1134, 133), Map.entry(1135, 136),
        Map.entry(1136, 135), Map.entry(1139, 140), Map.entry(1140, 139), Map.entry(1144, 145), Map.entry(1145, 144));

    @Test
    void nfcapdReceivesEveryConnectionOnce(@TempDir final Path tmp) throws Exception
    {
        final String nfcapd = require("nfcapd");
        final String nfdump = require("nfdump");
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, run("generate", "--flows", "3000", "--concurrency", "300", "--ipv6", "30", "-o",
            generated.toString(), "--summary", tmp.resolve("gen.json").toString()).exit);
        final Path icmp4 = Corpus.root().resolve("zeek/communityid-icmp.pcap");
        final Path icmp6 = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        Assumptions.assumeTrue(Files.exists(icmp4) && Files.exists(icmp6) || Boolean.getBoolean(
            "flowdemux.requireCorpus"), "corpus not found");

        final Path store = Files.createDirectories(tmp.resolve("nfcapd"));
        final int port = freeUdpPort();
        final Process collector = new ProcessBuilder(nfcapd, "-w", store.toString(), "-b", "127.0.0.1", "-p",
            String.valueOf(port), "-t", "3600").redirectErrorStream(true).redirectOutput(tmp.resolve("nfcapd.log")
            .toFile()).start();
        final Result read;
        try
        {
            Thread.sleep(500); // nfcapd binds its socket
            read = run("read", generated.toString(), icmp4.toString(), icmp6.toString(), "--ipfix",
                "127.0.0.1:" + port, "--format", "zeek", "-o", tmp.resolve("conn.log").toString());
            Thread.sleep(500);
        }
        finally
        {
            collector.destroy(); // SIGTERM: nfcapd writes its current file
            assertTrue(collector.waitFor(10, TimeUnit.SECONDS));
        }
        assertEquals(0, read.exit, read.err);
        assertTrue(read.err.contains(" 0 dropped"), read.err);

        final TreeMap<String, Integer> expected = fromConnLog(Files.readString(tmp.resolve("conn.log")));
        final TreeMap<String, Integer> exported = fromNfdump(nfdump, store);
        int same = 0;
        for (final Map.Entry<String, Integer> e : expected.entrySet())
        {
            same += Math.min(e.getValue(), exported.getOrDefault(e.getKey(), 0));
        }
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
        assertEquals(0, run("generate", "--flows", "200", "-o", generated.toString(), "--summary",
            tmp.resolve("gen.json").toString()).exit);
        final int port = freeUdpPort();
        final Result read = run("read", generated.toString(), "--ipfix", "127.0.0.1:" + port, "--format", "zeek",
            "-o", tmp.resolve("conn.log").toString());
        assertEquals(Main.EXIT_EXPORT, read.exit, read.err);
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

        final Result unresolvable = run("read", generated.toString(), "--ipfix", "no-such-host.invalid:4739");
        assertEquals(Main.EXIT_INPUT, unresolvable.exit);
        assertEquals("flowdemux: cannot resolve the IPFIX collector no-such-host.invalid", unresolvable.err.trim());
        final Result badTarget = run("read", generated.toString(), "--ipfix", "127.0.0.1:99999");
        assertEquals(Main.EXIT_USAGE, badTarget.exit);
        assertTrue(badTarget.err.contains("the port must be 1 to 65535"), badTarget.err);
    }

    /** "proto src sport dst dport | pkts bytes each way | first last (ms)" of each conn.log row. */
    private static TreeMap<String, Integer> fromConnLog(final String log)
    {
        final TreeMap<String, Integer> rows = new TreeMap<>();
        List<String> names = null;
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#fields\t"))
            {
                names = List.of(line.substring(8).split("\t"));
            }
            if (line.startsWith("#") || line.isEmpty())
            {
                continue;
            }
            final String[] v = line.split("\t", -1);
            final Map<String, String> r = new TreeMap<>();
            for (int i = 0; i < names.size(); i++)
            {
                r.put(names.get(i), v[i]);
            }
            final long first = Math.round(Double.parseDouble(r.get("ts")) * 1e6) / 1000;
            final long duration = "-".equals(r.get("duration")) ? 0 : Math.round(Double.parseDouble(r.get("duration")) * 1e6);
            final long last = (Math.round(Double.parseDouble(r.get("ts")) * 1e6) + duration) / 1000;
            final boolean icmp = "icmp".equals(r.get("proto"));
            final int origPort = Integer.parseInt(r.get("id.orig_p"));
            final int respPort = Integer.parseInt(r.get("id.resp_p"));
            // nfdump shows an ICMP record's type and code (as its destination port: type * 256 + code). Zeek's
            // responder "port" is the code, or the counterpart type of a request/reply pair (echo 8 and 0).
            final boolean v6 = r.get("id.orig_h").indexOf(':') >= 0;
            final int code = icmp && COUNTERPART.getOrDefault((v6 ? 1000 : 0) + origPort, -1) == respPort ? 0 : respPort;
            rows.merge(key(protocolNumber(r.get("proto"), r.get("id.orig_h")), r.get("id.orig_h"),
                icmp ? 0 : origPort, r.get("id.resp_h"), icmp ? origPort * 256 + code : respPort,
                r.get("orig_pkts"), r.get("orig_ip_bytes"), r.get("resp_pkts"), r.get("resp_ip_bytes"), first, last),
                1, Integer::sum);
        }
        return rows;
    }

    private static TreeMap<String, Integer> fromNfdump(final String nfdump, final Path store) throws Exception
    {
        final List<String> files;
        try (Stream<Path> s = Files.list(store))
        {
            files = s.filter(p -> p.getFileName().toString().startsWith("nfcapd.")).map(Path::toString).sorted()
                .toList();
        }
        assertTrue(!files.isEmpty(), "nfcapd wrote a file");
        final TreeMap<String, Integer> rows = new TreeMap<>();
        for (final String f : files)
        {
            final ProcessBuilder pb = new ProcessBuilder(nfdump, "-r", f, "-q", "-N", "-o", "json");
            pb.environment().put("TZ", "UTC");
            final Process p = pb.redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor());
            // nfdump prints "{...}," objects one after another.
            final String array = "[" + (out.endsWith(",") ? out.substring(0, out.length() - 1) : out) + "]";
            for (final JsonNode n : new ObjectMapper().readTree(array))
            {
                final boolean v4 = n.has("src4_addr");
                final boolean icmp = n.has("icmp_type");
                rows.merge(key(n.get("proto").asInt(), n.get(v4 ? "src4_addr" : "src6_addr").asText(),
                    icmp ? 0 : n.get("src_port").asInt(), n.get(v4 ? "dst4_addr" : "dst6_addr").asText(),
                    icmp ? n.get("icmp_type").asInt() * 256 + n.get("icmp_code").asInt() : n.get("dst_port").asInt(),
                    n.get("in_packets").asText(), n.get("in_bytes").asText(), n.get("out_packets").asText(),
                    n.get("out_bytes").asText(), millis(n.get("first").asText()), millis(n.get("last").asText())),
                    1, Integer::sum);
            }
        }
        return rows;
    }

    private static String key(final int proto, final String src, final int sport, final String dst, final int dport,
        final String origPkts, final String origBytes, final String respPkts, final String respBytes, final long first,
        final long last)
    {
        return proto + " " + src + " " + sport + " " + dst + " " + dport + " | " + origPkts + " " + origBytes + " "
            + respPkts + " " + respBytes + " | " + first + " " + last;
    }

    private static int protocolNumber(final String proto, final String orig)
    {
        switch (proto)
        {
            case "tcp": return 6;
            case "udp": return 17;
            case "icmp": return orig.indexOf(':') >= 0 ? 58 : 1;
            default: throw new AssertionError("unexpected protocol " + proto);
        }
    }

    private static long millis(final String utc)
    {
        return java.time.LocalDateTime.parse(utc).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return s.getLocalPort();
        }
    }

    /** A collector program, installed by .ci/run: its path, or the test is skipped (fails where required). */
    static String require(final String name)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final Path p = Path.of(dir, name);
            if (Files.isExecutable(p))
            {
                return p.toString();
            }
        }
        if (Boolean.getBoolean("flowdemux.requireLive"))
        {
            throw new AssertionError(name + " is required here (.ci/run installs nfdump) but is not installed");
        }
        Assumptions.abort(name + " is not installed (Debian: apt-get install nfdump)");
        return null;
    }

    private record Result(int exit, String out, String err)
    {
    }

    private static Result run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
