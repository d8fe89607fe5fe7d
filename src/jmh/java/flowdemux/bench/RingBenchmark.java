package flowdemux.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * The reader-to-worker hand-off of the pipeline, on each candidate ring: a producer fills batches of 256 packet
 * descriptors and hands them to a consumer thread, which reads every descriptor and hands the batch back (the
 * recycling the pipeline does, so nothing is allocated). Score: descriptors handed over per second.
 * <pre>
 * mvn -Pbench -DskipTests package && java -jar target/benchmarks.jar RingBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RingBenchmark
{
    static final int BATCH = 256;
    static final int BATCHES = 20_000;
    static final int IN_FLIGHT = 16;

    /** A batch of descriptors, as the pipeline's Batch. */
    static final class Batch
    {
        final long[] fields = new long[BATCH * 4];
        int count;
    }

    @Param({"jctools", "agrona", "disruptor"})
    public String ring;

    @Benchmark
    @OperationsPerInvocation(BATCHES * BATCH)
    public long handOff() throws InterruptedException
    {
        switch (ring)
        {
            case "jctools":
                return queues(new SpscArrayQueue<>(IN_FLIGHT), new SpscArrayQueue<>(IN_FLIGHT));
            case "agrona":
                return queues(new OneToOneConcurrentArrayQueue<>(IN_FLIGHT), new OneToOneConcurrentArrayQueue<>(IN_FLIGHT));
            default:
                return disruptor();
        }
    }

    private static long queues(final Queue<Batch> full, final Queue<Batch> free) throws InterruptedException
    {
        for (int i = 0; i < IN_FLIGHT; i++)
        {
            free.offer(new Batch());
        }
        final long[] sum = new long[1];
        final Thread consumer = new Thread(() ->
        {
            long s = 0;
            for (int done = 0; done < BATCHES; )
            {
                final Batch b = full.poll();
                if (b == null)
                {
                    Thread.onSpinWait();
                    continue;
                }
                for (int i = 0; i < b.count; i++)
                {
                    s += b.fields[i * 4];
                }
                free.offer(b);
                done++;
            }
            sum[0] = s;
        });
        consumer.start();
        for (int sent = 0; sent < BATCHES; sent++)
        {
            Batch b;
            while ((b = free.poll()) == null)
            {
                Thread.onSpinWait();
            }
            fill(b, sent);
            full.offer(b);
        }
        consumer.join();
        return sum[0];
    }

    private static void fill(final Batch b, final int seed)
    {
        for (int i = 0; i < BATCH; i++)
        {
            b.fields[i * 4] = seed + i;
            b.fields[i * 4 + 1] = i;
        }
        b.count = BATCH;
    }

    /** The Disruptor's own pattern: batches are the ring's preallocated entries; the consumer's sequence gates. */
    private static long disruptor() throws InterruptedException
    {
        final RingBuffer<Batch> rb = RingBuffer.createSingleProducer(Batch::new, IN_FLIGHT, new BusySpinWaitStrategy());
        final SequenceBarrier barrier = rb.newBarrier();
        final Sequence consumed = new Sequence(-1);
        rb.addGatingSequences(consumed);
        final long[] sum = new long[1];
        final Thread consumer = new Thread(() ->
        {
            long s = 0;
            long next = 0;
            try
            {
                while (next < BATCHES)
                {
                    final long available = barrier.waitFor(next);
                    for (; next <= available; next++)
                    {
                        final Batch b = rb.get(next);
                        for (int i = 0; i < b.count; i++)
                        {
                            s += b.fields[i * 4];
                        }
                    }
                    consumed.set(available);
                }
            }
            catch (Exception e)
            {
                throw new IllegalStateException(e);
            }
            sum[0] = s;
        });
        consumer.start();
        for (int sent = 0; sent < BATCHES; sent++)
        {
            final long seq = rb.next();
            fill(rb.get(seq), sent);
            rb.publish(seq);
        }
        consumer.join();
        return sum[0];
    }
}
