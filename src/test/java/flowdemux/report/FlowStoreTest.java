package flowdemux.report;

import flowdemux.flow.ConnectionConfig;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.ports.Services;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TrafficGenerator g = new TrafficGenerator(5, 4000, 300, 20);
        try (PcapWriter w = new PcapWriter(bytes, 1, true))
        {
            g.write(w, 1_700_000_000_000_000_000L);
        }
        final byte[] capture = bytes.toByteArray();
        final String inMemory = csv(capture, 1, Integer.MAX_VALUE, tmp);
        assertTrue(inMemory.lines().count() > 4000, "every connection, and some interim records");
        assertEquals(inMemory, csv(capture, 1, 97, tmp), "one worker, many runs");
        assertEquals(inMemory, csv(capture, 3, 50, tmp), "three workers, many runs each");
        try (var left = Files.list(tmp))
        {
            assertEquals(0, left.count(), "the runs are deleted after the merge");
        }
    }
}
