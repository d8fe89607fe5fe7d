package flowdemux.decode;

import flowdemux.source.PacketRecord;
import flowdemux.util.Bytes;

/**
 * Decodes one captured packet into a reused {@link DecodedPacket}: link layer, IPv4/IPv6, then TCP/UDP/ICMP.
 * Allocates nothing; a packet that cannot be decoded gets a {@link DropReason} and the caller counts it.
 */
public final class PacketDecoder
{
    /** Enum.values() clones its array on each call; keep one copy. */
    private static final DropReason[] REASONS = DropReason.values();
    private final DecodedPacket packet = new DecodedPacket();
    private final boolean verifyChecksums;

    /** @param verifyChecksums check IPv4 header and TCP/UDP/ICMP checksums, as Zeek does unless run with -C */
    public PacketDecoder(final boolean verifyChecksums)
    {
        this.verifyChecksums = verifyChecksums;
    }

    public PacketDecoder()
    {
        this(false);
    }

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
        // A zero IPv4 total length (TSO) means the stack had not filled in its checksums either.
        final boolean checkable = verifyChecksums && !(version == 4 && Bytes.u16(b, ip + 2) == 0);
        if (checkable && version == 4 && !Checksums.valid(Checksums.sum(b, ip, out.ipHeaderLength, 0)))
        {
            return DropReason.BAD_IP_CHECKSUM;
        }
        if (out.laterFragment)
        {
            // No transport header here: the flow stage maps it to its first fragment's ports.
            out.payloadLength = out.ipTotalLength - out.ipHeaderLength;
            return DropReason.NONE;
        }
        final int transport = ip + out.ipHeaderLength;
        final int transportLength = out.ipTotalLength - out.ipHeaderLength;
        final int transportCaptured = datagram - out.ipHeaderLength;
        final DropReason reason = Transport.decode(b, transport, transportCaptured, transportLength, out);
        if (reason == DropReason.NONE && checkable && !out.fragment && transportCaptured >= transportLength)
        {
            out.checksumBad = !transportChecksumValid(b, transport, transportLength, out);
        }
        return reason;
    }

    private static boolean transportChecksumValid(final byte[] b, final int t, final int length, final DecodedPacket p)
    {
        switch (p.protocol)
        {
            case DecodedPacket.PROTO_UDP:
                if (p.ipVersion == 4 && Bytes.u16(b, t + 6) == 0)
                {
                    return true; // IPv4 UDP without a checksum
                }
                return Checksums.valid(Checksums.sum(b, t, length, Checksums.pseudoHeader(b, p, length)));
            case DecodedPacket.PROTO_TCP:
            case DecodedPacket.PROTO_ICMPV6:
                return Checksums.valid(Checksums.sum(b, t, length, Checksums.pseudoHeader(b, p, length)));
            case DecodedPacket.PROTO_ICMP:
                return Checksums.valid(Checksums.sum(b, t, length, 0));
            default:
                return true;
        }
    }
}
