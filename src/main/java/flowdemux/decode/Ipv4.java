package flowdemux.decode;

import flowdemux.util.Bytes;

/**
 * IPv4 header (RFC 791).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class Ipv4
{
    static final int MIN_HEADER = 20;
    static final int TOTAL_LENGTH = 2;
    static final int IDENTIFICATION = 4;
    static final int FLAGS_FRAGMENT = 6;
    static final int TTL = 8;
    static final int PROTOCOL = 9;
    static final int SOURCE = 12;
    static final int DESTINATION = 16;
    static final int MORE_FRAGMENTS = 0x2000;
    static final int OFFSET_MASK = 0x1FFF;

    private Ipv4()
    {
    }

    /**
     * @param captured bytes captured from {@code ip} on
     * @param onWire   bytes on the wire from {@code ip} on
     * @return the length of the datagram to decode (within the captured bytes), or a negative DropReason ordinal
     */
    static int decode(final byte[] b, final int ip, final int captured, final int onWire, final DecodedPacket out)
    {
        if (captured < MIN_HEADER)
        {
            return -DropReason.TRUNCATED_IP.ordinal();
        }
        final int headerLength = (b[ip] & 0x0F) * 4;
        if (headerLength < MIN_HEADER)
        {
            return -DropReason.BAD_IP_HEADER_LENGTH.ordinal();
        }
        if (headerLength > captured)
        {
            return -DropReason.TRUNCATED_IP.ordinal();
        }
        int totalLength = Bytes.u16(b, ip + TOTAL_LENGTH);
        if (totalLength == 0)
        {
            // TCP segmentation offload can zero the total length in captures taken on the sending host.
            totalLength = onWire;
        }
        if (totalLength < headerLength || totalLength > onWire)
        {
            return -DropReason.BAD_IP_TOTAL_LENGTH.ordinal();
        }
        out.ipVersion = 4;
        out.ipOffset = ip;
        out.ipHeaderLength = headerLength;
        out.ipTotalLength = totalLength;
        out.ttl = b[ip + TTL] & 0xFF;
        out.protocol = b[ip + PROTOCOL] & 0xFF;
        out.srcHi = 0;
        out.srcLo = DecodedPacket.IPV4_MAPPED_PREFIX | Bytes.u32(b, ip + SOURCE);
        out.dstHi = 0;
        out.dstLo = DecodedPacket.IPV4_MAPPED_PREFIX | Bytes.u32(b, ip + DESTINATION);
        final int flagsFragment = Bytes.u16(b, ip + FLAGS_FRAGMENT);
        out.moreFragments = (flagsFragment & MORE_FRAGMENTS) != 0;
        out.fragmentOffset = (flagsFragment & OFFSET_MASK) * 8;
        out.fragment = out.moreFragments || out.fragmentOffset != 0;
        out.laterFragment = out.fragmentOffset != 0;
        out.fragmentId = Bytes.u16(b, ip + IDENTIFICATION);
        return Math.min(totalLength, captured);
    }
}
