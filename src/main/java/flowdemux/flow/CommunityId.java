package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.AsciiLine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Community ID v1 (the flow hash Zeek's community-id-logging, Suricata, Arkime, Wireshark and Elastic share): "1:"
 * and the base64 of the SHA-1 of seed (16 bits), the two addresses, the protocol, a zero byte and the two ports, the
 * endpoints in the order that puts the lower address (then port) first. ICMP and ICMPv6 hash their type as the
 * source port and, for the messages that have one, the counterpart type as the destination port (else the code);
 * such one-way messages keep their direction. Made per connection, when its record is written.
 */
public final class CommunityId
{
    private static final int SCTP = 132;
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() ->
    {
        try
        {
            return MessageDigest.getInstance("SHA-1");
        }
        catch (NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("the JDK has SHA-1", e);
        }
    });

    private CommunityId()
    {
    }

    /** The Community ID of {@code f} with {@code seed} (0 to 65535), as "1:" + base64. */
    public static String of(final FlowRecord f, final int seed)
    {
        return of(f.origHi, f.origLo, f.origPort, f.respHi, f.respLo, f.respPort, f.protocol, seed);
    }

    /** The Community ID of the connection {@code connection} views (its tuple as it stands). */
    public static String of(final FlowSlot connection, final int seed)
    {
        return of(connection.addressHi(true), connection.addressLo(true), connection.port(true),
            connection.addressHi(false), connection.addressLo(false), connection.port(false), connection.protocol(),
            seed);
    }

    /** The Community ID of a connection from its originator and responder, as conn.log has them. */
    public static String of(final long origHi, final long origLo, final int origPort, final long respHi,
        final long respLo, final int respPort, final int protocol, final int seed)
    {
        final boolean v4 = origHi == 0 && (origLo >>> 32) == 0xFFFF && respHi == 0 && (respLo >>> 32) == 0xFFFF;
        int srcPort = origPort;
        int dstPort = respPort;
        boolean oneWay = false;
        if (protocol == DecodedPacket.PROTO_ICMP || protocol == DecodedPacket.PROTO_ICMPV6)
        {
            final int counterpart = counterpart(srcPort, protocol == DecodedPacket.PROTO_ICMPV6);
            if (counterpart >= 0)
            {
                dstPort = counterpart;
            }
            else
            {
                oneWay = true; // the responder's port is the code already
            }
        }
        long aHi = origHi;
        long aLo = origLo;
        long bHi = respHi;
        long bLo = respLo;
        final int order = compare(aHi, aLo, bHi, bLo);
        if (!oneWay && (order > 0 || (order == 0 && srcPort > dstPort)))
        {
            aHi = respHi;
            aLo = respLo;
            bHi = origHi;
            bLo = origLo;
            final int p = srcPort;
            srcPort = dstPort;
            dstPort = p;
        }
        final byte[] in = new byte[2 + (v4 ? 8 : 32) + 2 + 4];
        int i = 0;
        in[i++] = (byte)(seed >>> 8);
        in[i++] = (byte)seed;
        i = address(in, i, aHi, aLo, v4);
        i = address(in, i, bHi, bLo, v4);
        in[i++] = (byte)protocol;
        in[i++] = 0;
        final boolean ports = protocol == DecodedPacket.PROTO_TCP || protocol == DecodedPacket.PROTO_UDP
            || protocol == SCTP || protocol == DecodedPacket.PROTO_ICMP || protocol == DecodedPacket.PROTO_ICMPV6;
        if (ports)
        {
            in[i++] = (byte)(srcPort >>> 8);
            in[i++] = (byte)srcPort;
            in[i++] = (byte)(dstPort >>> 8);
            in[i++] = (byte)dstPort;
        }
        final MessageDigest sha1 = SHA1.get();
        sha1.reset();
        sha1.update(in, 0, i);
        return "1:" + Base64.getEncoder().encodeToString(sha1.digest());
    }

    /** {@link #of} appended to {@code sb}. */
    public static AsciiLine append(final AsciiLine sb, final FlowRecord f, final int seed)
    {
        return sb.append(of(f, seed));
    }

    /**
     * The type that answers ICMP type {@code type}, or -1: Zeek's connection key's pairs (IcmpKeys), and ICMPv6's home
     * agent address discovery (144, 145), which the Community ID spec pairs too.
     */
    static int counterpart(final int type, final boolean v6)
    {
        if (v6 && (type == 144 || type == 145))
        {
            return type == 144 ? 145 : 144;
        }
        return IcmpKeys.counterpart(v6, type);
    }

    private static int compare(final long aHi, final long aLo, final long bHi, final long bLo)
    {
        final int hi = Long.compareUnsigned(aHi, bHi);
        return hi != 0 ? hi : Long.compareUnsigned(aLo, bLo);
    }

    private static int address(final byte[] out, final int at, final long hi, final long lo, final boolean v4)
    {
        int i = at;
        if (!v4)
        {
            for (int s = 56; s >= 0; s -= 8)
            {
                out[i++] = (byte)(hi >>> s);
            }
            for (int s = 56; s >= 0; s -= 8)
            {
                out[i++] = (byte)(lo >>> s);
            }
            return i;
        }
        for (int s = 24; s >= 0; s -= 8)
        {
            out[i++] = (byte)(lo >>> s);
        }
        return i;
    }
}
