package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;

import flowdemux.util.AddressIndex;
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
    public int clientPortMin = Integer.MAX_VALUE;
    public int clientPortMax = Integer.MIN_VALUE;
    /**
     * The MAX_CLIENTS_KEPT lowest client addresses, each to its entry in the arrays below: connections, lowest and
     * highest source port. Primitive arrays and an open-addressed index: no key object and no node per connection.
     */
    private final AddressIndex clients = new AddressIndex();
    private long[] clientHi = new long[4];
    private long[] clientLo = new long[4];
    private int[] clientConnections = new int[4];
    private int[] clientPortLow = new int[4];
    private int[] clientPortHigh = new int[4];
    /** Entries in use are 0 .. clientCount-1: a removed entry is filled with the last one. */
    private int clientEntries;
    /** The entry of the highest kept address once the set is full, or -1 until it is needed again. */
    private int highestClient = -1;
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
        addClient(f.origHi, f.origLo, 1, f.origPort, f.origPort);
    }

    /**
     * A connection picked up after its handshake still shows a server that answered: the responder acknowledged,
     * sent data or closed (history letters a, d, f; lower case is the responder).
     */
    private static boolean respondedMidstream(final String history)
    {
        return history.indexOf('a') >= 0 || history.indexOf('d') >= 0 || history.indexOf('f') >= 0;
    }

    private void addClient(final long hi, final long lo, final int count, final int low, final int high)
    {
        int c = clients.get(hi, lo, 0);
        if (c == AddressIndex.MISSING)
        {
            if (clientEntries >= MAX_CLIENTS_KEPT)
            {
                clientsCapped = true;
                final int highest = highestClient();
                if (compare(hi, lo, clientHi[highest], clientLo[highest]) > 0)
                {
                    otherClientConnections += count;
                    return;
                }
                otherClientConnections += clientConnections[highest];
                removeClient(highest);
            }
            c = clientEntries++;
            if (c == clientHi.length)
            {
                final int n = Math.min(MAX_CLIENTS_KEPT, c * 2);
                clientHi = Arrays.copyOf(clientHi, n);
                clientLo = Arrays.copyOf(clientLo, n);
                clientConnections = Arrays.copyOf(clientConnections, n);
                clientPortLow = Arrays.copyOf(clientPortLow, n);
                clientPortHigh = Arrays.copyOf(clientPortHigh, n);
            }
            clientHi[c] = hi;
            clientLo[c] = lo;
            clientConnections[c] = 0;
            clientPortLow[c] = Integer.MAX_VALUE;
            clientPortHigh[c] = Integer.MIN_VALUE;
            clients.put(hi, lo, 0, c);
            if (highestClient >= 0 && compare(hi, lo, clientHi[highestClient], clientLo[highestClient]) > 0)
            {
                highestClient = c;
            }
        }
        clientConnections[c] += count;
        clientPortLow[c] = Math.min(clientPortLow[c], low);
        clientPortHigh[c] = Math.max(clientPortHigh[c], high);
    }

    /** The entry of the highest kept address: a scan of the kept set, only after the highest one has gone. */
    private int highestClient()
    {
        if (highestClient < 0)
        {
            int h = 0;
            for (int i = 1; i < clientEntries; i++)
            {
                if (compare(clientHi[i], clientLo[i], clientHi[h], clientLo[h]) > 0)
                {
                    h = i;
                }
            }
            highestClient = h;
        }
        return highestClient;
    }

    private void removeClient(final int entry)
    {
        clients.remove(clientHi[entry], clientLo[entry], 0);
        final int last = --clientEntries;
        if (entry != last)
        {
            clientHi[entry] = clientHi[last];
            clientLo[entry] = clientLo[last];
            clientConnections[entry] = clientConnections[last];
            clientPortLow[entry] = clientPortLow[last];
            clientPortHigh[entry] = clientPortHigh[last];
            clients.put(clientHi[entry], clientLo[entry], 0, entry);
        }
        highestClient = -1;
    }

    /** Addresses ordered as unsigned 128-bit numbers. */
    private static int compare(final long hi, final long lo, final long otherHi, final long otherLo)
    {
        final int c = Long.compareUnsigned(hi, otherHi);
        return c != 0 ? c : Long.compareUnsigned(lo, otherLo);
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
        for (int i = 0; i < other.clientEntries; i++)
        {
            addClient(other.clientHi[i], other.clientLo[i], other.clientConnections[i], other.clientPortLow[i],
                other.clientPortHigh[i]);
        }
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
        for (int i = 0; i < clientEntries; i++)
        {
            named.put(Addresses.format(clientHi[i], clientLo[i]),
                new int[] {clientConnections[i], clientPortLow[i], clientPortHigh[i]});
        }
        return named;
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
