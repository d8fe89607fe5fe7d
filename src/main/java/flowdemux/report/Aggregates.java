package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.ConnState;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.util.AddressIndex;
import flowdemux.util.Addresses;
import flowdemux.util.TimeBuckets;
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

    /** Most bytes first, ties by first packet: written out, as it runs for every connection that ends. */
    private static final Comparator<FlowRecord> BY_BYTES = Aggregates::byBytes;

    private static int byBytes(final FlowRecord a, final FlowRecord b)
    {
        final int c = Long.compare(b.ipBytes(), a.ipBytes());
        return c != 0 ? c : Long.compare(a.serial, b.serial);
    }

    /** By port << 8 | IP protocol: no text and no boxed key per connection. */
    private final Int2ObjectHashMap<PortSummary> byPort = new Int2ObjectHashMap<>();
    /** Connections by conn_state code and IP protocol; made into text at report time. */
    private final long[][] statesByProtocol = new long[ConnState.COUNT][256];
    /** Server sockets: address and port << 8 | IP protocol, to their place in {@link #serverList}. */
    private final AddressIndex byServer = new AddressIndex();
    private final List<ServerSummary> serverList = new ArrayList<>();

    /** A server socket as a map key, without text; ordered by address, port, protocol. */
    private record ServerKey(long hi, long lo, int port, int protocol) implements Comparable<ServerKey>
    {
        static ServerKey of(final ServerSummary s)
        {
            return new ServerKey(s.hi, s.lo, s.port, s.protocolNumber);
        }

        @Override
        public int compareTo(final ServerKey o)
        {
            int c = Addresses.compare(hi, lo, o.hi, o.lo);
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
    /**
     * Connections over capture time: at their first packet (column 0), and at their last packet by outcome (columns 1
     * to 6, in the order of {@link PortSummary#OUTCOMES}); one still open at the end of the input counts at its last
     * packet with the state it had (in progress, half-open, ...).
     */
    public final TimeBuckets connectionsOverTime = new TimeBuckets(1 + PortSummary.OUTCOMES.length);
    /** Exact largest values: a histogram's max is only its bucket's highest equivalent value. */
    public long maxDurationNanos;
    public long maxBytesPerFlow;
    public long maxHandshakeRttNanos;
    /** "tcp SF" -> connections ("gre (47) OTH" for other IP protocols), sorted, so the order does not depend on which worker ended a connection first. */
    public Map<String, Long> connStates()
    {
        final Map<String, Long> named = new java.util.TreeMap<>();
        for (int state = 0; state < ConnState.COUNT; state++)
        {
            for (int proto = 0; proto < 256; proto++)
            {
                final long n = statesByProtocol[state][proto];
                if (n > 0)
                {
                    named.merge(Formats.ipProtocol(proto) + " " + ConnState.name(state), n, Long::sum);
                }
            }
        }
        return named;
    }
    public long connections;
    public long otherServerConnections;
    /** Connections by service their payload showed (a connection with two, "ftp,ssl", counts under both). */
    public final long[] serviceConnections = new long[flowdemux.service.ServiceId.COUNT];
    /** Connections inside tunnels, and their IP bytes, by the innermost tunnel's kind (decode.Tunnel). */
    public final long[] tunnelConnections = new long[flowdemux.decode.Tunnel.COUNT];
    public final long[] tunnelIpBytes = new long[flowdemux.decode.Tunnel.COUNT];
    /** Connections in which some service was recognised. */
    public long recognisedConnections;
    /** TLS and QUIC clients by JA4, with the server names they asked for. */
    public final TlsClients tlsClients = new TlsClients();
    /** The programs behind local endpoints (live capture with attribution). */
    public final Processes processes = new Processes();

    /**
     * Counts a connection as it ends; interim records (--active-timeout) are left to the final one. Keeps nothing of
     * {@code f} but a copy: the caller may refill it.
     */
    public void add(final FlowRecord f)
    {
        if (f.endReason == EndReason.ACTIVE)
        {
            return;
        }
        connections++;
        if (f.origOwner != null || f.respOwner != null)
        {
            processes.add(f);
        }
        connectionsOverTime.add(f.firstNanos, 0, 1);
        connectionsOverTime.add(f.lastNanos, 1 + ConnState.outcome(f.connStateCode), 1);
        flowDurationNanos.recordValue(Math.max(0, f.durationNanos()));
        maxDurationNanos = Math.max(maxDurationNanos, f.durationNanos());
        bytesPerFlow.recordValue(f.ipBytes());
        maxBytesPerFlow = Math.max(maxBytesPerFlow, f.ipBytes());
        if (f.rttSynAckNanos >= 0)
        {
            handshakeRttNanos.recordValue(f.rttSynAckNanos);
            maxHandshakeRttNanos = Math.max(maxHandshakeRttNanos, f.rttSynAckNanos);
        }
        statesByProtocol[f.connStateCode][f.protocol & 0xFF]++;
        if (f.tunnelParentCount > 0)
        {
            tunnelConnections[f.tunnelType]++;
            tunnelIpBytes[f.tunnelType] += f.ipBytes();
        }
        if (f.services != 0)
        {
            recognisedConnections++;
            for (int s = f.services; s != 0; s &= s - 1)
            {
                serviceConnections[Integer.numberOfTrailingZeros(s)]++;
            }
        }
        if (f.noteKind() == flowdemux.service.ServiceNotes.TLS)
        {
            final String ja4 = f.noteText(2);
            if (ja4 != null)
            {
                tlsClients.add(ja4, f.noteText(0), 1);
            }
        }
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
        final int at = byServer.get(f.respHi, f.respLo, portKey);
        final ServerSummary server;
        if (at == AddressIndex.MISSING)
        {
            if (!roomFor(f.respHi, f.respLo, f.respPort, f.protocol))
            {
                otherServerConnections++;
                return;
            }
            server = new ServerSummary(f.respHi, f.respLo, f.respPort, f.protocol, proto);
            keep(server);
        }
        else
        {
            server = serverList.get(at);
        }
        server.add(f);
    }

    /**
     * Whether a new server socket is kept: always below the bound; at it, only if it orders below the highest kept,
     * which then goes (its connections counted under otherServerConnections). The ordered set is made only when the
     * bound is first reached, and a key object only for a new socket beyond it.
     */
    private boolean roomFor(final long hi, final long lo, final int port, final int protocol)
    {
        if (serverList.size() < MAX_SERVERS)
        {
            return true;
        }
        if (serversInOrder == null)
        {
            serversInOrder = new java.util.TreeSet<>();
            for (final ServerSummary s : serverList)
            {
                serversInOrder.add(ServerKey.of(s));
            }
        }
        final ServerKey key = new ServerKey(hi, lo, port, protocol);
        final ServerKey highest = serversInOrder.last();
        if (key.compareTo(highest) > 0)
        {
            return false;
        }
        serversInOrder.remove(highest);
        otherServerConnections += removeServer(highest).connections;
        return true;
    }

    private void keep(final ServerSummary server)
    {
        byServer.put(server.hi, server.lo, server.portKey(), serverList.size());
        serverList.add(server);
        if (serversInOrder != null)
        {
            serversInOrder.add(ServerKey.of(server));
        }
    }

    /** Takes a server out; the last one in the list fills its place. */
    private ServerSummary removeServer(final ServerKey key)
    {
        final int at = byServer.remove(key.hi(), key.lo(), (key.port() << 8) | key.protocol());
        final ServerSummary removed = serverList.get(at);
        final ServerSummary last = serverList.remove(serverList.size() - 1);
        if (last != removed)
        {
            serverList.set(at, last);
            byServer.put(last.hi, last.lo, last.portKey(), at);
        }
        return removed;
    }

    /** Keeps the connection among the largest if it is one; a copy, as a worker refills its record. */
    private void offerTop(final FlowRecord f)
    {
        if (top.size() < TOP_KEPT)
        {
            top.add(f.copy());
        }
        else if (BY_BYTES.compare(f, top.peek()) < 0)
        {
            top.poll();
            top.add(f.copy());
        }
    }

    /** Adds another worker's aggregates to these. */
    public void merge(final Aggregates other)
    {
        connections += other.connections;
        recognisedConnections += other.recognisedConnections;
        for (int i = 0; i < serviceConnections.length; i++)
        {
            serviceConnections[i] += other.serviceConnections[i];
        }
        for (int i = 0; i < tunnelConnections.length; i++)
        {
            tunnelConnections[i] += other.tunnelConnections[i];
            tunnelIpBytes[i] += other.tunnelIpBytes[i];
        }
        connectionsOverTime.merge(other.connectionsOverTime);
        tlsClients.merge(other.tlsClients);
        processes.merge(other.processes);
        otherServerConnections += other.otherServerConnections;
        flowDurationNanos.add(other.flowDurationNanos);
        bytesPerFlow.add(other.bytesPerFlow);
        handshakeRttNanos.add(other.handshakeRttNanos);
        maxDurationNanos = Math.max(maxDurationNanos, other.maxDurationNanos);
        maxBytesPerFlow = Math.max(maxBytesPerFlow, other.maxBytesPerFlow);
        maxHandshakeRttNanos = Math.max(maxHandshakeRttNanos, other.maxHandshakeRttNanos);
        for (int state = 0; state < ConnState.COUNT; state++)
        {
            for (int i = 0; i < 256; i++)
            {
                statesByProtocol[state][i] += other.statesByProtocol[state][i];
            }
        }
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
        for (final ServerSummary v : other.serverList)
        {
            final int at = byServer.get(v.hi, v.lo, v.portKey());
            if (at != AddressIndex.MISSING)
            {
                serverList.get(at).merge(v);
            }
            else if (roomFor(v.hi, v.lo, v.port, v.protocolNumber))
            {
                keep(v);
            }
            else
            {
                otherServerConnections += v.connections;
            }
        }
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
        final List<ServerSummary> servers = new ArrayList<>(serverList);
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
