package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.ConnState;
import flowdemux.flow.FlowRecord;

import flowdemux.util.Addresses;

import java.util.Arrays;
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

    final long hi;
    final long lo;
    private String address;
    public final int port;
    public final String protocol;
    final int protocolNumber;
    public long connections;
    public long answered;
    public long rejected;
    public long packets;
    public long bytes;
    /** Services its connections' payload showed (service.ServiceId bits), and how many connections showed one. */
    public int services;
    public long recognised;
    /** Connections with payload both ways in which no service was recognised. */
    public long unrecognised;
    public int clientPortMin = Integer.MAX_VALUE;
    public int clientPortMax = Integer.MIN_VALUE;
    /**
     * The MAX_CLIENTS_KEPT lowest client addresses in ascending order, {@link #CLIENT} longs each in one array: the
     * address's high and low 64 bits, then connections << 32 | lowest source port << 16 | highest source port. A
     * sorted array rather than a map: 24 bytes a client (the per-server client sets are most of a report's memory on
     * a capture with a million clients), a binary search to find one, and the highest kept is the last. One array, not
     * one per field: a connection that ends touches the server and one array (five arrays cost about 420 ns a
     * connection in cache misses on the 1M-connection capture).
     */
    private long[] clients = new long[2 * CLIENT];
    private static final int CLIENT = 3;
    private int clientEntries;
    public long otherClientConnections;
    /** Clients left out of {@link #clients} (their connections are in otherClientConnections). */
    private boolean clientsCapped;

    ServerSummary(final long hi, final long lo, final int port, final int protocolNumber, final String protocol)
    {
        this.protocolNumber = protocolNumber;
        this.hi = hi;
        this.lo = lo;
        this.port = port;
        this.protocol = protocol;
    }

    /** The socket's key beside its address: port << 8 | IP protocol. */
    int portKey()
    {
        return (port << 8) | protocolNumber;
    }

    void add(final FlowRecord f)
    {
        connections++;
        services |= f.services;
        if (f.services != 0)
        {
            recognised++;
        }
        else if (f.origPayload > 0 && f.respPayload > 0)
        {
            unrecognised++;
        }
        packets += f.packets();
        bytes += f.ipBytes();
        final boolean tcp = f.protocol == DecodedPacket.PROTO_TCP;
        final boolean synAck = (f.respTcpFlags & (DecodedPacket.SYN | DecodedPacket.ACK))
            == (DecodedPacket.SYN | DecodedPacket.ACK);
        if (tcp ? synAck || respondedMidstream(f.history) : f.respPackets > 0)
        {
            answered++;
        }
        else if (f.connStateCode == ConnState.REJ)
        {
            rejected++;
        }
        clientPortMin = Math.min(clientPortMin, f.origPort);
        clientPortMax = Math.max(clientPortMax, f.origPort);
        addClient(f.origHi, f.origLo, f.origPort);
    }

    /**
     * A connection picked up after its handshake still shows a server that answered: the responder acknowledged,
     * sent data or closed (history letters a, d, f; lower case is the responder).
     */
    private static boolean respondedMidstream(final String history)
    {
        return history.indexOf('a') >= 0 || history.indexOf('d') >= 0 || history.indexOf('f') >= 0;
    }

    /** One more connection from this client, from source port {@code port}. */
    private void addClient(final long hi, final long lo, final int port)
    {
        int c = find(hi, lo);
        if (c < 0)
        {
            c = -c - 1;
            if (clientEntries >= MAX_CLIENTS_KEPT)
            {
                clientsCapped = true;
                if (c == clientEntries)
                {
                    otherClientConnections++; // above the highest kept
                    return;
                }
                otherClientConnections += connections(clients[--clientEntries * CLIENT + 2]);
            }
            insertAt(c, hi, lo);
        }
        final int at = c * CLIENT + 2;
        clients[at] = combined(clients[at], (1L << 32) | ((long)port << 16) | port);
    }

    private static int connections(final long counts)
    {
        return (int)(counts >>> 32);
    }

    private static int portLow(final long counts)
    {
        return (int)(counts >>> 16) & 0xFFFF;
    }

    private static int portHigh(final long counts)
    {
        return (int)counts & 0xFFFF;
    }

    /** The client's entry, or -(the entry it would be inserted at) - 1. */
    private int find(final long hi, final long lo)
    {
        int low = 0;
        int high = clientEntries - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int c = Addresses.compare(clients[mid * CLIENT], clients[mid * CLIENT + 1], hi, lo);
            if (c < 0)
            {
                low = mid + 1;
            }
            else if (c > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -low - 1;
    }

    private void insertAt(final int at, final long hi, final long lo)
    {
        if (clientEntries * CLIENT == clients.length)
        {
            clients = Arrays.copyOf(clients, Math.min(MAX_CLIENTS_KEPT, clientEntries * 2) * CLIENT);
        }
        final int from = at * CLIENT;
        System.arraycopy(clients, from, clients, from + CLIENT, (clientEntries - at) * CLIENT);
        clients[from] = hi;
        clients[from + 1] = lo;
        clients[from + 2] = 0xFFFFL << 16; // no connections yet; lowest port above any, highest below any
        clientEntries++;
    }

    void merge(final ServerSummary other)
    {
        connections += other.connections;
        services |= other.services;
        recognised += other.recognised;
        unrecognised += other.unrecognised;
        answered += other.answered;
        rejected += other.rejected;
        packets += other.packets;
        bytes += other.bytes;
        clientPortMin = Math.min(clientPortMin, other.clientPortMin);
        clientPortMax = Math.max(clientPortMax, other.clientPortMax);
        mergeClients(other);
        otherClientConnections += other.otherClientConnections;
        clientsCapped |= other.clientsCapped;
    }

    /**
     * Both sorted client lists in one pass into one new array, a client in both counted once with both counts, the
     * lowest MAX_CLIENTS_KEPT kept and the rest's connections added to the others: what adding the other's clients
     * one by one gives (the lowest addresses of the union, each kept client with all its connections), without a
     * binary search, a shift of the array and a doubling per client (an O(n^2) merge of up to 1,000 clients a server
     * on the serial tail of a read, and 30 MB of outgrown arrays on the 1M-connection capture).
     */
    private void mergeClients(final ServerSummary other)
    {
        if (other.clientEntries == 0)
        {
            return;
        }
        final long[] a = clients;
        final long[] b = other.clients;
        final int na = clientEntries;
        final int nb = other.clientEntries;
        final long[] merged = new long[Math.min(MAX_CLIENTS_KEPT, na + nb) * CLIENT];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < na || j < nb)
        {
            final int c = i == na ? 1 : j == nb ? -1
                : Addresses.compare(a[i * CLIENT], a[i * CLIENT + 1], b[j * CLIENT], b[j * CLIENT + 1]);
            final long hi;
            final long lo;
            final long v;
            if (c <= 0)
            {
                hi = a[i * CLIENT];
                lo = a[i * CLIENT + 1];
                v = c == 0 ? combined(a[i * CLIENT + 2], b[j++ * CLIENT + 2]) : a[i * CLIENT + 2];
                i++;
            }
            else
            {
                hi = b[j * CLIENT];
                lo = b[j * CLIENT + 1];
                v = b[j * CLIENT + 2];
                j++;
            }
            if (n < MAX_CLIENTS_KEPT)
            {
                merged[n * CLIENT] = hi;
                merged[n * CLIENT + 1] = lo;
                merged[n * CLIENT + 2] = v;
                n++;
            }
            else
            {
                clientsCapped = true;
                otherClientConnections += connections(v);
            }
        }
        clients = merged;
        clientEntries = n;
    }

    /** One client's counts from two summaries: connections summed, the lowest and highest source port of both. */
    private static long combined(final long x, final long y)
    {
        return ((long)(connections(x) + connections(y)) << 32) | ((long)Math.min(portLow(x), portLow(y)) << 16)
            | Math.max(portHigh(x), portHigh(y));
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
        for (int i = 0; i < clientEntries; i++)
        {
            final long v = clients[i * CLIENT + 2];
            named.put(Addresses.format(clients[i * CLIENT], clients[i * CLIENT + 1]),
                new int[] {connections(v), portLow(v), portHigh(v)});
        }
        return named;
    }

    /** Whether every client kept is one {@code test} accepts (by address hi, lo), and none was left out. */
    public boolean everyClient(final java.util.function.LongBinaryOperator test)
    {
        if (clientsCapped)
        {
            return false;
        }
        for (int i = 0; i < clientEntries; i++)
        {
            if (test.applyAsLong(clients[i * CLIENT], clients[i * CLIENT + 1]) == 0)
            {
                return false;
            }
        }
        return clientEntries > 0;
    }

    /** Distinct clients listed; with {@link #clientsCapped()} there were more. */
    public int clientCount()
    {
        return clientEntries;
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
