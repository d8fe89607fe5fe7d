package flowdemux.bench;

import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTable;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.TrafficGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole read of an in-memory generated capture (50k connections, about 720k packets) through the pipeline:
 * read, decode, checksums, fragments, dispatch, Zeek connection tracking, with 1, 2 or 4 workers. Score: packets
 * per second. The sink only counts connections, so the report is not measured.
 * <pre>
 * mvn -Pbench -DskipTests package && java -jar target/benchmarks.jar PipelineBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipelineBenchmark
{
    static final int FLOWS = 50_000;
    static final int PACKETS = 719_254; // what TrafficGenerator writes for these settings (checked in setup)

    @Param({"1", "2", "4"})
    public int workers;

    byte[] capture;

    @Setup(Level.Trial)
    public void generate() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(200 << 20);
        final TrafficGenerator g = new TrafficGenerator(1, FLOWS, 5_000, 10);
        try (PcapWriter w = new PcapWriter(out, 1, true))
        {
            g.write(w, 1_700_000_000_000_000_000L);
        }
        if (g.packets != PACKETS)
        {
            throw new IllegalStateException("the generator wrote " + g.packets + " packets; update PACKETS");
        }
        capture = out.toByteArray();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long read() throws Exception
    {
        final AtomicLong connections = new AtomicLong();
        final FlowSink count = (FlowTable table, int flow, EndReason reason) -> connections.incrementAndGet();
        final OfflineRun run = new OfflineRun(workers, 1_000_000, i -> count, PacketFilter.ALL, ProgressListener.NONE,
            new ConnectionConfig());
        run.run(CaptureReaders.open(new ByteArrayInputStream(capture)));
        return connections.get();
    }
}
