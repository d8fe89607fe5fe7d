package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;

import flowdemux.util.Addresses;

import java.util.Map;
import java.util.TreeMap;

/** One server socket (responder address, port, protocol) and the clients that reached it. */
public final class ServerSummary
{
    /**
     * Clients kept by name per server: the ones with the lowest addresses (the rest are counted in
     * {@link #otherClientConnections}); reports list a few. Keeping the lowest addresses, rather than the first seen,
     * makes the kept set the same whatever order connections end in (and so for any number of workers): once the
     * set is full its highest address only goes down, so a client left out once is left out for good, and every
     * client kept has all its connections counted; merging workers' sets and keeping the lowest again gives exactly
     * the lowest addresses overall.
     */
    static final int MAX_CLIENTS_KEPT = 1000;

    private final long hi;
    private final long lo;
    private String address;
    public final int port;
    public final String protocol;
    public long connections;
    public long answered;
    public long rejected;
    public long packets;
    public long bytes;
    public int clientPortMin = Integer.MAX_VALUE;
    public int clientPortMax = Integer.MIN_VALUE;
    /** Client address -> {connections, lowest source port, highest source port}, the MAX_CLIENTS_KEPT lowest. */
    private final java.util.TreeMap<Address, int[]> clients = new java.util.TreeMap<>();
    public long otherClientConnections;
    /** Clients left out of {@link #clients} (their connections are in otherClientConnections). */
    private boolean clientsCapped;

    /** A 128-bit address as a map key, ordered as unsigned numbers; its text is made only for the report. */
    record Address(long hi, long lo) implements Comparable<Address>
    {
        @Override
        public int compareTo(final Address o)
        {
            final int c = Long.compareUnsigned(hi, o.hi);
            return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
        }
    }

    ServerSummary(final long hi, final long lo, final int port, final String protocol)
    {
        this.hi = hi;
        this.lo = lo;
        this.port = port;
        this.protocol = protocol;
    }

    void add(final FlowRecord f)
    {
        connections++;
        packets += f.packets();
        bytes += f.ipBytes();
        final boolean tcp = f.protocol == DecodedPacket.PROTO_TCP;
        final boolean synAck = (f.respTcpFlags & (DecodedPacket.SYN | DecodedPacket.ACK))
            == (DecodedPacket.SYN | DecodedPacket.ACK);
        if (tcp ? synAck || respondedMidstream(f.history) : f.respPackets > 0)
        {
            answered++;
        }
        else if ("REJ".equals(f.connState))
        {
            rejected++;
        }
        clientPortMin = Math.min(clientPortMin, f.origPort);
        clientPortMax = Math.max(clientPortMax, f.origPort);
        addClient(new Address(f.origHi, f.origLo), 1, f.origPort, f.origPort);
    }

    /**
     * A connection picked up after its handshake still shows a server that answered: the responder acknowledged,
     * sent data or closed (history letters a, d, f; lower case is the responder).
     */
    private static boolean respondedMidstream(final String history)
    {
        return history.indexOf('a') >= 0 || history.indexOf('d') >= 0 || history.indexOf('f') >= 0;
    }

    private void addClient(final Address client, final int count, final int low, final int high)
    {
        int[] c = clients.get(client);
        if (c == null)
        {
            if (clients.size() >= MAX_CLIENTS_KEPT)
            {
                clientsCapped = true;
                final Address highest = clients.lastKey();
                if (client.compareTo(highest) > 0)
                {
                    otherClientConnections += count;
                    return;
                }
                otherClientConnections += clients.remove(highest)[0];
            }
            c = new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE};
            clients.put(client, c);
        }
        c[0] += count;
        c[1] = Math.min(c[1], low);
        c[2] = Math.max(c[2], high);
    }

    void merge(final ServerSummary other)
    {
        connections += other.connections;
        answered += other.answered;
        rejected += other.rejected;
        packets += other.packets;
        bytes += other.bytes;
        clientPortMin = Math.min(clientPortMin, other.clientPortMin);
        clientPortMax = Math.max(clientPortMax, other.clientPortMax);
        other.clients.forEach((k, v) -> addClient(k, v[0], v[1], v[2]));
        otherClientConnections += other.otherClientConnections;
        clientsCapped |= other.clientsCapped;
    }

    public String address()
    {
        if (address == null)
        {
            address = Addresses.format(hi, lo);
        }
        return address;
    }

    /** The clients by address text, sorted. */
    public Map<String, int[]> clients()
    {
        final Map<String, int[]> named = new TreeMap<>();
        clients.forEach((k, v) -> named.put(Addresses.format(k.hi(), k.lo()), v));
        return named;
    }

    /** Distinct clients listed; with {@link #clientsCapped()} there were more. */
    public int clientCount()
    {
        return clients.size();
    }

    public boolean clientsCapped()
    {
        return clientsCapped;
    }

    /**
     * listening: it answered a handshake or, where the handshake was not seen, acknowledged, sent data or closed
     * (TCP), or answered (UDP); closed: it only ever answered with RST;
     * no answer: nothing came back.
     */
    public String status()
    {
        if (answered > 0)
        {
            return "listening";
        }
        return rejected > 0 ? "closed" : "no answer";
    }
}
