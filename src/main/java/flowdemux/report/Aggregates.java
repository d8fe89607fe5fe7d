package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Per-port, per-server, top-flow and distribution views, built as connections end (one per worker, merged at the
 * end), so no report needs every connection in memory at once.
 */
public final class Aggregates
{
    /** Connections kept for the top lists, the largest by bytes. */
    public static final int TOP_KEPT = 1000;
    /**
     * Server sockets tracked by name; connections to more are counted under {@link #otherServerConnections}. Beyond
     * the bound the sockets kept are the lowest by address, port and protocol (not the first seen), so that the
     * report is the same for any order of connections and any number of workers (see ServerSummary's clients).
     */
    static final int MAX_SERVERS = 200_000;

    private static final Comparator<FlowRecord> BY_BYTES =
        Comparator.comparingLong((FlowRecord f) -> -f.ipBytes()).thenComparingLong(f -> f.serial);

    /** By port << 8 | IP protocol: no text and no boxed key per connection. */
    private final Int2ObjectHashMap<PortSummary> byPort = new Int2ObjectHashMap<>();
    /** Connections by IP protocol (index) and conn_state (key); made into text at report time. */
    private final Map<String, long[]> statesByProtocol = new HashMap<>();
    private final Map<ServerKey, ServerSummary> byServer = new HashMap<>();

    /** A server socket as a map key, without text; ordered by address, port, protocol. */
    private record ServerKey(long hi, long lo, int port, int protocol) implements Comparable<ServerKey>
    {
        @Override
        public int compareTo(final ServerKey o)
        {
            int c = Long.compareUnsigned(hi, o.hi);
            c = c != 0 ? c : Long.compareUnsigned(lo, o.lo);
            c = c != 0 ? c : Integer.compare(port, o.port);
            return c != 0 ? c : Integer.compare(protocol, o.protocol);
        }
    }

    /** The kept server keys in order, made when {@link #MAX_SERVERS} is first reached (null before). */
    private java.util.TreeSet<ServerKey> serversInOrder;
    /** The largest flows so far; the head is the smallest of them. */
    private final PriorityQueue<FlowRecord> top = new PriorityQueue<>(BY_BYTES.reversed());
    public final Histogram flowDurationNanos = new Histogram(3);
    public final Histogram bytesPerFlow = new Histogram(3);
    public final Histogram handshakeRttNanos = new Histogram(3);
    /** Exact largest values: a histogram's max is only its bucket's highest equivalent value. */
    public long maxDurationNanos;
    public long maxBytesPerFlow;
    public long maxHandshakeRttNanos;
    /** "tcp SF" -> connections ("gre (47) OTH" for other IP protocols), sorted, so the order does not depend on which worker ended a connection first. */
    public Map<String, Long> connStates()
    {
        final Map<String, Long> named = new java.util.TreeMap<>();
        statesByProtocol.forEach((state, counts) ->
        {
            for (int proto = 0; proto < 256; proto++)
            {
                if (counts[proto] > 0)
                {
                    named.merge(Formats.ipProtocol(proto) + " " + state, counts[proto], Long::sum);
                }
            }
        });
        return named;
    }
    public long connections;
    public long otherServerConnections;

    /** Counts a connection as it ends; interim records (--active-timeout) are left to the final one. */
    public void add(final FlowRecord f)
    {
        if (f.endReason == EndReason.ACTIVE)
        {
            return;
        }
        connections++;
        flowDurationNanos.recordValue(Math.max(0, f.durationNanos()));
        maxDurationNanos = Math.max(maxDurationNanos, f.durationNanos());
        bytesPerFlow.recordValue(f.ipBytes());
        maxBytesPerFlow = Math.max(maxBytesPerFlow, f.ipBytes());
        if (f.rttSynAckNanos >= 0)
        {
            handshakeRttNanos.recordValue(f.rttSynAckNanos);
            maxHandshakeRttNanos = Math.max(maxHandshakeRttNanos, f.rttSynAckNanos);
        }
        statesByProtocol.computeIfAbsent(f.connState, k -> new long[256])[f.protocol & 0xFF]++;
        offerTop(f);
        if (f.protocol != DecodedPacket.PROTO_TCP && f.protocol != DecodedPacket.PROTO_UDP)
        {
            return;
        }
        final String proto = f.protocolName();
        final int portKey = (f.respPort << 8) | f.protocol;
        PortSummary port = byPort.get(portKey);
        if (port == null)
        {
            port = new PortSummary(f.respPort, proto);
            byPort.put(portKey, port);
        }
        port.add(f);
        final ServerKey key = new ServerKey(f.respHi, f.respLo, f.respPort, f.protocol);
        ServerSummary server = byServer.get(key);
        if (server == null)
        {
            if (!roomFor(key))
            {
                otherServerConnections++;
                return;
            }
            server = new ServerSummary(f.respHi, f.respLo, f.respPort, proto);
            keep(key, server);
        }
        server.add(f);
    }

    /**
     * Whether a new server socket is kept: always below the bound; at it, only if it orders below the highest kept,
     * which then goes (its connections counted under otherServerConnections).
     */
    private boolean roomFor(final ServerKey key)
    {
        if (byServer.size() < MAX_SERVERS)
        {
            return true;
        }
        if (serversInOrder == null)
        {
            serversInOrder = new java.util.TreeSet<>(byServer.keySet());
        }
        final ServerKey highest = serversInOrder.last();
        if (key.compareTo(highest) > 0)
        {
            return false;
        }
        serversInOrder.remove(highest);
        otherServerConnections += byServer.remove(highest).connections;
        return true;
    }

    private void keep(final ServerKey key, final ServerSummary server)
    {
        byServer.put(key, server);
        if (serversInOrder != null)
        {
            serversInOrder.add(key);
        }
    }

    private void offerTop(final FlowRecord f)
    {
        if (top.size() < TOP_KEPT)
        {
            top.add(f);
        }
        else if (BY_BYTES.compare(f, top.peek()) < 0)
        {
            top.poll();
            top.add(f);
        }
    }

    /** Adds another worker's aggregates to these. */
    public void merge(final Aggregates other)
    {
        connections += other.connections;
        otherServerConnections += other.otherServerConnections;
        flowDurationNanos.add(other.flowDurationNanos);
        bytesPerFlow.add(other.bytesPerFlow);
        handshakeRttNanos.add(other.handshakeRttNanos);
        maxDurationNanos = Math.max(maxDurationNanos, other.maxDurationNanos);
        maxBytesPerFlow = Math.max(maxBytesPerFlow, other.maxBytesPerFlow);
        maxHandshakeRttNanos = Math.max(maxHandshakeRttNanos, other.maxHandshakeRttNanos);
        other.statesByProtocol.forEach((k, v) ->
        {
            final long[] mine = statesByProtocol.computeIfAbsent(k, x -> new long[256]);
            for (int i = 0; i < 256; i++)
            {
                mine[i] += v[i];
            }
        });
        other.top.forEach(this::offerTop);
        other.byPort.forEachInt((k, v) ->
        {
            final PortSummary mine = byPort.get(k);
            if (mine == null)
            {
                byPort.put(k, v);
            }
            else
            {
                mine.merge(v);
            }
        });
        other.byServer.forEach((k, v) ->
        {
            final ServerSummary mine = byServer.get(k);
            if (mine != null)
            {
                mine.merge(v);
            }
            else if (roomFor(k))
            {
                keep(k, v);
            }
            else
            {
                otherServerConnections += v.connections;
            }
        });
    }

    /** Ports, most connections first. */
    public List<PortSummary> ports()
    {
        final List<PortSummary> ports = new ArrayList<>(byPort.values());
        ports.sort(Comparator.comparingLong((PortSummary p) -> -p.connections)
            .thenComparing(p -> p.protocol).thenComparingInt(p -> p.port));
        return ports;
    }

    /** Server sockets, most connections first. */
    public List<ServerSummary> servers()
    {
        final List<ServerSummary> servers = new ArrayList<>(byServer.values());
        servers.sort(Comparator.comparingLong((ServerSummary s) -> -s.connections)
            .thenComparing(s -> s.protocol).thenComparingInt(s -> s.port).thenComparing(ServerSummary::address));
        return servers;
    }

    /** The {@code n} connections that moved the most bytes, ties broken by order of appearance. */
    public List<FlowRecord> topFlows(final int n)
    {
        final List<FlowRecord> sorted = new ArrayList<>(top);
        sorted.sort(BY_BYTES);
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    /** Aggregates of a list of flows (small inputs, tests). */
    public static Aggregates of(final Iterable<FlowRecord> flows)
    {
        final Aggregates a = new Aggregates();
        for (final FlowRecord f : flows)
        {
            a.add(f);
        }
        return a;
    }
}
