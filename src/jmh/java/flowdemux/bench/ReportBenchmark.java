package flowdemux.bench;

import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowTable;
import flowdemux.flow.FlowTracker;
import flowdemux.decode.DecodeStats;
import flowdemux.report.Aggregates;
import flowdemux.report.AnalysisResult;
import flowdemux.report.FlowStore;
import flowdemux.report.LocalNets;
import flowdemux.report.ZeekConnLog;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The report's per-connection work, over the connections of a generated capture: the per-port, per-server and
 * top-flow views of {@link Aggregates} built as connections end, and the Zeek conn.log written from the records.
 * <pre>
 * java -jar target/benchmarks.jar ReportBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx3g", "-XX:+UseParallelGC"})
public class ReportBenchmark
{
    static final int CONNECTIONS = 50_000;

    List<FlowRecord> records;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final byte[] capture = TrafficGenerator.pcap(5, CONNECTIONS, 10_000, 10);
        records = new ArrayList<>(CONNECTIONS);
        final FlowTracker tracker = new FlowTracker(10_000_000,
            (table, flow, reason) -> records.add(FlowRecord.of(table, flow, reason)), new ConnectionConfig());
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        long last = 0;
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(capture)))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                if (decoder.decode(p) == DropReason.NONE)
                {
                    tracker.onPacket(decoder.packet());
                    last = decoder.packet().timestampNanos;
                }
            }
        }
        tracker.flushAll(last);
        if (records.size() != CONNECTIONS)
        {
            throw new IllegalStateException(records.size() + " connections, expected " + CONNECTIONS);
        }
    }

    /**
     * The whole end of a connection as a worker does it for JSON with {@code --top all}, in ns per connection: the
     * record out of the slot, the aggregates and the line into the worker's run (a conn.log line here; spilled to a
     * temporary file every run). The flows stay in the table (a sink only reads the slot), so each invocation ends the
     * same CONNECTIONS live flows again.
     */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long endOfConnection()
    {
        return endAll(store);
    }

    /**
     * The end of a connection for {@code --format zeek} (and CSV, JSON lines): the record and the conn.log line into
     * the worker's run, spilled as above; no aggregates, as those formats print none.
     */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long endOfConnectionLinesOnly()
    {
        return endAll(linesOnlyStore);
    }

    /** The same without a line per connection (text and JSON reports): the record and the aggregates. */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long endOfConnectionNoLines()
    {
        return endAll(countingStore);
    }

    /** Ends every live flow into {@code into}, as a worker's sink sees them end. */
    private long endAll(final FlowStore into)
    {
        final FlowTable table = live.table();
        for (final int flow : liveFlows)
        {
            into.flowEnded(table, flow, EndReason.TIMEOUT);
        }
        return into.records();
    }

    /** The record alone, copied out of the slot. */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long recordOnly()
    {
        final FlowTable table = live.table();
        long sum = 0;
        for (final int flow : liveFlows)
        {
            sum += record.fill(table, flow, EndReason.TIMEOUT).ipBytes();
        }
        return sum;
    }

    /** The conn.log line alone, formatted from the record into a reused line (what a worker copies into its run). */
    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long zeekLineOnly()
    {
        final FlowTable table = live.table();
        long sum = 0;
        for (final int flow : liveFlows)
        {
            line.setLength(0);
            zeek.append(record.fill(table, flow, EndReason.TIMEOUT), line);
            sum += line.length();
        }
        return sum;
    }

    final flowdemux.util.AsciiLine line = new flowdemux.util.AsciiLine(512);
    final ZeekConnLog zeek = new ZeekConnLog(LocalNets.zeekDefault(), false);

    FlowTracker live;
    int[] liveFlows;
    FlowStore store;
    FlowStore linesOnlyStore;
    FlowStore countingStore;
    final FlowRecord record = FlowRecord.reusable();

    @Setup(Level.Trial)
    public void setUpLive() throws Exception
    {
        // Every connection open at once: the capture ends before any of them does.
        final byte[] capture = TrafficGenerator.pcap(5, CONNECTIONS, CONNECTIONS, 10);
        live = new FlowTracker(1 << 20, (table, flow, reason) -> { }, new ConnectionConfig());
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(capture)))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                if (decoder.decode(p) == DropReason.NONE)
                {
                    live.onPacket(decoder.packet());
                }
            }
        }
        final List<Integer> flows = new ArrayList<>();
        live.table().forEach(flows::add);
        liveFlows = flows.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Fresh stores for each iteration, their spilled runs merged and deleted at its end, as a read's are when it ends:
     * an iteration spills about as much as a read of a few million connections (142 bytes a conn.log line). Kept for
     * a whole trial, the runs grew to several GB of page cache, and the spill's copies into new page cache cost about
     * four times as much a byte (async-profiler: 1.7 ns against 0.4), half of endOfConnectionLinesOnly's time.
     */
    @Setup(Level.Iteration)
    public void newStores()
    {
        store = new FlowStore(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")),
            new ZeekConnLog(LocalNets.zeekDefault(), false));
        linesOnlyStore = new FlowStore(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")),
            new ZeekConnLog(LocalNets.zeekDefault(), false), false);
        countingStore = new FlowStore(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), null);
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Iteration)
    public void tearDown() throws IOException
    {
        // Deletes the spilled runs.
        FlowStore.lines(List.of(store)).writeTo(Writer.nullWriter());
        FlowStore.lines(List.of(linesOnlyStore)).writeTo(Writer.nullWriter());
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    public Aggregates aggregate()
    {
        return Aggregates.of(records);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS)
    public long zeekConnLog() throws IOException
    {
        final AnalysisResult r = new AnalysisResult("bench", "zeek", new DecodeStats(), records,
            new Aggregates(), 0, 1, null, null);
        final Writer out = new BufferedWriter(new OutputStreamWriter(OutputStream.nullOutputStream(),
            StandardCharsets.UTF_8), 1 << 16);
        new ZeekConnLog(LocalNets.zeekDefault(), false).write(r, out);
        return r.flows.hashCode();
    }
}
