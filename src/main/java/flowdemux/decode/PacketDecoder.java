package flowdemux.decode;

import flowdemux.source.PacketRecord;

/**
 * Decodes one captured packet into a reused {@link DecodedPacket}: link layer, IPv4/IPv6, then TCP/UDP/ICMP.
 * Allocates nothing; a packet that cannot be decoded gets a {@link DropReason} and the caller counts it.
 */
public final class PacketDecoder
{
    /** Enum.values() clones its array on each call; keep one copy. */
    private static final DropReason[] REASONS = DropReason.values();
    private final DecodedPacket packet = new DecodedPacket();

    public DecodedPacket packet()
    {
        return packet;
    }

    public DropReason decode(final PacketRecord record)
    {
        final DecodedPacket out = packet;
        out.reset();
        out.timestampNanos = record.timestampNanos;
        out.packetIndex = record.index;
        out.wireLength = record.originalLength;
        final byte[] b = record.buffer;
        final int start = record.offset;
        final int captured = record.capturedLength;

        final int ip = LinkLayer.networkOffset(record.linkType, b, start, captured, out);
        if (ip < 0)
        {
            return REASONS[-ip];
        }
        final int ipCaptured = start + captured - ip;
        final int ipOnWire = Math.max(ipCaptured, record.originalLength - (ip - start));
        if (ipCaptured < 1)
        {
            return DropReason.TRUNCATED_IP;
        }
        final int version = (b[ip] & 0xF0) >>> 4;
        if (out.ipVersion != 0 && out.ipVersion != version)
        {
            // The link layer announced one IP version and the header says another.
            return DropReason.BAD_IP_VERSION;
        }
        final int datagram;
        if (version == 4)
        {
            datagram = Ipv4.decode(b, ip, ipCaptured, ipOnWire, out);
        }
        else if (version == 6)
        {
            datagram = Ipv6.decode(b, ip, ipCaptured, ipOnWire, out);
        }
        else
        {
            return DropReason.BAD_IP_VERSION;
        }
        if (datagram < 0)
        {
            return REASONS[-datagram];
        }
        if (out.laterFragment)
        {
            // No transport header here: the flow stage maps it to its first fragment's ports.
            out.payloadLength = out.ipTotalLength - out.ipHeaderLength;
            return DropReason.NONE;
        }
        final int transport = ip + out.ipHeaderLength;
        return Transport.decode(b, transport, datagram - out.ipHeaderLength, out.ipTotalLength - out.ipHeaderLength, out);
    }
}
