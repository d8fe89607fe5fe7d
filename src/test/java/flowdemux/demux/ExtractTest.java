package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * extract against the input and against split: every uid of a capture extracted together is the input less what
 * belongs to no connection, record for record in input order; one uid alone is that connection's split file.
 */
class ExtractTest
{
    private static final Path SAMPLE = Path.of("samples/three-tabs.pcap");

    @Test
    void everyUidTogetherIsTheInputLessOtherAndEachAloneIsItsSplitFile(@TempDir final Path tmp) throws Exception
    {
        int captures = 0;
        long records = 0;
        final List<String> differ = new ArrayList<>();
        for (final Path capture : Corpus.captures())
        {
            final String name = Corpus.name(capture);
            if (Corpus.rejected().contains(name) || Files.size(capture) > 20_000_000)
            {
                continue;
            }
            final Path dir = tmp.resolve("split-" + name.replace('/', '-'));
            final Cli split = Cli.run("split", capture.toString(), "-o", dir.toString());
            if (split.exitCode != 0)
            {
                continue; // a corrupt tail: extract refuses it (nothing half-written), split keeps what came before
            }
            final Path index = dir.resolve("index.tsv");
            final List<String> rows = Files.readAllLines(index).subList(1, Files.readAllLines(index).size());
            if (rows.isEmpty())
            {
                continue;
            }
            captures++;
            final Path all = tmp.resolve("all-" + captures + ".cap");
            final Cli extract = Cli.run("extract", capture.toString(), "--uids-from", index.toString(), "-w",
                all.toString());
            assertEquals(0, extract.exitCode, name + ": " + extract.err);
            final List<String> expected = new ArrayList<>(inputOrder(capture));
            final Path other = Files.exists(dir.resolve("other.pcap")) ? dir.resolve("other.pcap")
                : dir.resolve("other.pcapng");
            if (Files.exists(other))
            {
                for (final String r : SplitFiles.records(other))
                {
                    expected.remove(r); // the first such record: other holds them in input order too
                }
            }
            final List<String> got = SplitFiles.records(all);
            records += got.size();
            if (!got.equals(expected))
            {
                differ.add(name + ": " + got.size() + " records extracted, " + expected.size() + " in connections");
            }
            // One connection alone: its split file, record for record.
            final String[] row = rows.get(rows.size() / 2).split("\t");
            final Path one = tmp.resolve("one-" + captures + ".cap");
            final Cli single = Cli.run("extract", capture.toString(), "--uid", row[0], "-w", one.toString());
            assertEquals(0, single.exitCode, name + ": " + single.err);
            if (!SplitFiles.records(one).equals(SplitFiles.records(dir.resolve(row[12]))))
            {
                differ.add(name + ": " + row[0] + " differs from its split file " + row[12]);
            }
        }
        System.out.printf("extract: %d captures, %d records, %d differ%n", captures, records, differ.size());
        assertTrue(captures > 100, "too few captures: " + captures);
        assertEquals(List.of(), differ);
    }

    @Test
    void takesTheUidsOfAConnLogAJsonLinesFileOrAList(@TempDir final Path tmp) throws Exception
    {
        final Cli zeek = Cli.run("read", SAMPLE.toString(), "--format", "zeek");
        final Cli jsonl = Cli.run("read", SAMPLE.toString(), "--format", "jsonl");
        final List<String> uids = zeek.out.lines().filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[1]).toList();
        assertEquals(3, uids.size());
        Files.writeString(tmp.resolve("conn.log"), zeek.out);
        Files.writeString(tmp.resolve("conn.jsonl"), jsonl.out);
        Files.writeString(tmp.resolve("conn.csv"), Cli.run("read", SAMPLE.toString(), "--format", "csv").out);
        Files.writeString(tmp.resolve("list"), uids.get(0) + "\n\n" + uids.get(2) + ", " + uids.get(1) + "\n");
        Files.writeString(tmp.resolve("one"), "# picked by hand\n" + uids.get(1) + "\n");
        final List<String> input = inputOrder(SAMPLE);
        for (final String list : List.of("conn.log", "conn.jsonl", "conn.csv", "list"))
        {
            final Path out = tmp.resolve(list + ".pcap");
            final Cli r = Cli.run("extract", SAMPLE.toString(), "--uids-from", tmp.resolve(list).toString(), "-w",
                out.toString());
            assertEquals(0, r.exitCode, list + ": " + r.err);
            assertEquals(input, SplitFiles.records(out), list);
            assertTrue(r.err.contains("extracted 27 packets of 3 connections"), r.err);
        }
        final Path one = tmp.resolve("one.pcap");
        assertEquals(0, Cli.run("extract", SAMPLE.toString(), "--uids-from", tmp.resolve("one").toString(), "-w",
            one.toString()).exitCode);
        final List<String> oneRecords = SplitFiles.records(one);
        assertTrue(oneRecords.size() > 2 && oneRecords.size() < input.size(), "" + oneRecords.size());
        // the classic pcap input's header is kept: the file starts with the input's 24 bytes
        final byte[] head = Files.readAllBytes(SAMPLE);
        final byte[] wrote = Files.readAllBytes(one);
        assertEquals(new String(head, 0, 24, StandardCharsets.ISO_8859_1),
            new String(wrote, 0, 24, StandardCharsets.ISO_8859_1));
    }

    @Test
    void theTextReportsTopFlowsGiveEachUidThatExtractTakes(@TempDir final Path tmp) throws Exception
    {
        final String text = Cli.run("read", "samples/mixed.pcapng").out;
        final List<String> zeek = Cli.run("read", "samples/mixed.pcapng", "--format", "zeek").out.lines()
            .filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[1]).sorted().toList();
        final List<String> shown = text.lines().filter(l -> l.matches("  \\S.* C[0-9A-Za-z]{17}$"))
            .map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList();
        assertEquals(zeek, shown);
        assertTrue(text.contains("analyzer extract samples/mixed.pcapng --uid UID -w one.pcap"), text);
        final Cli r = Cli.run("extract", "samples/mixed.pcapng", "--uid", shown.get(0), "-w",
            tmp.resolve("x.pcapng").toString());
        assertEquals(0, r.exitCode, r.err);
    }

    @Test
    void aUidNotInTheInputWritesNothingAndSaysWhichOne(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("out.pcap");
        Files.writeString(out, "an earlier file");
        final String known = Cli.run("read", SAMPLE.toString(), "--format", "zeek").out.lines()
            .filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split("\t")[1];
        final Cli r = Cli.run("extract", SAMPLE.toString(), "--uid", known + ",CAAAAAAAAAAAAAAAAA", "-w",
            out.toString());
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.contains("uid CAAAAAAAAAAAAAAAAA is not in this input") && r.err.contains("--seed"), r.err);
        assertEquals("an earlier file", Files.readString(out), "the earlier file is left as it was");
        try (var files = Files.list(tmp))
        {
            assertEquals(List.of(out), files.toList(), "no partial file left behind");
        }
        // With another seed the same connection has another uid.
        final Cli seeded = Cli.run("extract", SAMPLE.toString(), "--uid", known, "--seed", "7", "-w", out.toString());
        assertEquals(2, seeded.exitCode, seeded.err);
    }

    @Test
    void refusesWhatIsNotAUidAndAnOutputThatIsTheInput(@TempDir final Path tmp) throws Exception
    {
        final Cli bad = Cli.run("extract", SAMPLE.toString(), "--uid", "10.0.0.1", "-w", tmp.resolve("o").toString());
        assertEquals(1, bad.exitCode);
        assertTrue(bad.err.contains("is not a uid"), bad.err);
        final Path list = tmp.resolve("list");
        Files.writeString(list, "CwZWkd4AeUvzeM6bm6\nnot-a-uid\n");
        final Cli badList = Cli.run("extract", SAMPLE.toString(), "--uids-from", list.toString(), "-w",
            tmp.resolve("o").toString());
        assertEquals(2, badList.exitCode);
        assertTrue(badList.err.contains("line 2: 'not-a-uid' is not a uid"), badList.err);
        final Path copy = tmp.resolve("in.pcap");
        Files.copy(SAMPLE, copy);
        final Cli self = Cli.run("extract", copy.toString(), "--uid", "CwZWkd4AeUvzeM6bm6", "-w", copy.toString());
        assertEquals(1, self.exitCode);
        assertTrue(self.err.contains("refusing to overwrite"), self.err);
        assertEquals(Files.size(SAMPLE), Files.size(copy));
        final Cli none = Cli.run("extract", SAMPLE.toString(), "-w", tmp.resolve("o").toString());
        assertEquals(1, none.exitCode);
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void writesToStandardOutputForAPipe(@TempDir final Path tmp) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Path uids = tmp.resolve("uids");
        Files.writeString(uids, String.join("\n", Cli.run("read", SAMPLE.toString(), "--format", "zeek").out.lines()
            .filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[1]).toList()));
        final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "flowdemux.cli.Main",
            "extract", SAMPLE.toString(), "--uids-from", "-", "-w", "-")
            .redirectInput(uids.toFile()).redirectError(tmp.resolve("err").toFile()).start();
        final byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("err")));
        final Path piped = tmp.resolve("piped.pcap");
        Files.write(piped, out);
        assertEquals(inputOrder(SAMPLE), SplitFiles.records(piped));
    }

    /** The input's records by identity, in order. */
    private static List<String> inputOrder(final Path capture) throws Exception
    {
        try
        {
            return SplitFiles.records(capture);
        }
        catch (flowdemux.source.CaptureFormatException e)
        {
            throw new AssertionError(capture + ": " + e.getMessage(), e);
        }
    }
}
