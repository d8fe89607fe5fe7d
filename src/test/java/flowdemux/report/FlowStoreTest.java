package flowdemux.report;

import flowdemux.decode.DecodeStats;
import flowdemux.decode.DecodedPacket;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowTracker;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.ports.Services;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spilling records to disk and merging them back gives exactly what keeping them in memory gives. */
class FlowStoreTest
{
    private static String csv(final byte[] capture, final int workers, final int spillAt, final Path folder)
        throws Exception
    {
        final List<FlowStore> stores = new ArrayList<>();
        for (int i = 0; i < workers; i++)
        {
            stores.add(new FlowStore(folder, spillAt, new CsvReport(Services.shipped())));
        }
        final ConnectionConfig config = new ConnectionConfig();
        config.activeTimeout = ConnectionConfig.seconds(0.5);
        final OfflineRun run = new OfflineRun(workers, 1_000_000, stores::get, PacketFilter.ALL, ProgressListener.NONE,
            config);
        run.run(CaptureReaders.open(new ByteArrayInputStream(capture)));
        final Aggregates aggregates = new Aggregates();
        stores.forEach(s -> aggregates.merge(s.aggregates()));
        final AnalysisResult r = new AnalysisResult("x", "pcap", run.stats(), List.of(), aggregates, 0,
            1_000_000, null, null);
        r.lines = FlowStore.lines(stores);
        final StringWriter out = new StringWriter();
        new CsvReport(Services.shipped()).write(r, out);
        final StringWriter text = new StringWriter();
        new TextReport(10, Services.shipped()).write(r, text);
        return out + text.toString();
    }

    @Test
    void spilledAndMergedRecordsEqualTheInMemoryOnes(@TempDir final Path tmp) throws Exception
    {
        final byte[] capture = TrafficGenerator.pcap(5, 4000, 300, 20);
        final String inMemory = csv(capture, 1, Integer.MAX_VALUE, tmp);
        assertTrue(inMemory.lines().count() > 4000, "every connection, and some interim records");
        assertEquals(inMemory, csv(capture, 1, 97, tmp), "one worker, many runs");
        assertEquals(inMemory, csv(capture, 3, 50, tmp), "three workers, many runs each");
        try (var left = Files.list(tmp))
        {
            assertEquals(0, left.count(), "the runs are deleted after the merge");
        }
    }

    /** Ends {@code n} one-packet UDP connections into the store, as a worker does at the end of the input. */
    private static void endConnections(final FlowStore store, final int n)
    {
        final FlowTracker tracker = new FlowTracker(n + 1, store, new ConnectionConfig());
        final DecodedPacket p = flowdemux.Captures.udpToDns();
        for (int i = 0; i < n; i++)
        {
            p.srcLo = DecodedPacket.IPV4_MAPPED_PREFIX | (0x0A00_0000L + i);
            p.packetIndex = i;
            p.timestampNanos = 1_700_000_000_000_000_000L + i;
            tracker.onPacket(p);
        }
        tracker.flushAll(1_700_000_000_000_000_000L + n);
    }

    private static long files(final Path folder) throws Exception
    {
        try (var list = Files.list(folder))
        {
            return list.count();
        }
    }

    @Test
    void reportsWithoutALinePerConnectionKeepNoRecords(@TempDir final Path tmp) throws Exception
    {
        final FlowStore store = new FlowStore(tmp, 10, null);
        endConnections(store, 1000);
        assertEquals(1000, store.records());
        assertEquals(1000, store.aggregates().connections);
        assertEquals(0, files(tmp), "nothing spilled for text or JSON");
    }

    @Test
    void aStoreForALinesOnlyFormatKeepsTheSameLinesAndCountsNothingElse(@TempDir final Path tmp) throws Exception
    {
        final FlowStore both = new FlowStore(tmp, new CsvReport(Services.shipped()), true);
        final FlowStore linesOnly = new FlowStore(tmp, new CsvReport(Services.shipped()), false);
        endConnections(both, 500);
        endConnections(linesOnly, 500);
        assertEquals(500, both.aggregates().connections);
        assertEquals(1, both.aggregates().ports().size(), "one port: DNS");
        assertEquals(1, both.aggregates().servers().size());
        assertEquals(0, linesOnly.aggregates().connections, "no views built for a lines-only format");
        assertTrue(linesOnly.aggregates().ports().isEmpty());
        assertTrue(linesOnly.aggregates().servers().isEmpty());
        assertEquals(500, linesOnly.records());
        final String lines = csvOf(linesOnly);
        assertEquals(501, lines.lines().count(), "header and every connection");
        assertEquals(csvOf(both), lines);
        assertThrows(IllegalArgumentException.class, () -> new FlowStore(tmp, null, false),
            "a store that would keep nothing");
    }

    @Test
    void onlyTheFormatsThatPrintAViewAskForTheAggregates()
    {
        for (final String name : ReportFormat.NAMES)
        {
            final ReportFormat f = ReportFormat.named(name, 10, Services.shipped(), LocalNets.zeekDefault(), false);
            final boolean linesOnly = name.equals("zeek") || name.equals("csv") || name.equals("jsonl");
            assertEquals(!linesOnly, f.usesAggregates(), name);
            assertEquals(linesOnly, f.lines() != null && !f.usesAggregates(), name);
        }
        // JSON with --top all has a line per connection and still prints the views.
        final ReportFormat all = ReportFormat.named("json", ReportFormat.ALL, Services.shipped(),
            LocalNets.zeekDefault(), false);
        assertTrue(all.lines() != null && all.usesAggregates());
    }

    @Test
    void runsGrowAsTheyAccumulateSoThatAMergeStaysNarrow(@TempDir final Path tmp) throws Exception
    {
        final FlowStore store = new FlowStore(tmp, 10, 40, new CsvReport(Services.shipped()));
        // 16 runs of 10, 16 of 20, then runs of 40 (the cap): 160 + 320 + 3 * 40 = 600 records in 35 runs.
        endConnections(store, 600);
        assertEquals(35, files(tmp));
        final AnalysisResult r = new AnalysisResult("x", "pcap", new DecodeStats(), List.of(), store.aggregates(), 0,
            1_000, null, null);
        r.lines = FlowStore.lines(List.of(store));
        final StringWriter out = new StringWriter();
        new CsvReport(Services.shipped()).write(r, out);
        assertEquals(601, out.toString().lines().count(), "header and every connection");
        assertEquals(0, files(tmp), "the runs are deleted after the merge");
    }

    private static String csvOf(final FlowStore store) throws Exception
    {
        final AnalysisResult r = new AnalysisResult("x", "pcap", new DecodeStats(), List.of(), store.aggregates(), 0,
            1_000, null, null);
        r.lines = FlowStore.lines(List.of(store));
        final StringWriter out = new StringWriter();
        new CsvReport(Services.shipped()).write(r, out);
        return out.toString();
    }

    /**
     * Runs of several MiB (the pending lines are kept in 1 MiB chunks, reused from run to run) give exactly what runs
     * small enough for one chunk give: no line lost, cut or taken from an earlier run at a chunk's edge.
     */
    @Test
    void runsLargerThanAChunkAreWritten(@TempDir final Path tmp) throws Exception
    {
        final FlowStore small = new FlowStore(tmp, 100, new CsvReport(Services.shipped()));
        endConnections(small, 30_000);
        final String expected = csvOf(small);
        final FlowStore large = new FlowStore(tmp, 12_000, new CsvReport(Services.shipped()));
        endConnections(large, 30_000);
        assertEquals(2, files(tmp), "two runs of 12,000 spilled, the last 6,000 kept in memory");
        assertEquals(30_001, expected.lines().count());
        assertTrue(expected.length() > 3 * (1 << 20), "runs of more than one chunk: " + expected.length());
        final String actual = csvOf(large);
        assertEquals(expected, actual);
    }

    /** The merge writes a report file's lines as bytes: the same bytes as its lines written as text. */
    @Test
    void mergedLinesAsBytesEqualTheTextOnes(@TempDir final Path tmp) throws Exception
    {
        final List<FlowStore> asText = new ArrayList<>();
        final List<FlowStore> asBytes = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            asText.add(new FlowStore(tmp, 700, new ZeekConnLog(LocalNets.zeekDefault(), true)));
            asBytes.add(new FlowStore(tmp, 700, new ZeekConnLog(LocalNets.zeekDefault(), true)));
            endConnections(asText.get(i), 3_000 + i);
            endConnections(asBytes.get(i), 3_000 + i);
        }
        final StringWriter text = new StringWriter();
        FlowStore.lines(asText).writeTo(text);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ReportWriter w = new ReportWriter(bytes))
        {
            w.write("#header\n");
            FlowStore.lines(asBytes).writeTo(w);
            w.write("#close\n");
        }
        assertEquals(6_001, text.toString().lines().count());
        assertEquals("#header\n" + text + "#close\n", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void fewerConnectionsThanARunNeedNoTemporaryFolder(@TempDir final Path tmp) throws Exception
    {
        final FlowStore store = new FlowStore(tmp.resolve("does-not-exist"), new CsvReport(Services.shipped()));
        endConnections(store, 500);
        final AnalysisResult r = new AnalysisResult("x", "pcap", new DecodeStats(), List.of(), store.aggregates(), 0,
            1_000, null, null);
        r.lines = FlowStore.lines(List.of(store));
        final StringWriter out = new StringWriter();
        new CsvReport(Services.shipped()).write(r, out);
        assertEquals(501, out.toString().lines().count(), "header and every connection, from the run in memory");
        assertEquals(0, files(tmp));
    }

    @Test
    void aTemporaryFolderThatCannotBeWrittenIsNamedWithTheReason(@TempDir final Path tmp)
    {
        final Path missing = tmp.resolve("does-not-exist");
        final FlowStore store = new FlowStore(missing, 10, new CsvReport(Services.shipped()));
        final UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> endConnections(store, 100));
        assertEquals("cannot write connection records to a temporary file in " + missing + ": no such folder"
            + " (FLOWDEMUX_JAVA_OPTS_ADD=-Djava.io.tmpdir=DIR picks another folder)", e.getMessage());
    }
}
