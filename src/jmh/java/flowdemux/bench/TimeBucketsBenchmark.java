package flowdemux.bench;

import flowdemux.util.TimeBuckets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the read's statistics pay per packet for the traffic-over-time view: two adds (packets, bytes) at the
 * packet's capture time, times rising as a capture's do.
 * <pre>
 * java -jar target/benchmarks.jar TimeBucketsBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TimeBucketsBenchmark
{
    static final int PACKETS = 1 << 16;

    final long[] times = new long[PACKETS];
    final int[] lengths = new int[PACKETS];
    TimeBuckets traffic;

    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(5);
        long t = 1_700_000_000_000_000_000L;
        for (int i = 0; i < PACKETS; i++)
        {
            t += random.nextInt(2_000); // about a million packets a second
            times[i] = t;
            lengths[i] = 60 + random.nextInt(1400);
        }
        traffic = new TimeBuckets(2);
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public TimeBuckets twoAddsPerPacket()
    {
        final TimeBuckets b = traffic;
        for (int i = 0; i < PACKETS; i++)
        {
            b.add(times[i], 0, 1);
            b.add(times[i], 1, lengths[i]);
        }
        return b;
    }
}
