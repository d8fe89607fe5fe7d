package flowdemux.perf;

import flowdemux.flow.FlowLayout;
import flowdemux.flow.FlowTable;
import flowdemux.util.Hashing;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The flow-table workload of {@code ./analyzer bench}: lookups-or-inserts of canonical 5-tuple keys with a few
 * counters updated per operation, on the project's table and, in the same run, on a {@code HashMap} of key records
 * to state objects doing the same work.
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

        long start()
        {
            lapStart = System.nanoTime();
            return lapStart;
        }

        /** Ends one batch of {@link #BATCH} operations and starts the next. */
        void lap()
        {
            final long now = System.nanoTime();
            batchNanos.recordValue(now - lapStart);
            lapStart = now;
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
            ports[i] = FlowLayout.portsProto(1024 + (i & 0x7FFF), 443, (i & 1) == 0 ? 6 : 17);
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

    /** The project's table, sized for the flows (no eviction). */
    public Result flowTable()
    {
        final Result result = new Result();
        result.name = "flowdemux FlowTable";
        result.flows = flows;
        final long before = usedHeap();
        final FlowTable table = new FlowTable(flows, (t, f, reason) -> { });
        final SplittableRandom r = new SplittableRandom(seed + 1);
        final long start = result.start();
        for (long op = 0; op < ops; op++)
        {
            final int i = r.nextInt(flows);
            final long hash = FlowTable.hash(0, aLo[i], 0, bLo[i], ports[i]);
            int flow = table.find(0, aLo[i], 0, bLo[i], ports[i], hash);
            if (flow < 0)
            {
                flow = table.insert(0, aLo[i], 0, bLo[i], ports[i], hash);
            }
            final long[] s = table.page(flow);
            final int b = FlowTable.base(flow);
            s[b + FlowLayout.PKTS]++;
            s[b + FlowLayout.IP_BYTES_ORIG] += 100;
            s[b + FlowLayout.LAST_TS] = op;
            if ((op + 1) % BATCH == 0)
            {
                result.lap();
            }
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        result.ops = ops;
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
        final long start = result.start();
        for (long op = 0; op < ops; op++)
        {
            final int i = r.nextInt(flows);
            final State s = map.computeIfAbsent(new Key(0, aLo[i], 0, bLo[i], ports[i]), k -> new State());
            s.packets++;
            s.bytes += 100;
            s.lastSeen = op;
            if ((op + 1) % BATCH == 0)
            {
                result.lap();
            }
        }
        result.seconds = (System.nanoTime() - start) / 1e9;
        result.ops = ops;
        result.bytesPerFlow = (double)(usedHeap() - before) / Math.max(1, map.size());
        if (Hashing.mix(map.size()) == 42)
        {
            throw new IllegalStateException("unreachable: keeps the map alive");
        }
        return result;
    }
}
