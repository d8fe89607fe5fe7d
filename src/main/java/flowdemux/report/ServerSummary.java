package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;

import flowdemux.util.Addresses;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** One server socket (responder address, port, protocol) and the clients that reached it. */
public final class ServerSummary
{
    /** Clients kept by name per server (the rest are counted); reports list a few. */
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
    /** Client address -> {connections, lowest source port, highest source port}, for up to MAX_CLIENTS_KEPT. */
    private final Map<Address, int[]> clients = new HashMap<>();
    public long otherClientConnections;

    /** A 128-bit address as a map key; its text is made only for the report. */
    record Address(long hi, long lo)
    {
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
                otherClientConnections += count;
                return;
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

    public int clientCount()
    {
        return clients.size();
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
