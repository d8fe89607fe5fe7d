package flowdemux.conformance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole-file reads of the corpus through the command line, checked against what other projects say. */
class CorpusReadTest
{
    /** manifest.tsv: file -> packets (capinfos' count), for captures. */
    private static Map<String, String[]> manifest() throws IOException
    {
        final List<String> lines = Files.readAllLines(Corpus.root().resolve("manifest.tsv"));
        final String[] header = lines.get(0).split("\t", -1);
        final Map<String, String[]> rows = new HashMap<>();
        for (int i = 1; i < lines.size(); i++)
        {
            final String[] f = lines.get(i).split("\t", -1);
            rows.put(f[0], f);
        }
        rows.put("#header", header);
        return rows;
    }

    private static int column(final Map<String, String[]> manifest, final String name)
    {
        final String[] header = manifest.get("#header");
        for (int i = 0; i < header.length; i++)
        {
            if (header[i].equals(name))
            {
                return i;
            }
        }
        throw new IllegalStateException("no column " + name);
    }

    /** Reads the JSON report's capture counters. */
    private static Map<String, Long> counters(final String json) throws IOException
    {
        final Map<String, Long> c = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json))
        {
            String section = "";
            while (p.nextToken() != null)
            {
                if (p.currentToken() == JsonToken.FIELD_NAME)
                {
                    final String name = p.currentName();
                    final JsonToken v = p.nextToken();
                    if (v == JsonToken.START_OBJECT && ("capture".equals(name) || "undecodable".equals(name)))
                    {
                        section = name;
                    }
                    else if (v == JsonToken.VALUE_NUMBER_INT && !section.isEmpty())
                    {
                        c.putIfAbsent(section + "." + name, p.getLongValue());
                    }
                }
            }
        }
        return c;
    }

    @Test
    void everyPacketIsInAFlowOrCountedUndecodable() throws IOException
    {
        final Map<String, String[]> manifest = manifest();
        final int packetsColumn = column(manifest, "packets");
        int files = 0;
        final List<String> failures = new ArrayList<>();
        for (final Path file : Corpus.captures())
        {
            final String name = Corpus.name(file);
            final String[] row = manifest.get(name);
            if (Corpus.rejected().contains(name))
            {
                continue; // malformed files: see libpcapMalformedFilesEndWithExitTwoAndOneLine
            }
            final Cli r = Cli.run("read", file.toString(), "--format", "json");
            // Traces whose addresses were rewritten (anonymised) carry checksums that no longer verify: a warning
            // line says so, which is right; anything else on standard error is not.
            if (r.exitCode != 0 || r.err.lines().anyMatch(l -> !l.startsWith("flowdemux: warning: ")))
            {
                failures.add(name + ": does not read cleanly: exit " + r.exitCode + " " + r.err.strip());
                continue;
            }
            files++;
            final Map<String, Long> c = counters(r.out);
            final long packets = c.get("capture.packets");
            final long inFlows = c.get("capture.packets_in_flows");
            final long undecodable = c.get("undecodable.total");
            if (inFlows + undecodable != packets)
            {
                failures.add(name + ": " + inFlows + " in flows + " + undecodable + " undecodable != " + packets);
            }
            if (row != null && !row[packetsColumn].isEmpty() && Long.parseLong(row[packetsColumn]) != packets)
            {
                failures.add(name + ": read " + packets + " packets, capinfos counts " + row[packetsColumn]);
            }
        }
        System.out.printf("corpus accounting: %d files read, %d failures%n", files, failures.size());
        assertEquals(List.of(), failures);
        // Every capture but the malformed ones: none may drop out of the comparison unnoticed.
        assertEquals(Corpus.captures().size() - Corpus.rejected().size(), files, "files read");
    }

    /**
     * The files libpcap must reject end with exit 2 and exactly the line pinned for each in
     * src/test/resources/flowdemux/corpus-rejections.tsv (file and byte offset, then the reason); one that can be
     * opened still gets the report of what came before; one whose header is bad writes nothing.
     */
    @Test
    void libpcapMalformedFilesEndWithExitTwoAndOneLine() throws IOException
    {
        final Map<String, String> pinned = new java.util.TreeMap<>();
        try (java.io.InputStream in = CorpusReadTest.class.getResourceAsStream("/flowdemux/corpus-rejections.tsv"))
        {
            for (final String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n"))
            {
                if (!line.startsWith("#") && !line.isBlank())
                {
                    pinned.put(line.split("\t", 2)[0], line.split("\t", 2)[1]);
                }
            }
        }
        assertEquals(Corpus.rejected(), pinned.keySet(), "a pinned line for every file the corpus says must fail");
        int rejected = 0;
        final List<String> failures = new ArrayList<>();
        for (final Path file : Corpus.captures())
        {
            final String name = Corpus.name(file);
            if (name.equals(Corpus.READ_AS_EMPTY))
            {
                // A section header and nothing else: an empty capture to capinfos and tshark, and to flowdemux.
                // libpcap's refusal comes from a pull request not merged at the corpus snapshot (MANIFEST).
                final Cli r = Cli.run("read", file.toString());
                if (r.exitCode != 0 || !r.err.isEmpty() || !r.out.contains("packets       0 "))
                {
                    failures.add(name + ": not read as an empty capture: exit " + r.exitCode + " " + r.err);
                }
                continue;
            }
            if (!pinned.containsKey(name))
            {
                continue;
            }
            rejected++;
            final Cli r = Cli.run("read", file.toString());
            final String expected = "flowdemux: " + file + ": " + pinned.get(name);
            if (r.exitCode != 2 || !r.err.strip().equals(expected))
            {
                failures.add(name + ": exit " + r.exitCode + ", stderr: " + r.err.strip() + " (expected: " + expected + ")");
            }
            // A file that cannot even be opened (its header is bad) writes nothing; one that fails later gets the
            // report of what came before.
            final boolean opens = flowdemux.Captures.opens(file);
            if (opens != r.out.contains("flowdemux report:") || r.err.contains("Exception") || r.out.contains("Exception"))
            {
                failures.add(name + ": " + (opens ? "no report of what came before" : "a report of a file "
                    + "that cannot be opened") + ", or a stack trace");
            }
        }
        System.out.printf("libpcap malformed files: %d, failures %d%n", rejected, failures.size());
        assertEquals(21, rejected, "MANIFEST lists 22 malformed files; one is read as empty on purpose");
        assertEquals(List.of(), failures);
    }

    /** The pcapng test generator's description (*.txt) gives the block counts: packets are EPB + SPB + PB. */
    @Test
    void pcapngTestGeneratorFilesReadInBothByteOrders() throws IOException
    {
        final Pattern count = Pattern.compile("^\\s+(EPB|SPB|PB):\\s+(\\d+)$");
        int files = 0;
        final List<String> failures = new ArrayList<>();
        for (final Path file : Corpus.captures())
        {
            if (!Corpus.name(file).startsWith("pcapng-test-generator/"))
            {
                continue;
            }
            files++;
            long expected = 0;
            for (final String line : Files.readAllLines(Path.of(file.toString().replace(".pcapng", ".txt"))))
            {
                final Matcher m = count.matcher(line);
                if (m.matches())
                {
                    expected += Long.parseLong(m.group(2));
                }
            }
            final Cli r = Cli.run("read", file.toString(), "--format", "json");
            final long packets = counters(r.out).get("capture.packets");
            // A file without any interface block holds no packets: capinfos and tshark read it as an empty
            // capture (libpcap refuses it, "no Interface Description Blocks"), and so does flowdemux.
            final int expectedExit = 0;
            if (packets != expected || r.exitCode != expectedExit)
            {
                failures.add(Corpus.name(file) + ": " + packets + " packets (expected " + expected + "), exit "
                    + r.exitCode + " " + r.err.strip());
            }
        }
        assertEquals(48, files, "24 tests in each byte order");
        assertEquals(List.of(), failures);
    }
}
