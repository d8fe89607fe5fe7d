package flowdemux.decode;

import flowdemux.util.Bytes;

/**
 * TCP (RFC 9293), UDP (RFC 768) and ICMP/ICMPv6 headers.
 * <pre>
 * TCP:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * UDP:  source port | destination port | length | checksum
 * ICMP: type (8) | code (8) | checksum (16) | rest of header (32)
 * </pre>
 */
final class Transport
{
    static final int TCP_MIN_HEADER = 20;
    static final int UDP_HEADER = 8;
    static final int ICMP_MIN_HEADER = 4;
    static final int ICMP_HEADER = 8;
    static final int OPTION_END = 0;
    static final int OPTION_NOP = 1;
    static final int OPTION_MSS = 2;
    static final int OPTION_WINDOW_SCALE = 3;
    static final int OPTION_SACK_PERMITTED = 4;
    static final int OPTION_TIMESTAMPS = 8;

    private Transport()
    {
    }

    /**
     * @param t        offset of the transport header
     * @param captured transport bytes captured
     * @param length   transport bytes per the IP header
     */
    static DropReason decode(final byte[] b, final int t, final int captured, final int length, final DecodedPacket out)
    {
        switch (out.protocol)
        {
            case DecodedPacket.PROTO_TCP:
                return tcp(b, t, captured, length, out);
            case DecodedPacket.PROTO_UDP:
                return udp(b, t, captured, length, out);
            case DecodedPacket.PROTO_ICMP:
            case DecodedPacket.PROTO_ICMPV6:
                if (captured < ICMP_MIN_HEADER)
                {
                    return DropReason.TRUNCATED_TRANSPORT;
                }
                out.icmpType = b[t] & 0xFF;
                out.icmpCode = b[t + 1] & 0xFF;
                out.srcPort = out.icmpType;
                out.dstPort = out.icmpCode;
                out.hasPorts = true;
                // The payload follows the 8-byte header (type, code, checksum, and 4 bytes of identifier/sequence
                // or type-specific data); a header cut short has no payload, and its offset stays in the packet.
                out.payloadOffset = t + Math.min(captured, ICMP_HEADER);
                out.payloadLength = Math.max(0, length - ICMP_HEADER);
                out.capturedPayload = Math.max(0, captured - ICMP_HEADER);
                return DropReason.NONE;
            default:
                // Unknown transports (SCTP, GRE, ESP, ...) are flows without ports, as Zeek keys them.
                out.payloadOffset = t;
                out.payloadLength = length;
                out.capturedPayload = captured;
                return DropReason.NONE;
        }
    }

    private static DropReason tcp(final byte[] b, final int t, final int captured, final int length, final DecodedPacket out)
    {
        if (captured < TCP_MIN_HEADER)
        {
            return DropReason.TRUNCATED_TRANSPORT;
        }
        final int dataOffset = ((b[t + 12] & 0xF0) >>> 4) * 4;
        if (dataOffset < TCP_MIN_HEADER || dataOffset > length)
        {
            return DropReason.BAD_TCP_DATA_OFFSET;
        }
        if (dataOffset > captured)
        {
            return DropReason.TRUNCATED_TRANSPORT;
        }
        out.srcPort = Bytes.u16(b, t);
        out.dstPort = Bytes.u16(b, t + 2);
        out.hasPorts = true;
        out.seq = Bytes.u32(b, t + 4);
        out.ack = Bytes.u32(b, t + 8);
        out.tcpFlags = b[t + 13] & 0xFF;
        out.window = Bytes.u16(b, t + 14);
        out.payloadOffset = t + dataOffset;
        out.payloadLength = length - dataOffset;
        out.capturedPayload = captured - dataOffset;
        options(b, t + TCP_MIN_HEADER, t + dataOffset, out);
        return DropReason.NONE;
    }

    private static void options(final byte[] b, final int start, final int end, final DecodedPacket out)
    {
        int p = start;
        while (p < end)
        {
            final int kind = b[p] & 0xFF;
            if (kind == OPTION_END)
            {
                return;
            }
            if (kind == OPTION_NOP)
            {
                p++;
                continue;
            }
            if (p + 2 > end)
            {
                return;
            }
            final int len = b[p + 1] & 0xFF;
            if (len < 2 || p + len > end)
            {
                return;
            }
            switch (kind)
            {
                case OPTION_MSS:
                    if (len == 4)
                    {
                        out.mss = Bytes.u16(b, p + 2);
                    }
                    break;
                case OPTION_WINDOW_SCALE:
                    if (len == 3)
                    {
                        out.windowScale = b[p + 2] & 0xFF;
                    }
                    break;
                case OPTION_SACK_PERMITTED:
                    out.sackPermitted = true;
                    break;
                case OPTION_TIMESTAMPS:
                    out.hasTimestamps = len == 10;
                    break;
                default:
                    break;
            }
            p += len;
        }
    }

    private static DropReason udp(final byte[] b, final int t, final int captured, final int length, final DecodedPacket out)
    {
        if (captured < UDP_HEADER)
        {
            return DropReason.TRUNCATED_TRANSPORT;
        }
        out.srcPort = Bytes.u16(b, t);
        out.dstPort = Bytes.u16(b, t + 2);
        out.hasPorts = true;
        out.udpLength = Bytes.u16(b, t + 4);
        out.payloadOffset = t + UDP_HEADER;
        out.payloadLength = Math.max(0, length - UDP_HEADER);
        out.capturedPayload = captured - UDP_HEADER;
        return DropReason.NONE;
    }
}
