package flowdemux.robust;

import flowdemux.flow.ConnectionConfig;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.ports.Services;
import flowdemux.report.AnalysisResult;
import flowdemux.report.CsvReport;
import flowdemux.report.FlowStore;
import flowdemux.source.CaptureReader;
import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PacketBuilder;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs in its own small JVM (BoundedMemoryTest): N distinct one-packet UDP flows, made in memory, through the
 * pipeline with --max-flows M, the CSV of every connection to standard output and the evictions to standard error.
 */
public final class FloodMain
{
    private FloodMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long flows = Long.parseLong(args[0]);
        final int maxFlows = Integer.parseInt(args[1]);
        final CsvReport csv = new CsvReport(Services.shipped());
        final FlowStore store = new FlowStore(Path.of(args[2]), csv);
        final OfflineRun run = new OfflineRun(1, maxFlows, i -> store, PacketFilter.ALL, ProgressListener.NONE,
            new ConnectionConfig());
        run.run(new Flood(flows));
        final AnalysisResult r = new AnalysisResult("flood", "synthetic", run.stats(), List.of(),
            store.aggregates(), store.evicted(), maxFlows, null, null);
        r.lines = FlowStore.lines(List.of(store));
        final BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        csv.write(r, out);
        out.flush();
        System.err.println("evicted=" + store.evicted() + " maxMemory=" + Runtime.getRuntime().maxMemory());
    }

    /** Distinct flows: client 10.x.y.z port p to 192.0.2.1:53, one datagram each, 1 µs apart. */
    private static final class Flood implements CaptureReader
    {
        private final long flows;
        private final PacketBuilder builder = new PacketBuilder();
        private final byte[] client = new byte[4];
        private final byte[] server = PacketBuilder.ipv4("192.0.2.1");
        private long n;

        Flood(final long flows)
        {
            this.flows = flows;
        }

        @Override
        public boolean next(final PacketRecord record)
        {
            if (n == flows)
            {
                return false;
            }
            final long host = n / 50_000;
            client[0] = 10;
            client[1] = (byte)(host >>> 16);
            client[2] = (byte)(host >>> 8);
            client[3] = (byte)host;
            builder.udp(client, 1024 + (int)(n % 50_000), server, 53, 8);
            record.set(builder.frame(), 0, builder.length(), builder.length());
            record.timestampNanos = 1_700_000_000_000_000_000L + n * 1000;
            record.linkType = LinkType.ETHERNET;
            record.index = n++;
            return true;
        }

        @Override
        public String formatName()
        {
            return "synthetic";
        }

        @Override
        public int[] linkTypes()
        {
            return new int[] {LinkType.ETHERNET};
        }

        @Override
        public long position()
        {
            return n;
        }

        @Override
        public void close()
        {
        }
    }
}
