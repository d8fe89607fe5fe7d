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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-packet steps alone, over 100,000 generated packets held in memory: decoding (with checksums), and
 * decoding plus the flow update (Zeek connection tracking). Run with {@code -prof gc}: gc.alloc.rate.norm per
 * operation should be about 0 bytes.
 * <pre>
 * java -jar target/benchmarks.jar HotPathBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark
{
    static final int PACKETS = 100_000;

    /** --checksums: offload (read's default) or ignore (capture's), to see what verifying costs. */
    @org.openjdk.jmh.annotations.Param({"OFFLOAD", "IGNORE"})
    public flowdemux.decode.ChecksumMode checksums;

    PacketRecord[] packets;
    PacketDecoder decoder;
    FlowTracker tracker;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final byte[] capture = TrafficGenerator.pcap(2, 8_000, 1_000, 10);
        final List<PacketRecord> list = new ArrayList<>();
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(capture)))
        {
            final PacketRecord p = new PacketRecord();
            while (list.size() < PACKETS && r.next(p))
            {
                final PacketRecord copy = new PacketRecord();
                p.copyTo(copy);
                list.add(copy);
            }
        }
        if (list.size() < PACKETS)
        {
            throw new IllegalStateException("only " + list.size() + " packets");
        }
        packets = list.toArray(new PacketRecord[0]);
        decoder = new PacketDecoder(checksums);
        tracker = new FlowTracker(1_000_000, (t, f, reason) -> { }, new ConnectionConfig());
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int decode()
    {
        int decoded = 0;
        for (final PacketRecord p : packets)
        {
            if (decoder.decode(p) == DropReason.NONE)
            {
                decoded++;
            }
        }
        return decoded;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long decodeAndTrack()
    {
        long frames = 0;
        final DecodedPacket d = decoder.packet();
        for (final PacketRecord p : packets)
        {
            if (decoder.decode(p) == DropReason.NONE)
            {
                frames += tracker.onPacket(d);
            }
        }
        return frames;
    }
}
