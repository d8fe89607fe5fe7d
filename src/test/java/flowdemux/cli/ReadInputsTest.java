package flowdemux.cli;

import flowdemux.Captures;
import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs as a user hands them over: several files, a pipe, gzip, files that cannot be read, outputs that cannot be written. */
class ReadInputsTest
{
    /** The conn.log rows without the header lines and without the uid column (which depends on the inputs). */
    private static List<String> rowsWithoutUid(final String log)
    {
        return log.lines().filter(l -> !l.startsWith("#")).map(l ->
        {
            final String[] f = l.split("\t", -1);
            f[1] = "";
            return String.join("\t", f);
        }).collect(Collectors.toList());
    }

    /** Writes every other packet of a capture (odd or even) to a classic pcap. */
    private static void half(final Path from, final Path to, final int parity) throws Exception
    {
        try (OutputStream os = Files.newOutputStream(to); PcapWriter w = new PcapWriter(os, 1, true))
        {
            for (final Captures.Decoded d : Captures.decodeAll(from))
            {
                if (d.index % 2 == parity)
                {
                    w.writeCaptured(d.timestampNanos, d.bytes, 0, d.bytes.length, d.bytes.length);
                }
            }
        }
    }

    @Test
    void twoHalvesOfACaptureReadAsTheWholeMergedByTime(@TempDir final Path tmp) throws Exception
    {
        final Path whole = Path.of("samples/mixed.pcapng");
        final Path odd = tmp.resolve("odd.pcap");
        final Path even = tmp.resolve("even.pcap");
        half(whole, odd, 1);
        half(whole, even, 0);
        final Cli one = Cli.run("read", whole.toString(), "--format", "zeek");
        final Cli two = Cli.run("read", odd.toString(), even.toString(), "--format", "zeek");
        assertEquals(0, two.exitCode, two.err);
        assertEquals(rowsWithoutUid(one.out), rowsWithoutUid(two.out));
        final String text = Cli.run("read", odd.toString(), even.toString()).out;
        assertTrue(text.contains("files         2, packets merged in time order"), text);
        assertTrue(text.contains(odd + ": pcap (little-endian, nanosecond), 19 packets"), text);
        assertTrue(text.contains(even + ": pcap (little-endian, nanosecond), 20 packets"), text);
        assertTrue(text.contains("packets       39 "), text);
    }

    @Test
    void aCorruptInputEndsItselfOnlyAndIsNamed(@TempDir final Path tmp) throws Exception
    {
        final Path cut = tmp.resolve("cut.pcap");
        final byte[] b = Files.readAllBytes(Path.of("samples/three-tabs.pcap"));
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 10));
        final Cli r = Cli.run("read", "samples/mixed.pcapng", cut.toString(), "--format", "zeek");
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("flowdemux: " + cut + ": byte offset "), r.err);
        // Every connection of the intact file is there, and the cut one's before its fault.
        final long mixed = rowsWithoutUid(Cli.run("read", "samples/mixed.pcapng", "--format", "zeek").out).size();
        assertEquals(mixed + 3, rowsWithoutUid(r.out).size(), r.out);
    }

    @Test
    void uidsDependOnTheInputNotOnTheWorkers()
    {
        final String a = firstUid(Cli.run("read", "samples/three-tabs.pcap", "--format", "zeek").out);
        final String b = firstUid(Cli.run("read", "samples/mixed.pcapng", "--format", "zeek").out);
        assertNotEquals(a, b, "two captures, two sets of uids");
        assertEquals(a, firstUid(Cli.run("read", "samples/three-tabs.pcap", "--format", "zeek", "--workers", "3").out));
        final String seeded = firstUid(Cli.run("read", "samples/three-tabs.pcap", "--format", "zeek", "--seed", "7").out);
        assertNotEquals(a, seeded);
        assertEquals(seeded, firstUid(Cli.run("read", "samples/three-tabs.pcap", "--format", "zeek", "--seed", "7").out));
        assertTrue(a.matches("C[0-9A-Za-z]{17}"), a);
    }

    private static String firstUid(final String log)
    {
        return log.lines().filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split("\t")[1];
    }

    /** bash's {@code <(gzip -c F)} is a pipe: the end of a gzip member must not ask it to seek. */
    @Test
    void gzipThroughAPipeReadsToTheEnd(@TempDir final Path tmp) throws Exception
    {
        final Path fifo = tmp.resolve("pipe");
        final Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
        final byte[] pcap = Files.readAllBytes(Path.of("samples/three-tabs.pcap"));
        final Thread writer = new Thread(() ->
        {
            try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(fifo)))
            {
                os.write(pcap);
            }
            catch (java.io.IOException e)
            {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        final Cli r = Cli.run("read", fifo.toString(), "--format", "zeek");
        writer.join(10_000);
        assertEquals(0, r.exitCode, r.err);
        assertEquals(3, rowsWithoutUid(r.out).size(), r.out);
    }

    @Test
    void anInputThatCannotBeReadWritesNothing(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("out.txt");
        Files.writeString(out, "an earlier report");
        final Cli missing = Cli.run("read", tmp.resolve("nonexistent.pcap").toString(), "-o", out.toString());
        assertEquals(2, missing.exitCode);
        assertEquals("flowdemux: " + tmp.resolve("nonexistent.pcap") + ": cannot read: no such file or folder",
            missing.err.strip());
        final Path junk = tmp.resolve("junk.pcap");
        Files.writeString(junk, "not a capture at all");
        final Cli bad = Cli.run("read", junk.toString(), "-o", out.toString());
        assertEquals(2, bad.exitCode);
        assertTrue(bad.err.strip().matches("flowdemux: .*junk.pcap: byte offset 0: not a pcap or pcapng file .*"),
            bad.err);
        assertEquals("an earlier report", Files.readString(out), "-o is left as it was");
        final Cli toStdout = Cli.run("read", junk.toString());
        assertEquals("", toStdout.out, "no empty report beside the error");
    }

    @Test
    void anOutputThatCannotBeWrittenSaysWhyBeforeReading(@TempDir final Path tmp)
    {
        final Cli noFolder = Cli.run("read", "samples/three-tabs.pcap", "-o", tmp.resolve("nodir/out.txt").toString());
        assertEquals(2, noFolder.exitCode);
        assertEquals("flowdemux: cannot write " + tmp.resolve("nodir/out.txt") + ": no such folder " + tmp.resolve("nodir"),
            noFolder.err.strip());
        assertFalse(noFolder.err.contains(".tmp"), "no temporary name: " + noFolder.err);
        final Cli empty = Cli.run("read", "samples/three-tabs.pcap", "-o", "");
        assertEquals(1, empty.exitCode);
        assertTrue(empty.err.startsWith("flowdemux: -o needs a file name"), empty.err);
        final Cli folder = Cli.run("read", "samples/three-tabs.pcap", "-o", tmp.toString());
        assertEquals(2, folder.exitCode);
        assertTrue(folder.err.contains(": it is a folder"), folder.err);
    }

    @Test
    void anEmptyPcapngIsAnEmptyCapture() throws Exception
    {
        final Path shbOnly = Corpus.root().resolve("pcapng-test-generator/le-test002.pcapng");
        final Cli r = Cli.run("read", shbOnly.toString());
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.contains("packets       0 "), r.out);
    }

    @Test
    void ipv6TypeZeroRoutingHeadersUseTheFinalDestination() throws Exception
    {
        // tcpdump and tshark say every checksum in this file is correct; they verify only with the final destination.
        final Path f = Corpus.root().resolve("tcpdump/ipv6-routing-header.pcap");
        final Cli r = Cli.run("read", f.toString(), "--format", "zeek", "--checksums", "verify");
        assertEquals(0, r.exitCode, r.err);
        final List<String> rows = r.out.lines().filter(l -> !l.startsWith("#")).collect(Collectors.toList());
        assertEquals(4, rows.size(), r.out);
        final List<String> destinations = new ArrayList<>();
        for (final String row : rows)
        {
            final String[] c = row.split("\t");
            assertEquals("1", c[16], "every packet counted: " + row);
            assertFalse(c[15].contains("C"), "no bad checksum: " + row);
            destinations.add(c[4]);
        }
        // Packets 1 and 3 have one segment left (final: 2200::210:2:0:0:4), 2 and 4 two (final: 2200::240:2:0:0:4).
        assertEquals(List.of("2200::210:2:0:0:4", "2200::240:2:0:0:4"), destinations.stream().distinct().sorted()
            .collect(Collectors.toList()));
        assertTrue(Cli.run("read", f.toString()).out.contains("checksums     4 verified, 0 offloaded"));
    }

    @Test
    void aServerThatAnsweredMidstreamIsListening() throws Exception
    {
        final String text = Cli.run("read", Corpus.root().resolve("zeek/ssh.pcap").toString()).out;
        assertTrue(text.contains("192.168.1.32:8118 tcp (registered)  listening: 1 connection from 1 client"), text);
    }
}
