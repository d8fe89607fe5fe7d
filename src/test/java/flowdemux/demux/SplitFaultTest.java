package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * split when resources are short or inputs broken: two open files for a thousand connections, a disk that fills up,
 * a truncated input, a folder that is not empty. Every file left is a valid capture up to its last whole record,
 * every record in it is the input's, and the index says which connections are incomplete.
 */
class SplitFaultTest
{
    private static Path generate(final Path tmp, final int flows) throws Exception
    {
        final Path capture = tmp.resolve("gen-" + flows + ".pcap");
        final Cli g = Cli.run("generate", "--flows", String.valueOf(flows), "--concurrency", "200", "--seed", "5",
            "--protocol-payloads", "-o", capture.toString(), "--summary", tmp.resolve("summary.json").toString());
        assertEquals(0, g.exitCode, g.err);
        return capture;
    }

    /** Every file under dir (but the index), by relative name, with its bytes. */
    private static Map<String, byte[]> tree(final Path dir) throws Exception
    {
        final Map<String, byte[]> out = new HashMap<>();
        for (final Path f : SplitFiles.captures(dir))
        {
            out.put(dir.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }

    @Test
    void twoOpenFilesForAThousandConnectionsWriteTheSameFiles(@TempDir final Path tmp) throws Exception
    {
        final Path capture = generate(tmp, 1000);
        final Path wide = tmp.resolve("wide");
        final Path narrow = tmp.resolve("narrow");
        assertEquals(0, Cli.run("split", capture.toString(), "-o", wide.toString()).exitCode);
        final Cli r = Cli.run("split", capture.toString(), "-o", narrow.toString(), "--max-open", "2");
        assertEquals(0, r.exitCode, r.err);
        final Map<String, byte[]> a = tree(wide);
        final Map<String, byte[]> b = tree(narrow);
        assertTrue(a.size() >= 1000, "files: " + a.size());
        assertEquals(a.keySet(), b.keySet());
        for (final String name : a.keySet())
        {
            assertArrayEquals(a.get(name), b.get(name), name);
        }
        assertEquals(Files.readString(wide.resolve("index.tsv")), Files.readString(narrow.resolve("index.tsv")));
        // by server port too, where files stay open across many connections and are reopened to append
        final Path ports = tmp.resolve("ports");
        assertEquals(0, Cli.run("split", capture.toString(), "-o", ports.toString(), "--by", "server-port",
            "--max-open", "2").exitCode);
        long records = 0;
        for (final Path f : SplitFiles.captures(ports))
        {
            records += SplitFiles.records(f).size();
        }
        assertEquals(SplitFiles.records(capture).size(), records, "every record once, by server port");
    }

    @Test
    void aFullDiskEndsTheRunWithOneLineAndWholeFiles(@TempDir final Path tmp) throws Exception
    {
        final Path capture = generate(tmp, 1500);
        final Path mount = tmp.resolve("small");
        Files.createDirectories(mount);
        final Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString())
            .redirectErrorStream(true).start();
        final String why = new String(m.getInputStream().readAllBytes());
        final boolean mounted = m.waitFor(30, TimeUnit.SECONDS) && m.exitValue() == 0;
        if (!mounted && Boolean.getBoolean("flowdemux.requireLive"))
        {
            throw new AssertionError("cannot mount a tmpfs (CI runs as root): " + why);
        }
        Assumptions.assumeTrue(mounted, "mounting a tmpfs needs root: " + why);
        try
        {
            final Path out = mount.resolve("split");
            final Cli r = Cli.run("split", capture.toString(), "-o", out.toString());
            assertEquals(2, r.exitCode, r.out + r.err);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(r.err.contains("cannot write: ") && r.err.contains("space"), r.err);
            final Set<String> input = new HashSet<>(SplitFiles.records(capture));
            int files = 0;
            for (final Path f : SplitFiles.captures(out))
            {
                files++;
                for (final String record : SplitFiles.records(f)) // throws on a cut record
                {
                    assertTrue(input.contains(record), f + " holds a record not in the input");
                }
            }
            assertTrue(files > 10, "files: " + files);
            checkIndex(out, List.of("-", "output-fault"));
        }
        finally
        {
            new ProcessBuilder("umount", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTruncatedInputKeepsWhatCameBeforeAndMarksWhatWasOpen(@TempDir final Path tmp) throws Exception
    {
        final Path capture = generate(tmp, 300);
        final byte[] whole = Files.readAllBytes(capture);
        final Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2 + 7));
        final Path out = tmp.resolve("out");
        final Cli r = Cli.run("split", cut.toString(), "-o", out.toString());
        assertEquals(2, r.exitCode, r.err);
        assertTrue(r.err.contains("cut.pcap: byte offset"), r.err);
        final List<String> before = SplitFiles.records(capture).subList(0, countWhole(cut));
        final List<String> written = new ArrayList<>();
        for (final Path f : SplitFiles.captures(out))
        {
            written.addAll(SplitFiles.records(f));
        }
        assertEquals(new HashSet<>(before), new HashSet<>(written));
        assertEquals(before.size(), written.size());
        final List<String> states = checkIndex(out, List.of("-", "input-fault"));
        assertTrue(states.contains("input-fault") && states.contains("-"), states.toString());
    }

    /** Ctrl-C (SIGINT) mid-split: the run ends at once with one line, every file whole, the index marks the rest. */
    @Test
    void anInterruptedSplitLeavesWholeFilesAndAnIndex(@TempDir final Path tmp) throws Exception
    {
        final Path capture = generate(tmp, 60000);
        final Path out = tmp.resolve("out");
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
            "flowdemux.cli.Main", "split", capture.toString(), "-o", out.toString())
            .redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile()).start();
        final long deadline = System.nanoTime() + 30_000_000_000L;
        boolean writing = false;
        while (!writing && p.isAlive() && System.nanoTime() < deadline)
        {
            writing = Files.isDirectory(out.resolve("tcp-443")) || Files.isDirectory(out.resolve("udp-53"));
            Thread.sleep(5);
        }
        assertTrue(writing && p.isAlive(), "split did not start writing, or ended before the signal");
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "split ended after Ctrl-C");
        final String err = Files.readString(tmp.resolve("stderr"));
        assertTrue(err.contains("interrupted"), err);
        assertFalse(err.contains("Exception"), err);
        final Set<String> input = new HashSet<>(SplitFiles.records(capture));
        long records = 0;
        for (final Path f : SplitFiles.captures(out))
        {
            for (final String record : SplitFiles.records(f)) // throws on a cut record
            {
                assertTrue(input.contains(record), f + " holds a record not in the input");
                records++;
            }
        }
        assertTrue(records > 0 && records < input.size(), "records written before the signal: " + records);
        final List<String> states = checkIndex(out, List.of("-", "interrupted"));
        assertTrue(states.contains("interrupted"), "connections open at the signal are marked: " + states.size());
    }

    @Test
    void aFolderThatIsNotEmptyIsRefusedUnlessForced(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        final Cli r = Cli.run("split", "samples/three-tabs.pcap", "-o", out.toString());
        assertEquals(2, r.exitCode);
        assertTrue(r.err.contains("is not empty; --force"), r.err);
        assertFalse(Files.exists(out.resolve("index.tsv")));
        assertEquals(0, Cli.run("split", "samples/three-tabs.pcap", "-o", out.toString(), "--force").exitCode);
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals(4, Files.readAllLines(out.resolve("index.tsv")).size());
        final Cli self = Cli.run("split", "samples/three-tabs.pcap", "-o", "samples/three-tabs.pcap");
        assertEquals(2, self.exitCode);
        assertTrue(self.err.contains("refusing to overwrite"), self.err);
    }

    /**
     * The index's incomplete column holds only {@code allowed} values, and each complete connection's file holds
     * the packets the index counts (by connection, one file each). Returns the values seen.
     */
    private static List<String> checkIndex(final Path dir, final List<String> allowed) throws Exception
    {
        final Path index = dir.resolve("index.tsv");
        if (!Files.exists(index))
        {
            return List.of(); // the index itself could not be written: its line said so
        }
        final List<String> seen = new ArrayList<>();
        final List<String> lines = Files.readAllLines(index);
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] row = line.split("\t");
            final String incomplete = row[13];
            assertTrue(allowed.contains(incomplete), line);
            seen.add(incomplete);
            if (incomplete.equals("-"))
            {
                assertEquals(Long.parseLong(row[8]), SplitFiles.records(dir.resolve(row[12])).size(), line);
            }
        }
        return seen;
    }

    private static int countWhole(final Path cut) throws Exception
    {
        int n = 0;
        try (CaptureReader reader = CaptureReaders.open(cut.toString()))
        {
            final PacketRecord r = new PacketRecord();
            while (reader.next(r))
            {
                n++;
            }
        }
        catch (flowdemux.source.CaptureFormatException e)
        {
            // the cut record
        }
        return n;
    }
}
