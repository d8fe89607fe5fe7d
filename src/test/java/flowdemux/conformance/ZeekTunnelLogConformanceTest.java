package flowdemux.conformance;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code read --tunnel-log} against the tunnel.log Zeek wrote for its tunnel traces (zeek-tunnels/): the same
 * tunnels, each by its endpoints as logged (orig first), type and action, as many times. Uids are each tool's own;
 * that conn.log's tunnel_parents and tunnel.log name the same tunnels is ZeekConnLogConformanceTest's.
 */
class ZeekTunnelLogConformanceTest
{
    /** Logs compared and their lines, pinned: a log or a line that drops out fails the test. */
    private static final int LOGS = 9;
    private static final int LINES = 25;

    @Test
    void agreesWithZeeksOwnTunnelLogs() throws IOException
    {
        final Path dir = Corpus.root().resolve("zeek-tunnels");
        final List<String> pairs = Files.readAllLines(dir.resolve("pairs.tsv"));
        int logs = 0;
        int lines = 0;
        int agree = 0;
        final List<String> problems = new ArrayList<>();
        for (final String pair : pairs.subList(1, pairs.size()))
        {
            final String[] f = pair.split("\t", -1);
            final Path expected = dir.resolve(f[0] + ".tunnel.log");
            if (!Files.exists(expected))
            {
                continue;
            }
            final Path ours = Files.createTempFile("flowdemux-tunnel", ".log");
            Files.delete(ours);
            final Cli r = Cli.run("read", dir.resolve(f[1]).toString(), "-o", "/dev/null", "--tunnel-log",
                ours.toString(), "--checksums", f[2].contains("-C") ? "ignore" : "verify");
            assertEquals(0, r.exitCode, f[0] + ": " + r.err);
            final TreeMap<String, Integer> want = lines(Files.readString(expected));
            final TreeMap<String, Integer> got = lines(Files.readString(ours));
            Files.delete(ours);
            logs++;
            for (final var e : want.entrySet())
            {
                lines += e.getValue();
                final int have = got.getOrDefault(e.getKey(), 0);
                agree += Math.min(have, e.getValue());
                if (have != e.getValue())
                {
                    problems.add(f[0] + ": " + e.getKey() + " zeek " + e.getValue() + ", flowdemux " + have);
                }
            }
            for (final var e : got.entrySet())
            {
                if (!want.containsKey(e.getKey()))
                {
                    problems.add(f[0] + ": extra " + e.getKey() + " x" + e.getValue());
                }
            }
        }
        System.out.printf("Zeek tunnel.log conformance: %d logs, %d of %d lines alike%n", logs, agree, lines);
        problems.forEach(p -> System.out.println("  PROBLEM " + p));
        assertEquals(List.of(), problems);
        assertTrue(agree == lines);
        assertEquals(LOGS, logs, "logs compared");
        assertEquals(LINES, lines, "lines compared");
    }

    /** Each line but its ts and uid, counted. */
    private static TreeMap<String, Integer> lines(final String log)
    {
        final TreeMap<String, Integer> out = new TreeMap<>();
        for (final String line : log.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] v = line.split("\t", -1);
            out.merge(String.join(" ", List.of(v).subList(2, v.length)), 1, Integer::sum);
        }
        return out;
    }
}
