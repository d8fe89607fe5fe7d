package flowdemux.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
 * JA4 and the server name of every TLS-over-TCP stream in FoxIO's captures ({@code ../shared/corpus/ja4/}), against
 * both outputs that project keeps for each: its Python tool's ({@code JA4.1}, {@code domain}) and its Rust tool's
 * ({@code ja4}, {@code tls_server_name}); and JA3 against Wireshark's (tshark's {@code tls.handshake.ja3} of each
 * stream's first ClientHello) and, for each ServerHello, Wireshark's version, cipher suite and key-share group.
 * Streams are matched by their 5-tuple (and transport): TLS over TCP ({@code t}
 * fingerprints) and QUIC ({@code q}: the ClientHello in the client's Initial packets, which flowdemux opens).
 */
class Ja4ConformanceTest
{
    /** Streams compared, pinned so that a capture that stops being read cannot go unnoticed. */
    private static final int TCP_STREAMS = 135;
    private static final int QUIC_STREAMS = 47;

    @Test
    void everyClientHelloHasFoxIosJa4AndServerName(@TempDir final Path tmp) throws IOException
    {
        final Map<String, String[]> expected = new TreeMap<>();
        final List<Path> captures = new ArrayList<>();
        try (Stream<Path> files = Files.list(Corpus.root().resolve("ja4")))
        {
            files.filter(f -> f.toString().endsWith(".rust.snap")).sorted().forEach(f -> captures.add(
                f.resolveSibling(f.getFileName().toString().replace(".rust.snap", ""))));
        }
        for (final Path capture : captures)
        {
            rustStreams(capture, expected);
            pythonStreams(capture, expected);
        }
        final Map<String, String[]> ours = new TreeMap<>();
        for (final Path capture : captures)
        {
            final Path out = tmp.resolve(capture.getFileName() + ".jsonl");
            final Cli r = Cli.run("read", capture.toString(), "--format", "jsonl", "-o", out.toString());
            assertEquals(0, r.exitCode, r.err);
            final ObjectMapper json = new ObjectMapper();
            for (final String line : Files.readAllLines(out))
            {
                final JsonNode c = json.readTree(line);
                final JsonNode d = c.path("service_detail");
                if (d.path("ja4").isMissingNode())
                {
                    continue;
                }
                ours.put(key(capture, c.path("proto").asText(), c.path("orig_h").asText(), c.path("orig_p").asText(), c.path("resp_h").asText(),
                    c.path("resp_p").asText()), new String[] {d.path("ja4").asText(), d.path("server_name").asText(""),
                    d.path("ja3").asText(), d.path("version").asText("-") + " " + d.path("cipher").asText("-") + " "
                    + d.path("group").asText("-"), d.path("offered_versions").asText("-") + " "
                    + d.path("offered_groups").asText("-")});
            }
        }
        int agree = 0;
        final List<String> differ = new ArrayList<>();
        for (final Map.Entry<String, String[]> e : expected.entrySet())
        {
            final String[] o = ours.get(e.getKey());
            final String[] x = e.getValue();
            if (o != null && o[0].equals(x[0]) && o[1].equals(x[1]))
            {
                agree++;
            }
            else
            {
                differ.add(e.getKey() + ": FoxIO " + x[0] + " " + x[1] + ", flowdemux "
                    + (o == null ? "none" : o[0] + " " + o[1]));
            }
        }
        final long quic = expected.keySet().stream().filter(k -> k.contains(" udp ")).count();
        System.out.printf("JA4: %d of %d streams alike (%.1f%%; %d TLS over TCP, %d QUIC)%n", agree, expected.size(),
            100.0 * agree / Math.max(1, expected.size()), expected.size() - quic, quic);
        differ.stream().limit(20).forEach(d -> System.out.println("  " + d));
        assertEquals(TCP_STREAMS, expected.size() - quic, "TCP streams in the corpus");
        assertEquals(QUIC_STREAMS, quic, "QUIC streams in the corpus");
        assertEquals(List.of(), differ, "JA4 and server name of every stream");

        // JA3: Wireshark's for each stream's first ClientHello.
        final String tshark = Tools.require("tshark", "tshark");
        int ja3 = 0;
        final List<String> ja3Differ = new ArrayList<>();
        for (final Path capture : captures)
        {
            final Process p = new ProcessBuilder(tshark, "-r", capture.toString(), "-Y", "tls.handshake.type == 1",
                "-T", "fields", "-E", "occurrence=f", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e",
                "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tls.handshake.ja3")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try
            {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            }
            catch (InterruptedException e)
            {
                throw new IllegalStateException(e);
            }
            final Map<String, String> first = new TreeMap<>();
            for (final String line : out.split("\n"))
            {
                final String[] f = line.split("\t", -1);
                if (f.length < 7 || f[2].isEmpty() || f[6].isEmpty())
                {
                    continue; // not TCP (QUIC), or no JA3
                }
                first.putIfAbsent(key(capture, "tcp", f[0].isEmpty() ? f[1] : f[0], f[2], f[3].isEmpty() ? f[4] : f[3],
                    f[5]), f[6]);
            }
            for (final Map.Entry<String, String> e : first.entrySet())
            {
                final String[] o = ours.get(e.getKey());
                if (o != null && o[2].equals(e.getValue()))
                {
                    ja3++;
                }
                else
                {
                    ja3Differ.add(e.getKey() + ": Wireshark " + e.getValue() + ", flowdemux " + (o == null ? "none" : o[2]));
                }
            }
        }
        System.out.printf("JA3: %d of %d streams alike with Wireshark's%n", ja3, ja3 + ja3Differ.size());
        ja3Differ.stream().limit(20).forEach(d -> System.out.println("  " + d));
        assertTrue(ja3 >= TCP_STREAMS, "JA3 compared for every stream: " + ja3);
        assertEquals(List.of(), ja3Differ, "JA3 of every stream");

        // What each client offered (its first ClientHello, over TCP or in QUIC): Wireshark's supported_versions (else
        // the hello's own version) and supported_groups, GREASE left out, named as IANA names them, as many whole
        // names as the fields hold.
        int offered = 0;
        final List<String> offeredDiffer = new ArrayList<>();
        for (final Path capture : captures)
        {
            final Map<String, String> first = new TreeMap<>();
            for (final String line : tsharkAll(tshark, capture, "tls.handshake.type == 1", "ip.src", "ipv6.src",
                "tcp.srcport", "udp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "udp.dstport", "tls.handshake.version",
                "tls.handshake.extensions.supported_version", "tls.handshake.extensions_supported_group"))
            {
                final String[] f = line.split("\t", -1);
                if (f.length < 11)
                {
                    continue;
                }
                final boolean tcp = !f[2].isEmpty();
                final String versions = f[9].isEmpty() ? f[8].split(",")[0] : f[9];
                first.putIfAbsent(key(capture, tcp ? "tcp" : "udp", f[0].isEmpty() ? f[1].split(",")[0]
                    : f[0].split(",")[0], tcp ? f[2] : f[3], f[4].isEmpty() ? f[5].split(",")[0] : f[4].split(",")[0],
                    tcp ? f[6] : f[7]), names(versions, VERSIONS, 28) + " " + names(f[10], GROUPS, 64));
            }
            for (final Map.Entry<String, String> e : first.entrySet())
            {
                final String[] o = ours.get(e.getKey());
                if (o == null)
                {
                    continue; // a hello flowdemux does not fingerprint is counted above
                }
                if (o[4].equals(e.getValue()))
                {
                    offered++;
                }
                else
                {
                    offeredDiffer.add(e.getKey() + ": Wireshark " + e.getValue() + ", flowdemux " + o[4]);
                }
            }
        }
        System.out.printf("ClientHello offers (versions, groups): %d of %d alike with Wireshark's%n", offered,
            offered + offeredDiffer.size());
        offeredDiffer.stream().limit(20).forEach(d -> System.out.println("  " + d));
        assertEquals(List.of(), offeredDiffer, "what each client offered");
        assertTrue(offered >= 170, "ClientHellos compared: " + offered);

        // What each server chose (the ServerHello over TCP, and in QUIC's server Initials): Wireshark's version,
        // cipher suite and key-share group.
        int chosen = 0;
        int chosenQuic = 0;
        final List<String> chosenDiffer = new ArrayList<>();
        for (final Path capture : captures)
        {
            for (final String transport : List.of("tcp", "udp"))
            for (final String line : tsharkFields(tshark, capture, "tls.handshake.type == 2 && " + transport, "ip.dst",
                "ipv6.dst", transport + ".dstport", "ip.src", "ipv6.src", transport + ".srcport", "tls.handshake.version",
                "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
                "tls.handshake.extensions_key_share_group", "tls.handshake.extensions_key_share_selected_group"))
            {
                final String[] f = line.split("\t", -1);
                if (f.length < 11)
                {
                    continue;
                }
                if (f[9].isEmpty())
                {
                    f[9] = f[10]; // a HelloRetryRequest names the group it asks for
                }
                final int version = Integer.decode(f[7].isEmpty() ? f[6] : f[7]);
                final String want = VERSIONS.getOrDefault(version, String.format("%04x", version)) + " "
                    + f[8].substring(2) + " " + (f[9].isEmpty() ? "-" : GROUPS.getOrDefault(Integer.parseInt(f[9]),
                    String.format("%04x", Integer.parseInt(f[9]))));
                final String k = key(capture, transport, f[0].isEmpty() ? f[1] : f[0], f[2], f[3].isEmpty() ? f[4] : f[3],
                    f[5]);
                final String[] o = ours.get(k);
                if (o != null && o[3].equals(want))
                {
                    chosen++;
                    chosenQuic += transport.equals("udp") ? 1 : 0;
                }
                else
                {
                    chosenDiffer.add(k + ": Wireshark " + want + ", flowdemux " + (o == null ? "none" : o[3]));
                }
            }
        }
        System.out.printf("ServerHello (version, cipher, group): %d of %d alike with Wireshark's (%d in QUIC)%n",
            chosen, chosen + chosenDiffer.size(), chosenQuic);
        chosenDiffer.stream().limit(20).forEach(d -> System.out.println("  " + d));
        assertEquals(List.of(), chosenDiffer, "what each server chose");
        assertTrue(chosen >= 80, "ServerHellos compared: " + chosen);
        assertTrue(chosenQuic >= 20, "QUIC ServerHellos compared: " + chosenQuic);
    }

    private static final Map<Integer, String> VERSIONS = Map.of(0x0300, "SSLv3", 0x0301, "TLSv10", 0x0302, "TLSv11",
        0x0303, "TLSv12", 0x0304, "TLSv13");
    /** IANA's names of the TLS supported groups met in these captures (others are written in 4 hex digits). */
    private static final Map<Integer, String> GROUPS = Map.ofEntries(Map.entry(0x0017, "secp256r1"),
        Map.entry(0x0018, "secp384r1"), Map.entry(0x0019, "secp521r1"), Map.entry(0x001d, "x25519"),
        Map.entry(0x001e, "x448"), Map.entry(0x0100, "ffdhe2048"), Map.entry(0x0101, "ffdhe3072"),
        Map.entry(0x11eb, "SecP256r1MLKEM768"), Map.entry(0x11ec, "X25519MLKEM768"),
        Map.entry(0x11ed, "SecP384r1MLKEM1024"), Map.entry(0x6399, "X25519Kyber768"));

    /** tshark's codes ("0x0a0a,0x0304") as names, GREASE left out, as many whole names as {@code room} holds. */
    private static String names(final String codes, final Map<Integer, String> known, final int room)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String c : codes.split(","))
        {
            if (c.isEmpty())
            {
                continue;
            }
            final int v = Integer.decode(c);
            if ((v & 0x0F0F) == 0x0A0A && (v >>> 8) == (v & 0xFF))
            {
                continue; // GREASE
            }
            final String name = known.getOrDefault(v, String.format("%04x", v));
            if (sb.length() + (sb.length() > 0 ? 1 : 0) + name.length() > room)
            {
                break;
            }
            sb.append(sb.length() > 0 ? "," : "").append(name);
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** tshark's values of each field, all occurrences comma-joined, tab-separated, for the packets kept. */
    private static List<String> tsharkAll(final String tshark, final Path capture, final String filter,
        final String... fields) throws IOException
    {
        return tshark(tshark, capture, filter, List.of("-E", "occurrence=a", "-E", "aggregator=,"), fields);
    }

    /** tshark's first value of each field, tab-separated, for the packets the filter keeps. */
    private static List<String> tsharkFields(final String tshark, final Path capture, final String filter,
        final String... fields) throws IOException
    {
        return tshark(tshark, capture, filter, List.of("-E", "occurrence=f"), fields);
    }

    /** tshark's fields for the packets the filter keeps, with these {@code -E} options, one line a packet. */
    private static List<String> tshark(final String tshark, final Path capture, final String filter,
        final List<String> options, final String... fields) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(tshark, "-r", capture.toString(), "-Y", filter, "-T",
            "fields"));
        command.addAll(options);
        for (final String f : fields)
        {
            command.add("-e");
            command.add(f);
        }
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try
        {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        catch (InterruptedException e)
        {
            throw new IllegalStateException(e);
        }
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** The Rust tool's streams into {@code into} (5-tuple -> {ja4, server name}). */
    private static void rustStreams(final Path capture, final Map<String, String[]> into) throws IOException
    {
        final Map<String, String> s = new TreeMap<>();
        final List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(capture + ".rust.snap")));
        lines.add("- stream: end");
        for (final String line : lines)
        {
            if (line.startsWith("- stream:"))
            {
                if (s.containsKey("ja4"))
                {
                    agreeOrAdd(into, key(capture, s.get("transport"), s.get("src"), s.get("src_port"), s.get("dst"),
                        s.get("dst_port")), s.get("ja4"), s.getOrDefault("tls_server_name", ""));
                }
                s.clear();
            }
            final String t = line.trim().replaceFirst("^- ", "");
            final int colon = t.indexOf(": ");
            if (colon > 0)
            {
                s.put(t.substring(0, colon), t.substring(colon + 2).replace("\"", ""));
            }
        }
    }

    /** The Python tool's streams: where both tools name a stream, they must agree (else the test is wrong). */
    private static void pythonStreams(final Path capture, final Map<String, String[]> into) throws IOException
    {
        for (final JsonNode s : new ObjectMapper().readTree(Path.of(capture + ".ja4.json").toFile()))
        {
            final String ja4 = s.path("JA4.1").asText("");
            if (!ja4.isEmpty())
            {
                agreeOrAdd(into, key(capture, ja4.startsWith("q") ? "udp" : "tcp", s.path("src").asText(), s.path("srcport").asText(), s.path("dst").asText(),
                    s.path("dstport").asText()), ja4, s.path("domain").asText(""));
            }
        }
    }

    private static void agreeOrAdd(final Map<String, String[]> into, final String key, final String ja4,
        final String name)
    {
        final String[] had = into.putIfAbsent(key, new String[] {ja4, name});
        if (had != null)
        {
            assertEquals(List.of(had[0], had[1]), List.of(ja4, name), "FoxIO's two tools on " + key);
        }
    }

    private static String key(final Path capture, final String transport, final String src, final String srcPort,
        final String dst, final String dstPort)
    {
        return capture.getFileName() + " " + transport + " " + address(src) + " " + srcPort + " " + address(dst) + " " + dstPort;
    }

    private static String address(final String a)
    {
        try
        {
            return InetAddress.getByName(a).getHostAddress();
        }
        catch (IOException e)
        {
            throw new IllegalStateException("not an address: " + a, e);
        }
    }
}
