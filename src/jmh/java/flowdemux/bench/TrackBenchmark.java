package flowdemux.bench;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PackedPackets;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowKeys;
import flowdemux.flow.FlowTracker;
import flowdemux.source.PacketRecord;
import flowdemux.synth.CaptureWriter;
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

import java.util.concurrent.TimeUnit;

/**
 * A worker's part alone: Zeek connection tracking of decoded, keyed packets, in the pipeline's batches, on a table
 * that holds as many connections as a busy link keeps open under Zeek's timers. {@code track} looks each packet up
 * as it tracks it; {@code trackBatched} is the worker's path, which loads the whole batch's index slots and records
 * first (FlowTracker.onKeyedBatch). With {@code concurrency} equal to {@code flows}, every connection is open at
 * once: the packets are the first PACKETS of a capture in which all of them start together, so at 1M flows the
 * table holds a million connections and the lookups miss the caches.
 * <pre>
 * java -jar target/benchmarks.jar TrackBenchmark -p flows=1000000 -p concurrency=1000000
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

    @Param({"10000"})
    public int concurrency;

    long[][] batches;
    private final DecodedPacket unpacked = new DecodedPacket();
    FlowTracker tracker;

    /** Ends the generator once PACKETS frames are decoded. */
    private static final class Enough extends RuntimeException
    {
        Enough()
        {
            super(null, null, false, false);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final long[][] all = new long[PACKETS / BATCH][BATCH * PackedPackets.WORDS];
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        final PacketRecord record = new PacketRecord();
        final int[] n = {0};
        // Decoded as they are generated: a million connections' capture would not fit in one array.
        final CaptureWriter keep = new CaptureWriter()
        {
            @Override
            public void write(final long timestampNanos, final byte[] frame, final int length, final int interfaceId)
            {
                record.set(frame, 0, length, length);
                record.timestampNanos = timestampNanos;
                record.linkType = 1;
                record.index = n[0];
                if (decoder.decode(record) == DropReason.NONE)
                {
                    final DecodedPacket d = decoder.packet();
                    FlowKeys.key(d);
                    PackedPackets.pack(d, 0, 0, all[n[0] / BATCH], n[0] % BATCH);
                    if (++n[0] == PACKETS)
                    {
                        throw new Enough();
                    }
                }
            }

            @Override
            public void close()
            {
            }
        };
        try
        {
            new TrafficGenerator(3, flows, concurrency, 10).write(keep, TrafficGenerator.START_NANOS);
        }
        catch (Enough e)
        {
            // PACKETS decoded
        }
        // Smaller captures are replayed until PACKETS have been tracked (the timers see time stand still).
        batches = java.util.Arrays.copyOf(all, n[0] / BATCH);
        tracker = new FlowTracker(10_000_000, (t, f, reason) -> { }, new ConnectionConfig());
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long track()
    {
        long frames = 0;
        for (int i = 0; i < PACKETS / BATCH; i++)
        {
            final long[] batch = batches[i % batches.length];
            for (int j = 0; j < BATCH; j++)
            {
                PackedPackets.unpack(batch, j, null, unpacked);
                frames += tracker.onKeyedPacket(unpacked);
            }
        }
        return frames;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long trackBatched()
    {
        long frames = 0;
        for (int i = 0; i < PACKETS / BATCH; i++)
        {
            frames += tracker.onKeyedBatch(batches[i % batches.length], BATCH, null);
        }
        return frames;
    }
}
