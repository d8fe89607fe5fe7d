package flowdemux.bench;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowTracker;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;
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
import java.util.concurrent.TimeUnit;

/**
 * A worker's part alone: Zeek connection tracking of decoded packets, in the pipeline's batches, on a table that
 * holds as many connections as a busy link keeps open under Zeek's timers (every connection of the capture: it
 * spans seconds, the close delay is 5 s).
 * <pre>
 * java -jar target/benchmarks.jar TrackBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseParallelGC"})
public class TrackBenchmark
{
    static final int BATCH = 256;
    static final int PACKETS = 1 << 21;

    @Param({"20000", "200000"})
    public int flows;

    DecodedPacket[][] batches;
    FlowTracker tracker;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final byte[] capture = TrafficGenerator.pcap(3, flows, 10_000, 10);
        final DecodedPacket[][] all = new DecodedPacket[PACKETS / BATCH][BATCH];
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        int n = 0;
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(capture)))
        {
            final PacketRecord p = new PacketRecord();
            while (n < PACKETS && r.next(p))
            {
                if (decoder.decode(p) == DropReason.NONE)
                {
                    final DecodedPacket d = new DecodedPacket();
                    decoder.packet().copyTo(d);
                    all[n / BATCH][n % BATCH] = d;
                    n++;
                }
            }
        }
        // Smaller captures are replayed until PACKETS have been tracked (the timers see time stand still).
        batches = java.util.Arrays.copyOf(all, n / BATCH);
        tracker = new FlowTracker(10_000_000, (t, f, reason) -> { }, new ConnectionConfig());
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long track()
    {
        long frames = 0;
        for (int i = 0; i < PACKETS / BATCH; i++)
        {
            final DecodedPacket[] batch = batches[i % batches.length];
            for (final DecodedPacket p : batch)
            {
                frames += tracker.onPacket(p);
            }
        }
        return frames;
    }
}
