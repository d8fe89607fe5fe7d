package flowdemux.perf;

import flowdemux.flow.FlowKeys;
import flowdemux.flow.FlowSlot;
import flowdemux.flow.FlowTable;
import flowdemux.util.Hashing;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The flow-table workload of {@code ./analyzer bench}: lookups-or-inserts of canonical 5-tuple keys with a few
 * counters updated per operation, on the project's table and, in the same run, on a {@code HashMap} of key records
 * to state objects doing the same work. Keys are drawn at random, a batch at a time, outside the timed part.
 */
public final class FlowTableBench
{
    /** Operations per timed batch (for the latency histogram). */
    public static final int BATCH = 10_000;

    /** What one run measured. */
    public static final class Result
    {
        public String name;
        public long flows;
        public long ops;
        public double seconds;
        public double bytesPerFlow;
        public final Histogram batchNanos = new Histogram(3);
        private long lapStart;
        private long timedNanos;

        /** Starts the timed part of a batch (its keys are drawn before). */
        void start()
        {
            lapStart = System.nanoTime();
        }

        /** Ends the timed part of a batch of {@link #BATCH} operations. */
        void lap()
        {
            final long nanos = System.nanoTime() - lapStart;
            batchNanos.recordValue(nanos);
            timedNanos += nanos;
        }

        void finish(final long operations)
        {
            ops = operations;
            seconds = timedNanos / 1e9;
        }

        public double opsPerSecond()
        {
            return ops / seconds;
        }

        public double nanosPerOp()
        {
            return seconds * 1e9 / ops;
        }
    }

    /** The baseline's key: what a straightforward implementation would use. */
    record Key(long aHi, long aLo, long bHi, long bLo, long portsProto)
    {
    }

    /** The baseline's per-flow state. */
    static final class State
    {
        long packets;
        long bytes;
        long lastSeen;
    }

    private final long[] aLo;
    private final long[] bLo;
    private final long[] ports;
    /** The keys of one batch, in the order of its operations, as a packet would hold its own key. */
    private final long[] batchALo = new long[BATCH];
    private final long[] batchBLo = new long[BATCH];
    private final long[] batchPorts = new long[BATCH];
    private final int flows;
    private final long ops;
    private final long seed;

    public FlowTableBench(final int flows, final long ops, final long seed)
    {
        this.flows = flows;
        this.ops = ops;
        this.seed = seed;
        aLo = new long[flows];
        bLo = new long[flows];
        ports = new long[flows];
        final SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < flows; i++)
        {
            // IPv4-mapped addresses, client and server; ports; TCP or UDP.
            aLo[i] = 0x0000_FFFF_0000_0000L | (0x0A00_0000L + (i >>> 8));
            bLo[i] = 0x0000_FFFF_0000_0000L | (0xC633_6400L + r.nextInt(4096));
            ports[i] = FlowKeys.portsProto(1024 + (i & 0x7FFF), 443, (i & 1) == 0 ? 6 : 17);
        }
    }

    /**
     * Draws the next batch's keys, outside the timed part: in a read the key comes from the packet at hand, so
     * what is timed is the table's own work, not random reads of the bench's key arrays.
     */
    private void drawBatch(final SplittableRandom r)
    {
        for (int k = 0; k < BATCH; k++)
        {
            final int i = r.nextInt(flows);
            batchALo[k] = aLo[i];
            batchBLo[k] = bLo[i];
            batchPorts[k] = ports[i];
        }
    }

    private static long usedHeap()
    {
        final Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Packets a worker takes at a time (the pipeline's Batch.SIZE): the batched path looks ahead over this many. */
    public static final int LOOKAHEAD = 512;

    /** The project's table, sized for the flows (no eviction), one packet at a time. */
    public Result flowTable()
    {
        return flowTable(false);
    }

    /**
     * The project's table as a worker uses it: each batch of {@link #LOOKAHEAD} keys first loads its index slots and
     * records ({@code FlowTable.touch}), then does the same lookups-or-inserts and updates.
     */
    public Result flowTableBatched()
    {
        return flowTable(true);
    }

    private final long[] hashes = new long[LOOKAHEAD];
    private final long[] entries = new long[LOOKAHEAD];
    /** Folded words of the lookahead, kept so that the JIT cannot drop its loads. */
    private long touched;
    private final FlowSlot slot = new FlowSlot();

    private Result flowTable(final boolean batched)
    {
        final Result result = new Result();
        result.name = batched ? "flowdemux, batched" : "flowdemux, one at a time";
        result.flows = flows;
        final long before = usedHeap();
        final FlowTable table = new FlowTable(flows, (t, f, reason) -> { });
        final SplittableRandom r = new SplittableRandom(seed + 1);
        final long batches = ops / BATCH;
        for (long batch = 0; batch < batches; batch++)
        {
            drawBatch(r);
            result.start();
            for (int start = 0; start < BATCH; start += LOOKAHEAD)
            {
                final int end = Math.min(BATCH, start + LOOKAHEAD);
                // The hash is part of the work either way, in a pass of its own: in a read the reader computes it
                // before the worker's passes, and a pass that only loads index slots keeps more misses in flight
                // than one that also mixes the hash.
                long seen = 0;
                final boolean ahead = batched && table.lookaheadPays();
                for (int k = start; k < end; k++)
                {
                    hashes[k - start] = FlowKeys.hash(0, batchALo[k], 0, batchBLo[k], batchPorts[k]);
                }
                if (ahead)
                {
                    final int n = end - start;
                    for (int k = 0; k < n; k++)
                    {
                        entries[k] = table.touchIndex(hashes[k]);
                    }
                    for (int k = 0; k < n; k++)
                    {
                        seen ^= table.touchRecord(hashes[k], entries[k]);
                    }
                }
                touched ^= seen;
                for (int k = start; k < end; k++)
                {
                    final long keyA = batchALo[k];
                    final long keyB = batchBLo[k];
                    final long keyPorts = batchPorts[k];
                    final long hash = hashes[k - start];
                    int flow = table.find(0, keyA, 0, keyB, keyPorts, hash);
                    if (flow < 0)
                    {
                        flow = table.insert(0, keyA, 0, keyB, keyPorts, hash);
                    }
                    // The same three updates as the HashMap's (the slot's count also adds 0 payload bytes).
                    final FlowSlot f = slot.wrap(table, flow);
                    f.count(true, 100, 0);
                    f.advanceLastTs(batch * BATCH + k);
                }
            }
            result.lap();
        }
        result.finish(batches * BATCH);
        result.bytesPerFlow = (double)(usedHeap() - before) / Math.max(1, table.size());
        if (table.size() == 0)
        {
            throw new IllegalStateException("nothing was tracked");
        }
        return result;
    }

    /** The baseline: HashMap<Key record, State object>, the same operations. */
    public Result hashMap()
    {
        final Result result = new Result();
        result.name = "HashMap<record, object>";
        result.flows = flows;
        final long before = usedHeap();
        final Map<Key, State> map = new HashMap<>();
        final SplittableRandom r = new SplittableRandom(seed + 1);
        final long batches = ops / BATCH;
        for (long batch = 0; batch < batches; batch++)
        {
            drawBatch(r);
            result.start();
            for (int k = 0; k < BATCH; k++)
            {
                final State s = map.computeIfAbsent(new Key(0, batchALo[k], 0, batchBLo[k], batchPorts[k]),
                    key -> new State());
                s.packets++;
                s.bytes += 100;
                s.lastSeen = batch * BATCH + k;
            }
            result.lap();
        }
        result.finish(batches * BATCH);
        result.bytesPerFlow = (double)(usedHeap() - before) / Math.max(1, map.size());
        if (Hashing.mix(map.size()) == 42)
        {
            throw new IllegalStateException("unreachable: keeps the map alive");
        }
        return result;
    }
}
