package flowdemux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's nfcapd (nfdump 1.7) as the IPFIX collector of a test, on a free loopback port, and the comparison of what
 * it stored with a conn.log: each connection as "proto src sport dst dport | packets and IP bytes each way | first
 * and last millisecond", counted.
 */
public final class Nfcapd implements AutoCloseable
{
    /** ICMP request/reply types Zeek pairs (ICMPv6 as 1000 + type): the responder's "port" is the counterpart. */
    private static final Map<Integer, Integer> COUNTERPART = Map.ofEntries(Map.entry(8, 0), Map.entry(0, 8),
        Map.entry(13, 14), Map.entry(14, 13), Map.entry(15, 16), Map.entry(16, 15), Map.entry(17, 18),
        Map.entry(18, 17), Map.entry(10, 9), Map.entry(9, 10), Map.entry(1128, 129), Map.entry(1129, 128),
        Map.entry(1130, 131), Map.entry(1131, 130), Map.entry(1133, 134), Map.entry(1134, 133), Map.entry(1135, 136),
        Map.entry(1136, 135), Map.entry(1139, 140), Map.entry(1140, 139), Map.entry(1144, 145), Map.entry(1145, 144));

    public final int port;
    private final Path store;
    private final Process process;
    private final String nfdump;

    private Nfcapd(final Path store, final int port, final Process process, final String nfdump)
    {
        this.store = store;
        this.port = port;
        this.process = process;
        this.nfdump = nfdump;
    }

    /** Starts nfcapd storing into {@code folder} (created), or skips the test where nfdump is not installed. */
    public static Nfcapd start(final Path folder) throws Exception
    {
        final String nfcapd = Tools.require("nfcapd", "nfdump");
        final String nfdump = Tools.require("nfdump", "nfdump");
        final Path store = Files.createDirectories(folder);
        final int port = freeUdpPort();
        final Process p = new ProcessBuilder(nfcapd, "-w", store.toString(), "-b", "127.0.0.1", "-p",
            String.valueOf(port), "-t", "3600", "-B", "8000000").redirectErrorStream(true)
            .redirectOutput(store.resolveSibling(folder.getFileName() + ".log").toFile()).start();
        Thread.sleep(500); // nfcapd binds its socket
        return new Nfcapd(store, port, p, nfdump);
    }

    /** Stops nfcapd (SIGTERM: it writes its current file) and returns what nfdump reads from its files. */
    public TreeMap<String, Integer> stopAndRead() throws Exception
    {
        close();
        return fromNfdump(nfdump, store);
    }

    @Override
    public void close() throws java.io.IOException
    {
        if (process.isAlive())
        {
            drain();
            process.destroy();
            try
            {
                assertTrue(process.waitFor(10, TimeUnit.SECONDS), "nfcapd ends on SIGTERM");
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting for nfcapd");
            }
        }
    }

    /**
     * Waits (up to 10 s) until nfcapd has read every datagram queued on its socket: SIGTERM makes it write what it
     * has read and exit, and datagrams still queued then are lost. On a loaded machine a fixed pause was not enough
     * (a CI run stored none of the five records a live capture had sent).
     */
    private void drain() throws java.io.IOException
    {
        final String local = String.format(":%04X", port);
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until)
        {
            long queued = 0;
            for (final String line : Files.readAllLines(Path.of("/proc/net/udp")))
            {
                final String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].endsWith(local) && f[4].contains(":"))
                {
                    queued += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
            if (queued == 0)
            {
                break;
            }
            try
            {
                Thread.sleep(20);
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting for nfcapd to read its socket");
            }
        }
    }

    /** How many keys of {@code expected} {@code actual} has, counted with multiplicity. */
    public static int matching(final TreeMap<String, Integer> expected, final TreeMap<String, Integer> actual)
    {
        int same = 0;
        for (final Map.Entry<String, Integer> e : expected.entrySet())
        {
            same += Math.min(e.getValue(), actual.getOrDefault(e.getKey(), 0));
        }
        return same;
    }

    /** "proto src sport dst dport | pkts bytes each way | first last (ms)" of each conn.log row. */
    public static TreeMap<String, Integer> fromConnLog(final String log)
    {
        return fromConnLog(log, new TreeMap<>());
    }

    /**
     * {@link #fromConnLog(String)}, each row's last millisecond settled against {@code actual} where the conn.log
     * leaves it open. ts is cut to the microsecond and duration rounded to it, so their sum is the last packet's
     * microsecond give or take one; when that one crosses a millisecond, the row takes whichever of the two
     * milliseconds {@code actual} has (a CI run failed on a refused connection whose last packet came 1 us before a
     * millisecond: ts + duration put it 1 us after).
     */
    public static TreeMap<String, Integer> fromConnLog(final String log, final TreeMap<String, Integer> actual)
    {
        final TreeMap<String, Integer> rows = new TreeMap<>();
        for (final Map<String, String> r : ConnLogRows.parse(log))
        {
            final long firstMicros = Math.round(Double.parseDouble(r.get("ts")) * 1e6);
            final long first = firstMicros / 1000;
            final long duration = "-".equals(r.get("duration")) ? 0 : Math.round(Double.parseDouble(r.get("duration")) * 1e6);
            final long lastMicros = firstMicros + duration;
            final boolean icmp = "icmp".equals(r.get("proto"));
            final int origPort = Integer.parseInt(r.get("id.orig_p"));
            final int respPort = Integer.parseInt(r.get("id.resp_p"));
            // nfdump shows an ICMP record's type and code (as its destination port: type * 256 + code). Zeek's
            // responder "port" is the code, or the counterpart type of a request/reply pair (echo 8 and 0).
            final boolean v6 = r.get("id.orig_h").indexOf(':') >= 0;
            final int code = icmp && COUNTERPART.getOrDefault((v6 ? 1000 : 0) + origPort, -1) == respPort ? 0 : respPort;
            final java.util.function.LongFunction<String> keyWithLast = last -> key(
                protocolNumber(r.get("proto"), r.get("id.orig_h")), r.get("id.orig_h"), icmp ? 0 : origPort,
                r.get("id.resp_h"), icmp ? origPort * 256 + code : respPort, r.get("orig_pkts"), r.get("orig_ip_bytes"),
                r.get("resp_pkts"), r.get("resp_ip_bytes"), first, last);
            String row = keyWithLast.apply(lastMicros / 1000);
            for (final long micros : new long[] {lastMicros - 1, lastMicros + 1})
            {
                final String other = keyWithLast.apply(Math.max(first, micros / 1000));
                if (!other.equals(row) && actual.getOrDefault(other, 0) > rows.getOrDefault(other, 0)
                    && actual.getOrDefault(row, 0) <= rows.getOrDefault(row, 0))
                {
                    row = other;
                }
            }
            rows.merge(row, 1, Integer::sum);
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
            if (out.equals("No matching flows"))
            {
                continue; // an empty file; the caller's comparison says what is missing
            }
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

    public static int freeUdpPort() throws Exception
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")))
        {
            return s.getLocalPort();
        }
    }


}
