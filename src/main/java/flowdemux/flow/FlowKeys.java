package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Addresses;
import flowdemux.util.Hashing;

/**
 * The connection key: the ports a packet contributes to it, its canonical order (endpoint A is the lower address and
 * port), the packed ports-and-protocol word and a hash equal for both directions of a connection.
 */
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
     * Sets the packet's connection key and its hash ({@code DecodedPacket.key*}): the same key and hash for both
     * directions of a connection. The reader sends every packet of a connection to the worker its hash picks, and
     * that worker probes its table with the same hash.
     */
    public static void key(final DecodedPacket p)
    {
        final int srcPort = srcPort(p);
        final int dstPort = dstPort(p);
        final boolean srcIsA = compare(p.srcHi, p.srcLo, srcPort, p.dstHi, p.dstLo, dstPort) <= 0;
        p.keySrcIsA = srcIsA;
        p.keyAHi = srcIsA ? p.srcHi : p.dstHi;
        p.keyALo = srcIsA ? p.srcLo : p.dstLo;
        p.keyBHi = srcIsA ? p.dstHi : p.srcHi;
        p.keyBLo = srcIsA ? p.dstLo : p.srcLo;
        p.keyPortsProto = portsProto(srcIsA ? srcPort : dstPort, srcIsA ? dstPort : srcPort, p.protocol);
        p.keyHash = hash(p.keyAHi, p.keyALo, p.keyBHi, p.keyBLo, p.keyPortsProto);
    }

    /**
     * Sets the packet's key and says which of {@code workers} owns its connection: from the low bits of the key hash
     * (the flow table's index uses the high ones, so each worker's table still spreads its flows over every slot).
     */
    public static int worker(final DecodedPacket p, final int workers)
    {
        key(p);
        return (int)((p.keyHash & 0x7FFF_FFFFL) % workers);
    }

    /** The key's hash: its low bits pick the worker, its high bits the flow table's index slot. */
    public static long hash(final long aHi, final long aLo, final long bHi, final long bLo, final long portsProto)
    {
        long h = Hashing.mix(aLo + 0x9E3779B97F4A7C15L * bLo);
        h = Hashing.mix(h ^ aHi ^ Long.rotateLeft(bHi, 17) ^ (portsProto * 0xC2B2AE3D27D4EB4FL));
        return h;
    }

    /** The key's ports and protocol in one word: portA << 24 | portB << 8 | protocol, marked occupied. */
    public static long portsProto(final int portA, final int portB, final int protocol)
    {
        return FlowSlot.OCCUPIED | ((long)portA << 24) | ((long)portB << 8) | protocol;
    }

    public static int portA(final long portsProto)
    {
        return (int)(portsProto >>> 24) & 0xFFFF;
    }

    public static int portB(final long portsProto)
    {
        return (int)(portsProto >>> 8) & 0xFFFF;
    }

    public static int protocol(final long portsProto)
    {
        return (int)portsProto & 0xFF;
    }

    private static int compare(final long hiA, final long loA, final int portA, final long hiB, final long loB,
        final int portB)
    {
        final int c = Addresses.compare(hiA, loA, hiB, loB);
        return c != 0 ? c : Integer.compare(portA, portB);
    }
}
