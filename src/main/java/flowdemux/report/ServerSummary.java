package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;

import java.util.Map;
import java.util.TreeMap;

/** One server socket (responder address, port, protocol) and the clients that reached it. */
public final class ServerSummary
{
    /** Clients kept by name per server (the rest are counted); reports list a few. */
    static final int MAX_CLIENTS_KEPT = 1000;

    public final String address;
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
    public final Map<String, int[]> clients = new TreeMap<>();
    public long otherClientConnections;

    ServerSummary(final String address, final int port, final String protocol)
    {
        this.address = address;
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
        if (tcp ? synAck : f.respPackets > 0)
        {
            answered++;
        }
        else if ("REJ".equals(f.connState))
        {
            rejected++;
        }
        clientPortMin = Math.min(clientPortMin, f.origPort);
        clientPortMax = Math.max(clientPortMax, f.origPort);
        addClient(f.origAddress(), 1, f.origPort, f.origPort);
    }

    private void addClient(final String client, final int count, final int low, final int high)
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

    /**
     * listening: it completed a handshake (TCP) or answered (UDP); closed: it only ever answered with RST;
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
