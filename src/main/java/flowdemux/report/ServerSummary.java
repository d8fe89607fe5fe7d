package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;

import java.util.Map;
import java.util.TreeMap;

/** One server socket (responder address, port, protocol) and the clients that reached it. */
public final class ServerSummary
{
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
    /** Client address -> {connections, lowest source port, highest source port}. */
    public final Map<String, int[]> clients = new TreeMap<>();

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
        final int[] c = clients.computeIfAbsent(f.origAddress(), k -> new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE});
        c[0]++;
        c[1] = Math.min(c[1], f.origPort);
        c[2] = Math.max(c[2], f.origPort);
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
