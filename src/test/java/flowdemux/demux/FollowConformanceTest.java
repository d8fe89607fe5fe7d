package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * follow against tshark's {@code -z follow,tcp,raw,N} on the corpus: for every TCP connection whose split file is
 * exactly one of tshark's streams, both sides' bytes are tshark's. Connections where follow reports a gap are
 * counted apart: there the capture lacks bytes and the two tools may fill or skip differently.
 */
class FollowConformanceTest
{
    /** Share of the gapless connections whose bytes must equal tshark's, both sides. */
    private static final double BAR = 0.98;
    private static final int MAX_PER_CAPTURE = 40;

    @Test
    void bothSidesAreTsharksFollowStream(@TempDir final Path tmp) throws Exception
    {
        final String tshark = Tools.require("tshark", "tshark");
        int compared = 0;
        int matched = 0;
        int withGaps = 0;
        int gapsMatched = 0;
        final List<String> differ = new ArrayList<>();
        int n = 0;
        for (final Path capture : Corpus.captures())
        {
            final String name = Corpus.name(capture);
            if (Corpus.rejected().contains(name) || Files.size(capture) > 20_000_000)
            {
                continue;
            }
            final Path dir = tmp.resolve("split-" + n++);
            if (Cli.run("split", capture.toString(), "-o", dir.toString(), "--checksums", "ignore").exitCode != 0)
            {
                continue;
            }
            final Map<Integer, String> streamOf = tcpStreams(tshark, capture);
            if (streamOf.isEmpty())
            {
                continue;
            }
            final Map<String, Set<Integer>> framesOf = new HashMap<>();
            streamOf.forEach((frame, stream) -> framesOf.computeIfAbsent(stream, k -> new TreeSet<>()).add(frame));
            final Map<String, ArrayDeque<Integer>> byRecord = SplitFiles.frames(capture);
            // uid -> tshark stream, where the split file is exactly that stream
            final Map<String, String> candidates = new HashMap<>();
            final Map<String, String[]> rows = new HashMap<>();
            final List<String> index = Files.readAllLines(dir.resolve("index.tsv"));
            for (final String line : index.subList(1, index.size()))
            {
                final String[] row = line.split("\t");
                if (!row[1].equals("tcp") || candidates.size() >= MAX_PER_CAPTURE)
                {
                    continue;
                }
                final Set<Integer> frames = new TreeSet<>();
                for (final String key : SplitFiles.records(dir.resolve(row[12])))
                {
                    frames.add(byRecord.get(key).poll());
                }
                final String stream = streamOf.get(frames.iterator().next());
                if (stream != null && frames.equals(framesOf.get(stream)))
                {
                    candidates.put(row[0], stream);
                    rows.put(row[0], row);
                }
            }
            if (candidates.isEmpty())
            {
                continue;
            }
            final Map<String, byte[][]> theirs = follow(tshark, capture, candidates.values());
            for (final Map.Entry<String, String> c : candidates.entrySet())
            {
                final String uid = c.getKey();
                final String[] row = rows.get(uid);
                final byte[][] t = theirs.get(c.getValue());
                if (t == null)
                {
                    continue;
                }
                final Path out = tmp.resolve("follow-" + n + "-" + uid);
                final Cli r = Cli.run("follow", capture.toString(), "--uid", uid, "-o", out.toString(),
                    "--checksums", "ignore");
                if (r.exitCode != 0)
                {
                    differ.add(name + " " + uid + ": exit " + r.exitCode + " " + r.err.strip());
                    continue;
                }
                final byte[] orig = Files.readAllBytes(out.resolve(uid + ".orig"));
                final byte[] resp = Files.readAllBytes(out.resolve(uid + ".resp"));
                final boolean node0IsOrig = new String(t[2], StandardCharsets.US_ASCII).equals(endpoint(row[2], row[3]));
                final byte[] theirOrig = node0IsOrig ? t[0] : t[1];
                final byte[] theirResp = node0IsOrig ? t[1] : t[0];
                final boolean same = java.util.Arrays.equals(orig, theirOrig) && java.util.Arrays.equals(resp, theirResp);
                final boolean gaps = Files.readAllLines(out.resolve(uid + ".gaps.tsv")).size() > 1;
                if (gaps)
                {
                    withGaps++;
                    gapsMatched += same ? 1 : 0;
                    continue;
                }
                compared++;
                if (same)
                {
                    matched++;
                }
                else
                {
                    differ.add(name + " " + uid + " (tshark's " + c.getValue() + "): orig " + orig.length + "/"
                        + theirOrig.length + " bytes, resp " + resp.length + "/" + theirResp.length);
                }
            }
        }
        final double rate = compared == 0 ? 0 : (double)matched / compared;
        System.out.printf("follow vs tshark: %d of %d gapless connections give tshark's bytes (%.1f%%); "
            + "with gaps: %d of %d%n", matched, compared, 100 * rate, gapsMatched, withGaps);
        differ.stream().limit(30).forEach(s -> System.out.println("  " + s));
        assertTrue(compared >= 50, "too few connections compared: " + compared);
        assertTrue(rate >= BAR, String.format("%.1f%% below %.0f%%", 100 * rate, 100 * BAR));
    }

    private static String endpoint(final String address, final String port)
    {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** Packet number (as the reader counts packets) to tshark's TCP stream, outer-IP packets only. */
    private static Map<Integer, String> tcpStreams(final String tshark, final Path capture) throws Exception
    {
        final Map<Integer, String> out = new HashMap<>();
        final Process p = new ProcessBuilder(tshark, "-n", "-r", capture.toString(), "-T", "fields", "-E",
            "separator=/t", "-e", "frame.encap_type", "-e", "tcp.stream", "-e", "ip.version", "-e", "ipv6.version",
            "-e", "icmp.type", "-e", "icmpv6.type").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            int packets = 0;
            String line;
            while ((line = in.readLine()) != null)
            {
                final String[] f = line.split("\t", -1);
                if (f[0].isEmpty())
                {
                    continue;
                }
                packets++;
                final boolean inner = (f[2] + f[3]).length() > 1 || !f[4].isEmpty() || !f[5].isEmpty()
                    || f[1].contains(",");
                if (!inner && !f[1].isEmpty())
                {
                    out.put(packets, f[1]);
                }
            }
        }
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }

    /** tshark's follow of each stream: node 0's bytes, node 1's bytes, node 0's "address:port". */
    private static Map<String, byte[][]> follow(final String tshark, final Path capture,
        final java.util.Collection<String> streams) throws Exception
    {
        final List<String> cmd = new ArrayList<>(List.of(tshark, "-n", "-r", capture.toString(), "-q"));
        for (final String s : new TreeSet<>(streams))
        {
            cmd.add("-z");
            cmd.add("follow,tcp,raw," + s);
        }
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final Map<String, byte[][]> out = new HashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            String stream = null;
            String node0 = null;
            ByteArrayOutputStream zero = null;
            ByteArrayOutputStream one = null;
            String line;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("Filter: tcp.stream eq "))
                {
                    stream = line.substring("Filter: tcp.stream eq ".length()).strip();
                    zero = new ByteArrayOutputStream();
                    one = new ByteArrayOutputStream();
                }
                else if (line.startsWith("Node 0: "))
                {
                    node0 = line.substring("Node 0: ".length()).strip();
                }
                else if (line.startsWith("Node 1: ") || line.startsWith("Follow: "))
                {
                    continue;
                }
                else if (line.startsWith("=====") && stream != null)
                {
                    out.put(stream, new byte[][] {zero.toByteArray(), one.toByteArray(),
                        node0.getBytes(StandardCharsets.US_ASCII)});
                    stream = null;
                }
                else if (stream != null && !line.isEmpty())
                {
                    final boolean second = line.startsWith("\t");
                    (second ? one : zero).writeBytes(HexFormat.of().parseHex(line.strip()));
                }
            }
        }
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }
}
