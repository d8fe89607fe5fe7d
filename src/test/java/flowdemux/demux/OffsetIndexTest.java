package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowSink;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.PacketTap;
import flowdemux.pipeline.ProgressListener;
import flowdemux.source.CaptureReaders;
import flowdemux.source.MergedReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offset index (read --index, extract through F.fdx): what extract writes through it is, byte for byte, what a
 * full pass writes; an index of another capture, of the same capture changed, made with other options or damaged is
 * refused with one line and the whole capture is read instead.
 */
class OffsetIndexTest
{
    @Test
    void throughTheIndexEachConnectionIsWhatAFullPassExtracts(@TempDir final Path tmp) throws Exception
    {
        int indexed = 0;
        int pcapng = 0;
        long extracted = 0;
        int refused = 0;
        int followed = 0;
        final List<String> differ = new ArrayList<>();
        for (final Path original : Corpus.captures())
        {
            final String name = Corpus.name(original);
            if (Corpus.rejected().contains(name) || Files.size(original) > 20_000_000)
            {
                continue;
            }
            final Path dir = Files.createDirectories(tmp.resolve(name.replace('/', '-')));
            final Path capture = dir.resolve(original.getFileName());
            Files.copy(original, capture);
            final Path conn = dir.resolve("conn.log");
            final Cli read = Cli.run("read", capture.toString(), "--index", "--format", "zeek", "-o", conn.toString());
            if (read.exitCode != 0)
            {
                // a corrupt tail or interfaces described late: no index, and the line says so
                assertFalse(Files.exists(Path.of(capture + ".fdx")), name + ": an index beside a failed read");
                assertTrue(read.err.contains("no index written") || read.err.contains("byte offset"), name + ": "
                    + read.err);
                refused++;
                continue;
            }
            final List<String> uids = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#"))
                .map(l -> l.split("\t")[1]).toList();
            if (uids.isEmpty())
            {
                continue;
            }
            indexed++;
            pcapng += name.endsWith(".pcapng") ? 1 : 0;
            final List<List<String>> asks = new ArrayList<>();
            asks.add(uids);
            for (int i = 0; i < uids.size(); i += Math.max(1, uids.size() / 7))
            {
                asks.add(List.of(uids.get(i)));
            }
            for (final List<String> ask : asks)
            {
                final Path list = dir.resolve("uids.txt");
                Files.write(list, ask);
                final Path viaIndex = dir.resolve("via-index.cap");
                final Path full = dir.resolve("full.cap");
                final Cli a = Cli.run("extract", capture.toString(), "--uids-from", list.toString(), "-w",
                    viaIndex.toString());
                final Cli b = Cli.run("extract", capture.toString(), "--uids-from", list.toString(), "-w",
                    full.toString(), "--no-index");
                assertEquals(0, a.exitCode, name + ": " + a.err);
                assertEquals(0, b.exitCode, name + ": " + b.err);
                assertTrue(a.err.contains("through the index"), name + ": " + a.err);
                if (!Arrays.equals(Files.readAllBytes(viaIndex), Files.readAllBytes(full)))
                {
                    differ.add(name + " " + (ask.size() == 1 ? ask.get(0) : "all " + ask.size() + " uids"));
                }
                extracted += ask.size();
                if (ask.size() == 1)
                {
                    // follow through the index: the same bytes, gaps and lines as reading the whole capture
                    final Path fa = dir.resolve("follow-index");
                    final Path fb = dir.resolve("follow-full");
                    final Cli c = Cli.run("follow", capture.toString(), "--uid", ask.get(0), "-o", fa.toString());
                    final Cli d = Cli.run("follow", capture.toString(), "--uid", ask.get(0), "-o", fb.toString(),
                        "--no-index");
                    final Cli e = Cli.run("follow", capture.toString(), "--uid", ask.get(0));
                    final Cli f = Cli.run("follow", capture.toString(), "--uid", ask.get(0), "--no-index");
                    final boolean gotAConnection = c.exitCode == 0;
                    assertTrue(!gotAConnection || c.err.contains(" (through the offset index)"), c.err);
                    if (c.exitCode != d.exitCode || !c.err.replace(fa.toString(), "D")
                        .replace(" (through the offset index)", "").equals(d.err.replace(fb.toString(), "D"))
                        || !sameFiles(fa, fb)
                        || !e.out.equals(f.out))
                    {
                        differ.add(name + " follow " + ask.get(0) + ": " + c.err + " / " + d.err);
                    }
                    followed++;
                }
            }
        }
        System.out.printf("offset index: %d corpus captures indexed (%d pcapng), %d not (corrupt, or pcapng "
            + "that reads only in order), %d extractions and %d follows compared, %d differ%n", indexed, pcapng, refused,
            extracted, followed, differ.size());
        assertTrue(indexed >= 20 && pcapng >= 3, indexed + " captures indexed, " + pcapng + " pcapng");
        assertEquals(List.of(), differ);
    }

    private static boolean sameFiles(final Path a, final Path b) throws Exception
    {
        if (!Files.isDirectory(a) || !Files.isDirectory(b))
        {
            return Files.isDirectory(a) == Files.isDirectory(b);
        }
        try (var la = Files.list(a); var lb = Files.list(b))
        {
            final List<String> na = la.map(p -> p.getFileName().toString()).sorted().toList();
            final List<String> nb = lb.map(p -> p.getFileName().toString()).sorted().toList();
            if (!na.equals(nb))
            {
                return false;
            }
            for (final String n : na)
            {
                if (!Arrays.equals(Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n))))
                {
                    return false;
                }
            }
            return true;
        }
    }

    @Test
    void aFewSlotsForManyConnectionsStillGiveEachItsRecordsInOrder(@TempDir final Path tmp) throws Exception
    {
        // 4 slots for 300 connections at once: every slot is written out again and again, so each connection's
        // offsets are a chain of many segments across many flushes.
        final Path capture = tmp.resolve("g.pcap");
        final Cli gen = Cli.run("generate", "--flows", "600", "--concurrency", "300", "-o", capture.toString());
        assertEquals(0, gen.exitCode, gen.err);
        final Path fdx = tmp.resolve("g.fdx");
        final long seed;
        try (OffsetIndexWriter writer = new OffsetIndexWriter(fdx, 4))
        {
            seed = pass(capture, writer);
            writer.finish(capture, seed, "key");
        }
        final Path conn = tmp.resolve("conn.log");
        assertEquals(0, Cli.run("read", capture.toString(), "--format", "zeek", "-o", conn.toString()).exitCode);
        final List<String> uids = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#"))
            .map(l -> l.split("\t")[1]).toList();
        assertEquals(600, uids.size());
        try (OffsetIndex index = OffsetIndex.open(fdx, capture, seed, "key"))
        {
            assertEquals(600, index.connections());
            for (final String u : List.of(uids.get(0), uids.get(299), uids.get(599)))
            {
                final Path one = tmp.resolve(u + ".pcap");
                final IndexedExtractor x = new IndexedExtractor();
                x.extract(index, List.of(u), capture, false, one);
                final Path full = tmp.resolve(u + "-full.pcap");
                assertEquals(0, Cli.run("extract", capture.toString(), "--uid", u, "-w", full.toString()).exitCode);
                assertTrue(x.packets() > 0, u + ": " + x.packets());
                assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(one), u);
            }
            assertEquals(null, index.entriesOf("CAAAAAAAAAAAAAAAAA"));
        }
    }

    @Test
    void aTableLargeEnoughForBatchesIndexesTheSame(@TempDir final Path tmp) throws Exception
    {
        // 36,000 connections at once: the table outgrows the caches, the reader tracks in batches and the index is
        // told each batch's offsets afterwards (PacketTap.offsetsSuffice); the other tests' tables stay small.
        final Path capture = tmp.resolve("big.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "36000", "--concurrency", "36000", "-o", capture.toString())
            .exitCode);
        final Path conn = tmp.resolve("conn.log");
        assertEquals(0, Cli.run("read", capture.toString(), "--index", "--format", "zeek", "-o", conn.toString())
            .exitCode);
        final List<String> lines = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#")).toList();
        final long packets = lines.stream().mapToLong(l -> Long.parseLong(l.split("\t")[16])
            + Long.parseLong(l.split("\t")[18])).sum();
        final List<String> asked = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 997)
        {
            asked.add(lines.get(i).split("\t")[1]);
        }
        final Path list = tmp.resolve("uids.txt");
        Files.write(list, asked);
        final Path a = tmp.resolve("a.pcap");
        final Path b = tmp.resolve("b.pcap");
        final Cli via = Cli.run("extract", capture.toString(), "--uids-from", list.toString(), "-w", a.toString());
        assertTrue(via.err.contains("through the index"), via.err);
        assertEquals(0, Cli.run("extract", capture.toString(), "--uids-from", list.toString(), "-w", b.toString(),
            "--no-index").exitCode);
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
        final MergedReader r = new MergedReader(List.of(capture.toString()), List.of(CaptureReaders.open(
            capture.toString())));
        try (OffsetIndex index = OffsetIndex.open(Path.of(capture + ".fdx"), capture, r.digest(),
            keyOf(Path.of(capture + ".fdx"))))
        {
            assertEquals(lines.size(), index.connections());
            assertEquals(packets, index.records(), "every packet counted in a connection is indexed");
        }
        finally
        {
            r.close();
        }
    }

    @Test
    void indexingAllocatesNothingPerPacket(@TempDir final Path tmp) throws Exception
    {
        // 2,000 connections open throughout, 1.2 M packets among them: past the warm-up, each packet's offset goes
        // to its slot and every 80 or so a segment to the file, with no allocation. (A new connection costs an entry
        // in the map of last segments, 16-32 bytes, and nothing else.)
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        try (OffsetIndexWriter writer = new OffsetIndexWriter(tmp.resolve("x.fdx")))
        {
            long offset = 24;
            for (int i = 0; i < 200_000; i++)
            {
                writer.trackedAt(offset, i % 2000, i % 2000);
                offset += 70 + (i % 900);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1_000_000; i++)
            {
                writer.trackedAt(offset, i % 2000, i % 2000);
                offset += 70 + (i % 900);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.printf("offset index: %d bytes allocated for 1000000 packets%n", allocated);
            assertTrue(allocated < 64 * 1024, allocated + " bytes allocated");
            assertEquals(1_200_000, writer.records());
        }
    }

    /** The options line an index was made with (read from it, to open it in a test). */
    private static String keyOf(final Path fdx) throws Exception
    {
        final byte[] b = Files.readAllBytes(fdx);
        final java.nio.ByteBuffer t = java.nio.ByteBuffer.wrap(b, b.length - OffsetIndex.TRAILER, OffsetIndex.TRAILER);
        final int metaOffset = (int)t.getLong();
        final java.nio.ByteBuffer m = java.nio.ByteBuffer.wrap(b, metaOffset, b.length - OffsetIndex.TRAILER
            - metaOffset).slice();
        return OffsetIndex.Meta.decode(m).fingerprint;
    }

    @Test
    void aFragmentHeldForItsDatagramIsWrittenWhereTheFullPassWritesIt()
    {
        // A: its record at 100, a fragment at 200 held until 400 completes it, 300 between; B: 350.
        assertArrayEquals(new long[] {100, 300, 350, 200, 400}, IndexedExtractor.writeOrder(List.of(
            new long[] {entry(100), entry(300), held(200), entry(400)}, new long[] {entry(350)})));
        // A: a fragment at 200 held until 400; B: 300, written before A's fragment although it came after it.
        assertArrayEquals(new long[] {100, 300, 200, 400}, IndexedExtractor.writeOrder(List.of(
            new long[] {entry(100), held(200), entry(400)}, new long[] {entry(300)})));
        // A connection whose first packet is a held fragment.
        assertArrayEquals(new long[] {50, 200, 400}, IndexedExtractor.writeOrder(List.of(
            new long[] {held(200), entry(400)}, new long[] {entry(50)})));
    }

    private static long entry(final long offset)
    {
        return offset << 1;
    }

    private static long held(final long offset)
    {
        return offset << 1 | 1;
    }

    @Test
    void aStaleADamagedOrAnotherOptionsIndexIsRefusedAndTheWholeCaptureRead(@TempDir final Path tmp) throws Exception
    {
        final Path capture = tmp.resolve("g.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "300", "--concurrency", "50", "-o", capture.toString()).exitCode);
        final Path conn = tmp.resolve("conn.log");
        final Cli read = Cli.run("read", capture.toString(), "--index", "--format", "zeek", "-o", conn.toString());
        assertEquals(0, read.exitCode, read.err);
        final Path fdx = Path.of(capture + ".fdx");
        final long packets = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#"))
            .mapToLong(l -> Long.parseLong(l.split("\t")[16]) + Long.parseLong(l.split("\t")[18])).sum();
        // A few bytes a packet, directory included.
        assertTrue(Files.size(fdx) < 8 * packets, Files.size(fdx) + " bytes for " + packets + " packets");
        final String uid = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#")).skip(100).findFirst()
            .orElseThrow().split("\t")[1];
        final Path expected = tmp.resolve("expected.pcap");
        assertEquals(0, Cli.run("extract", capture.toString(), "--uid", uid, "-w", expected.toString(),
            "--no-index").exitCode);

        // Other options: another --tcp-timeout may cut connections elsewhere, so the index is not used.
        final Path out = tmp.resolve("out.pcap");
        Cli x = Cli.run("extract", capture.toString(), "--uid", uid, "-w", out.toString(), "--tcp-timeout", "100");
        assertTrue(x.err.contains("made with other options (indexed with --tcp-timeout=300.0)"), x.err);
        assertFalse(x.err.contains("through the index"), x.err);

        // Damaged anywhere, one byte at a time (40 places over the file, and each of its last 80 bytes): never a
        // wrong capture; the damage is found (checksums, a uid that does not match) and the whole capture read.
        final byte[] good = Files.readAllBytes(fdx);
        int noticed = 0;
        final List<Integer> places = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            places.add((int)((long)i * good.length / 40));
        }
        for (int i = good.length - 80; i < good.length; i++)
        {
            places.add(i);
        }
        for (final int place : places)
        {
            final byte[] bad = good.clone();
            bad[place] ^= 0x40;
            Files.write(fdx, bad);
            x = Cli.run("extract", capture.toString(), "--uid", uid, "-w", out.toString());
            assertEquals(0, x.exitCode, place + ": " + x.err);
            assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out), "damage at " + place);
            noticed += x.err.contains("reading the whole capture") ? 1 : 0;
        }
        assertTrue(noticed >= 80, noticed + " of " + places.size() + " damaged indexes noticed");

        // Stale: the capture changed after it was indexed (one byte near its end: same size, same head).
        Files.write(fdx, good);
        final byte[] pcap = Files.readAllBytes(capture);
        final byte[] changed = pcap.clone();
        changed[changed.length - 80] ^= 1;
        Files.write(capture, changed);
        x = Cli.run("extract", capture.toString(), "--uid", uid, "-w", out.toString());
        assertTrue(x.err.contains("stale: the capture has changed since it was indexed; reading the whole capture"),
            x.err);
        Files.write(capture, pcap);
        x = Cli.run("extract", capture.toString(), "--uid", uid, "-w", out.toString());
        assertEquals(0, x.exitCode, x.err);
        assertTrue(x.err.contains("through the index"), x.err);
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out));

        // Not an index at all.
        x = Cli.run("extract", capture.toString(), "--uid", uid, "-w", out.toString(), "--index-file", conn.toString());
        assertTrue(x.err.contains("not a flowdemux index; reading the whole capture"), x.err);
        assertEquals(0, x.exitCode, x.err);
    }

    @Test
    void splitWritesTheSameIndexAsRead(@TempDir final Path tmp) throws Exception
    {
        final Path capture = tmp.resolve("g.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "400", "--concurrency", "80", "-o", capture.toString()).exitCode);
        final Path fromRead = tmp.resolve("read.fdx");
        assertEquals(0, Cli.run("read", capture.toString(), "--index-file", fromRead.toString(), "-o",
            tmp.resolve("r.txt").toString()).exitCode);
        final Cli split = Cli.run("split", capture.toString(), "-o", tmp.resolve("split").toString(),
            "--offset-index");
        assertEquals(0, split.exitCode, split.err);
        assertArrayEquals(Files.readAllBytes(fromRead), Files.readAllBytes(Path.of(capture + ".fdx")));
        // And through it, a connection is its split file.
        final List<String> rows = Files.readAllLines(tmp.resolve("split/index.tsv"));
        final String[] row = rows.get(rows.size() / 2).split("\t");
        final Path one = tmp.resolve("one.pcap");
        final Cli x = Cli.run("extract", capture.toString(), "--uid", row[0], "-w", one.toString());
        assertTrue(x.err.contains("through the index"), x.err);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("split").resolve(row[12])), Files.readAllBytes(one));
    }

    @Test
    void refusesWhatItCannotIndexWithOneLine(@TempDir final Path tmp) throws Exception
    {
        final Path capture = tmp.resolve("g.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "50", "-o", capture.toString()).exitCode);
        final Path gz = tmp.resolve("g.pcap.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz)))
        {
            Files.copy(capture, out);
        }
        Cli x = Cli.run("read", gz.toString(), "--index", "-o", tmp.resolve("r.txt").toString());
        assertEquals(2, x.exitCode);
        assertTrue(x.err.contains("no index written: the records of " + gz + " cannot be read alone at their offsets (a compressed file"), x.err);
        assertFalse(Files.exists(Path.of(gz + ".fdx")));
        x = Cli.run("read", capture.toString(), capture.toString(), "--index");
        assertEquals(1, x.exitCode);
        assertTrue(x.err.contains("--index indexes one capture file"), x.err);
        x = Cli.run("read", capture.toString(), "--index", "--workers", "2");
        assertEquals(1, x.exitCode);
        assertTrue(x.err.contains("with one worker"), x.err);
        try (var files = Files.list(tmp))
        {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "a temporary file left");
        }
    }

    /** Reads {@code capture} to its end with {@code tap}, as read and extract do; returns the uid seed. */
    private static long pass(final Path capture, final PacketTap tap) throws Exception
    {
        final MergedReader reader = new MergedReader(List.of(capture.toString()),
            List.of(CaptureReaders.open(capture.toString())));
        final ConnectionConfig config = new ConnectionConfig();
        config.uidSeed = reader.digest();
        final FlowSink none = (table, flow, reason) -> { };
        final OfflineRun run = new OfflineRun(1, 1_000_000, i -> none, PacketFilter.ALL, ProgressListener.NONE,
            config);
        run.collectAtPhaseEnds(false);
        run.tap(tap);
        try (reader)
        {
            run.run(reader);
        }
        return config.uidSeed;
    }
}
