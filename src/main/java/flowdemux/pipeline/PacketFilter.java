package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;

/** The --port / --host selection: a packet passes when either end matches every given condition. */
public final class PacketFilter
{
    public static final PacketFilter ALL = new PacketFilter(-1, null);

    private final int port;
    private final boolean byHost;
    private final long hostHi;
    private final long hostLo;

    /** @param port -1 for any; @param host {hi, lo} or null for any */
    public PacketFilter(final int port, final long[] host)
    {
        this.port = port;
        this.byHost = host != null;
        this.hostHi = host == null ? 0 : host[0];
        this.hostLo = host == null ? 0 : host[1];
    }

    public boolean accepts(final DecodedPacket p)
    {
        if (port >= 0 && !(p.hasPorts && (p.srcPort == port || p.dstPort == port)))
        {
            return false;
        }
        return !byHost || (p.srcHi == hostHi && p.srcLo == hostLo) || (p.dstHi == hostHi && p.dstLo == hostLo);
    }

    public boolean isAll()
    {
        return port < 0 && !byHost;
    }
}
