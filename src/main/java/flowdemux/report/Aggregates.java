package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-port, per-server and distribution views over the flows of an analysis, built once at report time. */
public final class Aggregates
{
    public final List<PortSummary> ports;
    public final List<ServerSummary> servers;
    public final Histogram flowDurationNanos = new Histogram(3);
    public final Histogram bytesPerFlow = new Histogram(3);
    public final Histogram handshakeRttNanos = new Histogram(3);
    public final Map<String, Long> connStates = new LinkedHashMap<>();

    private Aggregates(final List<FlowRecord> flows)
    {
        final Map<String, PortSummary> byPort = new LinkedHashMap<>();
        final Map<String, ServerSummary> byServer = new LinkedHashMap<>();
        for (final FlowRecord f : flows)
        {
            if (f.endReason == EndReason.ACTIVE)
            {
                continue; // an interim record: the connection is counted by its final record
            }
            flowDurationNanos.recordValue(Math.max(0, f.durationNanos()));
            bytesPerFlow.recordValue(f.ipBytes());
            if (f.rttSynAckNanos >= 0)
            {
                handshakeRttNanos.recordValue(f.rttSynAckNanos);
            }
            connStates.merge(f.protocolName() + " " + f.connState, 1L, Long::sum);
            if (f.protocol != DecodedPacket.PROTO_TCP && f.protocol != DecodedPacket.PROTO_UDP)
            {
                continue;
            }
            final String proto = f.protocolName();
            byPort.computeIfAbsent(f.respPort + "/" + proto, k -> new PortSummary(f.respPort, proto)).add(f);
            final String server = f.respAddress();
            byServer.computeIfAbsent(server + "|" + f.respPort + "/" + proto,
                k -> new ServerSummary(server, f.respPort, proto)).add(f);
        }
        ports = new ArrayList<>(byPort.values());
        ports.sort(Comparator.comparingLong((PortSummary p) -> -p.connections)
            .thenComparing(p -> p.protocol).thenComparingInt(p -> p.port));
        servers = new ArrayList<>(byServer.values());
        servers.sort(Comparator.comparingLong((ServerSummary s) -> -s.connections)
            .thenComparing(s -> s.protocol).thenComparingInt(s -> s.port).thenComparing(s -> s.address));
    }

    /** Connections, not counting interim records (--active-timeout). */
    public static long connections(final List<FlowRecord> flows)
    {
        return flows.stream().filter(f -> f.endReason != EndReason.ACTIVE).count();
    }

    public static Aggregates of(final AnalysisResult result)
    {
        return new Aggregates(result.flows);
    }

    /** The flows that moved the most bytes, ties broken by order of appearance. */
    public static List<FlowRecord> topFlows(final List<FlowRecord> flows, final int n)
    {
        final List<FlowRecord> sorted = new ArrayList<>(flows);
        sorted.sort(Comparator.comparingLong((FlowRecord f) -> -f.ipBytes()).thenComparingLong(f -> f.serial));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }
}
