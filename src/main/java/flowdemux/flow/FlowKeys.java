package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Hashing;

/** The ports a packet contributes to its connection key, and a hash equal for both directions of a connection. */
public final class FlowKeys
{
    private FlowKeys()
    {
    }

    private static boolean icmp(final DecodedPacket p)
    {
        return p.protocol == DecodedPacket.PROTO_ICMP || p.protocol == DecodedPacket.PROTO_ICMPV6;
    }

    /** The source port; for ICMP the type (Zeek keys ICMP by type and counterpart type or code). */
    public static int srcPort(final DecodedPacket p)
    {
        return icmp(p) ? p.icmpType : p.srcPort;
    }

    public static int dstPort(final DecodedPacket p)
    {
        if (!icmp(p))
        {
            return p.dstPort;
        }
        final int counterpart = IcmpKeys.counterpart(p.protocol == DecodedPacket.PROTO_ICMPV6, p.icmpType);
        return counterpart >= 0 ? counterpart : p.icmpCode;
    }

    /**
     * A hash of the connection key that is the same for both directions: the reader uses it to send every packet of
     * a connection to the same worker.
     */
    public static long symmetricHash(final DecodedPacket p)
    {
        final long a = Hashing.mix(p.srcHi * 31 + p.srcLo) ^ srcPort(p);
        final long b = Hashing.mix(p.dstHi * 31 + p.dstLo) ^ dstPort(p);
        // Addition and xor commute, so swapping the endpoints gives the same value.
        return Hashing.mix((a + b) ^ (a ^ b) * 0x9E3779B97F4A7C15L ^ p.protocol);
    }
}
