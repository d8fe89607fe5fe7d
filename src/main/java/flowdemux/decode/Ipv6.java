package flowdemux.decode;

import flowdemux.util.Bytes;

/**
 * IPv6 header (RFC 8200) and its extension-header chain.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Source Address (128 bits)                      |
 * |                Destination Address (128 bits)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The chain is walked with a budget: every step consumes at least 8 bytes of a shrinking captured length and at
 * most {@link #MAX_EXTENSIONS} headers are followed, so a chain that loops or runs off the packet always ends.
 */
final class Ipv6
{
    static final int HEADER = 40;
    static final int PAYLOAD_LENGTH = 4;
    static final int NEXT_HEADER = 6;
    static final int HOP_LIMIT = 7;
    static final int SOURCE = 8;
    static final int DESTINATION = 24;
    static final int HOP_BY_HOP = 0;
    static final int ROUTING = 43;
    static final int FRAGMENT = 44;
    static final int AUTHENTICATION = 51;
    static final int DESTINATION_OPTIONS = 60;
    static final int MOBILITY = 135;
    static final int HIP = 139;
    static final int SHIM6 = 140;
    static final int MAX_EXTENSIONS = 16;
    static final int JUMBO_OPTION = 0xC2;

    private Ipv6()
    {
    }

    /** Returns the length of the datagram to decode within the captured bytes, or a negative DropReason ordinal. */
    static int decode(final byte[] b, final int ip, final int captured, final int onWire, final DecodedPacket out)
    {
        if (captured < HEADER)
        {
            return -DropReason.TRUNCATED_IP.ordinal();
        }
        long payloadLength = Bytes.u16(b, ip + PAYLOAD_LENGTH);
        int next = b[ip + NEXT_HEADER] & 0xFF;
        out.ipVersion = 6;
        out.ipOffset = ip;
        out.ttl = b[ip + HOP_LIMIT] & 0xFF;
        out.srcHi = Bytes.i64(b, ip + SOURCE);
        out.srcLo = Bytes.i64(b, ip + SOURCE + 8);
        out.dstHi = Bytes.i64(b, ip + DESTINATION);
        out.dstLo = Bytes.i64(b, ip + DESTINATION + 8);

        int p = ip + HEADER;
        final int end = ip + captured;
        int fragmentHeaders = 0;
        boolean routed = false;
        for (int steps = 0; isExtension(next); steps++)
        {
            if (steps == MAX_EXTENSIONS || p + 8 > end)
            {
                return -DropReason.BAD_IPV6_EXTENSION.ordinal();
            }
            final int following = b[p] & 0xFF;
            final int length;
            if (next == FRAGMENT)
            {
                if (++fragmentHeaders > 1)
                {
                    return -DropReason.BAD_IPV6_EXTENSION.ordinal();
                }
                length = 8;
                final int offsetFlags = Bytes.u16(b, p + 2);
                out.fragmentOffset = offsetFlags & 0xFFF8;
                out.moreFragments = (offsetFlags & 1) != 0;
                out.fragment = out.moreFragments || out.fragmentOffset != 0;
                out.laterFragment = out.fragmentOffset != 0;
                out.fragmentId = Bytes.u32(b, p + 4);
            }
            else if (next == AUTHENTICATION)
            {
                length = ((b[p + 1] & 0xFF) + 2) * 4;
            }
            else
            {
                length = ((b[p + 1] & 0xFF) + 1) * 8;
            }
            if (p + length > end)
            {
                return -DropReason.BAD_IPV6_EXTENSION.ordinal();
            }
            if (next == ROUTING && !routed)
            {
                routed = finalDestination(b, p, length, out);
            }
            if (next == HOP_BY_HOP && payloadLength == 0)
            {
                payloadLength = jumboLength(b, p + 2, p + length);
            }
            next = following;
            p += length;
        }
        if (payloadLength == 0)
        {
            // No length in the header (TSO or a jumbogram without its option): trust what was on the wire.
            payloadLength = onWire - HEADER;
        }
        if (HEADER + payloadLength > onWire || p - ip > HEADER + payloadLength)
        {
            return -DropReason.BAD_IP_TOTAL_LENGTH.ordinal();
        }
        out.ipHeaderLength = p - ip;
        out.ipTotalLength = (int)(HEADER + payloadLength);
        out.protocol = next;
        return (int)Math.min(HEADER + payloadLength, captured);
    }

    /**
     * The final destination named by a type 0 routing header with segments left (RFC 2460, deprecated by RFC 5095),
     * which is what the 5-tuple and the transport checksum use (RFC 8200 section 8.1). As Zeek's
     * IPv6_Hdr_Chain::ProcessRoutingHeader: only the first routing header, only type 0 with an even header length
     * of at least 2, and the address is the header's last 16 bytes. Other types (2 needs Zeek's Mobile IPv6 build,
     * 4 is segment routing) keep the header's destination, as in Zeek. Returns whether it named one.
     * <pre>
     * | Next Header | Hdr Ext Len | Routing Type | Segments Left | reserved (4) | Hdr Ext Len / 2 addresses |
     * </pre>
     */
    private static boolean finalDestination(final byte[] b, final int p, final int length, final DecodedPacket out)
    {
        final int extLength = b[p + 1] & 0xFF;
        if ((b[p + 2] & 0xFF) != 0 || (b[p + 3] & 0xFF) == 0 || extLength < 2 || extLength % 2 != 0)
        {
            return false;
        }
        final int address = p + length - 16;
        out.dstHi = Bytes.i64(b, address);
        out.dstLo = Bytes.i64(b, address + 8);
        return true;
    }

    private static boolean isExtension(final int next)
    {
        return next == HOP_BY_HOP || next == ROUTING || next == FRAGMENT || next == DESTINATION_OPTIONS
            || next == AUTHENTICATION || next == MOBILITY || next == HIP || next == SHIM6;
    }

    /** The Jumbo Payload option's length (RFC 2675) among hop-by-hop options, or 0. */
    private static long jumboLength(final byte[] b, final int start, final int end)
    {
        int p = start;
        while (p < end)
        {
            final int type = b[p] & 0xFF;
            if (type == 0)
            {
                p++;
                continue;
            }
            if (p + 2 > end)
            {
                return 0;
            }
            final int len = b[p + 1] & 0xFF;
            if (type == JUMBO_OPTION && len == 4 && p + 6 <= end)
            {
                return Bytes.u32(b, p + 2);
            }
            p += 2 + len;
        }
        return 0;
    }
}
