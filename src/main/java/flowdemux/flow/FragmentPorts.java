package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Hashing;

/**
 * Remembers the ports of recent first fragments so later fragments (which carry no transport header) can be
 * accounted to their flow. Direct-mapped over primitive arrays: bounded memory, a newer datagram may overwrite an
 * older one's entry, and a later fragment whose first one was never seen is reported as such.
 */
final class FragmentPorts
{
    private static final int SIZE = 4096;
    private static final int MASK = SIZE - 1;
    private final long[] keys = new long[SIZE * 3];
    private final int[] ports = new int[SIZE];
    private final boolean[] used = new boolean[SIZE];

    private static long idProto(final DecodedPacket p)
    {
        return (p.fragmentId << 8) | p.protocol;
    }

    private static int slot(final DecodedPacket p)
    {
        return (int)Hashing.mix(p.srcLo * 31 + p.dstLo + p.srcHi * 17 + p.dstHi * 13 + idProto(p)) & MASK;
    }

    void remember(final DecodedPacket p)
    {
        final int s = slot(p);
        keys[s * 3] = p.srcLo ^ p.srcHi;
        keys[s * 3 + 1] = p.dstLo ^ p.dstHi;
        keys[s * 3 + 2] = idProto(p);
        ports[s] = (p.srcPort << 16) | p.dstPort;
        used[s] = true;
    }

    /** Fills the ports of a later fragment; false when its first fragment is unknown. */
    boolean recall(final DecodedPacket p)
    {
        final int s = slot(p);
        if (!used[s] || keys[s * 3] != (p.srcLo ^ p.srcHi) || keys[s * 3 + 1] != (p.dstLo ^ p.dstHi)
            || keys[s * 3 + 2] != idProto(p))
        {
            return false;
        }
        p.srcPort = ports[s] >>> 16;
        p.dstPort = ports[s] & 0xFFFF;
        p.icmpType = p.srcPort;
        p.icmpCode = p.dstPort;
        return true;
    }
}
