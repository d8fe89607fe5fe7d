package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Cidr;

import java.util.List;

/**
 * The --port / --host selection, applied to whole (reassembled) datagrams: a packet passes when one of its ends
 * has one of the ports, and one of its ends is in one of the host prefixes (either condition absent: any); and a
 * packet inside a tunnel of the kind --tunnel-id names, when it is inside the tunnel of that identifier.
 */
public final class PacketFilter
{
    public static final PacketFilter ALL = new PacketFilter(null, List.of());

    /** One bit per port; null for any port. */
    private final long[] ports;
    private final Cidr[] hosts;

    /** @param ports the ports to keep, or null for any; @param hosts the prefixes to keep, empty for any */
    public PacketFilter(final int[] ports, final List<Cidr> hosts)
    {
        if (ports == null)
        {
            this.ports = null;
        }
        else
        {
            this.ports = new long[65536 / 64];
            for (final int p : ports)
            {
                this.ports[p >>> 6] |= 1L << (p & 63);
            }
        }
        this.hosts = hosts.toArray(new Cidr[0]);
    }

    /**
     * --tunnel-id: only this identifier among the packets inside the tunnels of these kinds (bits of decode.Tunnel);
     * the outer packets and those inside other kinds of tunnel pass.
     */
    private int tunnelKinds;
    private long tunnelId;

    /** This filter, also keeping of the packets inside tunnels of {@code kinds} only those of tunnel {@code id}. */
    public PacketFilter tunnelId(final int kinds, final long id)
    {
        this.tunnelKinds = kinds;
        this.tunnelId = id;
        return this;
    }

    public boolean accepts(final DecodedPacket p)
    {
        if (tunnelKinds != 0 && p.depth > 0 && (tunnelKinds & 1 << p.tunnelType) != 0 && p.tunnelId != tunnelId)
        {
            return false;
        }
        if (ports != null && !(p.hasPorts && (has(p.srcPort) || has(p.dstPort))))
        {
            return false;
        }
        if (hosts.length == 0)
        {
            return true;
        }
        for (final Cidr c : hosts)
        {
            if (c.contains(p.srcHi, p.srcLo) || c.contains(p.dstHi, p.dstLo))
            {
                return true;
            }
        }
        return false;
    }

    private boolean has(final int port)
    {
        return (ports[port >>> 6] & (1L << (port & 63))) != 0;
    }
}
