package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * split against tshark's stream index on the corpus: every TCP or UDP stream tshark numbers (tcp.stream, udp.stream)
 * is exactly one split file, frame for frame, and the files together hold every input frame exactly once.
 */
class SplitConformanceTest
{
    /** Share of tshark's streams that must be exactly one split file. */
    private static final double BAR = 0.97;

    @Test
    void everyTsharkStreamIsOneSplitFileAndNoFrameIsLostOrWrittenTwice(@TempDir final Path tmp) throws Exception
    {
        final String tshark = Tools.require("tshark", "tshark");
        int streams = 0;
        int matched = 0;
        int files = 0;
        final List<String> problems = new ArrayList<>();
        final List<String> lostOrTwice = new ArrayList<>();
        for (final Path capture : Corpus.captures())
        {
            final String name = Corpus.name(capture);
            if (Corpus.rejected().contains(name) || Files.size(capture) > 20_000_000)
            {
                continue;
            }
            final Path out = tmp.resolve("split-" + files++);
            final Cli r = Cli.run("split", capture.toString(), "-o", out.toString());
            if (r.exitCode != 0 && !r.err.contains("byte offset"))
            {
                problems.add(name + ": exit " + r.exitCode + " " + r.err.strip());
                continue;
            }
            // Which frames each file holds.
            final Map<String, ArrayDeque<Integer>> byRecord = SplitFiles.frames(capture);
            final Map<Integer, String> fileOf = new HashMap<>();
            int written = 0;
            for (final Path f : SplitFiles.captures(out))
            {
                for (final String key : SplitFiles.records(f))
                {
                    final ArrayDeque<Integer> q = byRecord.get(key);
                    if (q == null || q.isEmpty())
                    {
                        lostOrTwice.add(name + ": " + out.relativize(f) + " holds a record not in the input");
                        continue;
                    }
                    fileOf.put(q.poll(), out.relativize(f).toString());
                    written++;
                }
            }
            final long left = byRecord.values().stream().mapToLong(ArrayDeque::size).sum();
            if (left > 0 && r.exitCode == 0)
            {
                lostOrTwice.add(name + ": " + left + " input frames in no file (" + written + " written)");
            }
            // tshark's streams, leaving out frames where its stream is an inner one (ICMP errors quoting a
            // datagram, tunnels: two IP layers).
            final Map<String, Set<Integer>> tsharkStreams = new TreeMap<>();
            final Set<Integer> streamless = new HashSet<>();
            final Process p = new ProcessBuilder(tshark, "-n", "-r", capture.toString(), "-T", "fields", "-E",
                "separator=/t", "-e", "frame.number", "-e", "tcp.stream", "-e", "udp.stream", "-e", "ip.version",
                "-e", "ipv6.version", "-e", "icmp.type", "-e", "icmpv6.type")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    final String[] f = line.split("\t", -1);
                    final int frame = Integer.parseInt(f[0]);
                    final String tcp = f[1];
                    final String udp = f[2];
                    final boolean inner = (f[3] + f[4]).contains(",") || (f[3] + f[4]).length() > 1
                        || !f[5].isEmpty() || !f[6].isEmpty() || tcp.contains(",") || udp.contains(",");
                    if (inner || (tcp.isEmpty() && udp.isEmpty()))
                    {
                        streamless.add(frame);
                        continue;
                    }
                    tsharkStreams.computeIfAbsent(tcp.isEmpty() ? "udp " + udp : "tcp " + tcp,
                        k -> new TreeSet<>()).add(frame);
                }
            }
            p.waitFor();
            final Map<String, Set<Integer>> byFile = new HashMap<>();
            fileOf.forEach((frame, file) -> byFile.computeIfAbsent(file, k -> new TreeSet<>()).add(frame));
            for (final Map.Entry<String, Set<Integer>> s : tsharkStreams.entrySet())
            {
                streams++;
                final String file = fileOf.get(s.getValue().iterator().next());
                final Set<Integer> held = file == null ? Set.of() : new TreeSet<>(byFile.get(file));
                held.removeAll(streamless);
                if (held.equals(s.getValue()) && !file.startsWith("other"))
                {
                    matched++;
                }
                else if (problems.size() < 40)
                {
                    problems.add(name + ": tshark's " + s.getKey() + " (" + s.getValue().size() + " frames) vs "
                        + file + " (" + held.size() + ")");
                }
            }
        }
        final double rate = streams == 0 ? 0 : (double)matched / streams;
        System.out.printf("split vs tshark: %d of %d streams are exactly one file (%.1f%%) in %d captures%n",
            matched, streams, 100 * rate, files);
        problems.forEach(s -> System.out.println("  " + s));
        assertTrue(streams > 100, "too few streams compared: " + streams);
        assertEquals(List.of(), lostOrTwice, "frames lost or written twice");
        assertTrue(rate >= BAR, String.format("%.1f%% of tshark's streams are one split file, below %.0f%%",
            100 * rate, 100 * BAR));
    }
}
