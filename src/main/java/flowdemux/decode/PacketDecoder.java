package flowdemux.decode;

import flowdemux.source.PacketRecord;
import flowdemux.util.Bytes;

/**
 * Decodes one captured packet into a reused {@link DecodedPacket}: link layer, IPv4/IPv6, then TCP/UDP/ICMP, and
 * then, layer by layer as Zeek's packet analysis does, the packets inside the tunnels it carries ({@link #decapsulate}:
 * each tunnel's analyzer in {@link Encapsulation} says what comes next, Ethernet or IP). Allocates nothing; a packet
 * that cannot be decoded gets a {@link DropReason} and the caller counts it.
 */
public final class PacketDecoder
{
    /** Enum.values() clones its array on each call; keep one copy. */
    private static final DropReason[] REASONS = DropReason.values();
    /**
     * Longest IP datagram of an Ethernet link without jumbo frames. A longer TCP/UDP packet whose checksum does not
     * verify is a segmentation-offload super-packet (TSO/GSO on the sending host, GRO/LRO on the receiving one):
     * the capture saw it before the NIC cut it up, or after the stack merged several, and its checksum was never
     * meant to cover it.
     */
    static final int ETHERNET_MTU = 1500;

    /**
     * A packet that carries a tunnel keeps its record's index in the low bits of its packetIndex and its depth + 1
     * above them, so that the connection it starts has a serial (and a uid) of its own beside the connection inside.
     */
    static final int DEPTH_SHIFT = 40;
    static final long INDEX_MASK = (1L << DEPTH_SHIFT) - 1;
    static final int NO_NEXT_HEADER = 59;

    private final DecodedPacket packet = new DecodedPacket();
    private final ChecksumMode checksums;
    private boolean decapsulation = true;
    /** The record being decoded: its bytes, where it starts and ends, its length on the wire. */
    private byte[] bytes;
    private int recordStart;
    private int recordEnd;
    private int recordWireLength;

    public PacketDecoder(final ChecksumMode checksums)
    {
        this.checksums = checksums;
    }

    /** A decoder that verifies no checksum. */
    public PacketDecoder()
    {
        this(ChecksumMode.IGNORE);
    }

    public DecodedPacket packet()
    {
        return packet;
    }

    /**
     * Decodes the captured packet itself (depth 0). When it carries a tunnel ({@code packet().carries}), the packet
     * inside is decoded by {@link #decapsulate}, once this one has been used.
     */
    public DropReason decode(final PacketRecord record)
    {
        final DecodedPacket out = packet;
        out.reset();
        out.timestampNanos = record.timestampNanos;
        out.packetIndex = record.index;
        out.wireLength = record.originalLength;
        final byte[] b = record.buffer;
        out.inspectBytes = b;
        final int start = record.offset;
        final int captured = record.capturedLength;
        bytes = b;
        recordStart = start;
        recordEnd = start + captured;
        recordWireLength = record.originalLength;

        final int ip = LinkLayer.networkOffset(record.linkType, b, start, captured, out);
        if (ip < 0)
        {
            return REASONS[-ip];
        }
        return network(ip);
    }

    /**
     * Decodes the packet inside the tunnel the last decoded packet carries, into the same {@link DecodedPacket} (its
     * depth one more, its tunnel's type and identifier set, the record's fields kept). Returns null when there is
     * none (or the packet is at {@link Tunnel#MAX_DEPTH} already), else how the inner packet decoded. The inner packet
     * has the record's index as its packetIndex.
     */
    public DropReason decapsulate()
    {
        final DecodedPacket out = packet;
        if (out.carries == Tunnel.NONE)
        {
            return null;
        }
        if (out.depth >= Tunnel.MAX_DEPTH)
        {
            return null;
        }
        final int type = out.carries;
        final int kind = out.innerKind;
        final int at = out.innerOffset;
        final long id = out.carriedId;
        out.resetLayer();
        out.depth++;
        out.tunnelType = type;
        out.tunnelId = id;
        out.tunnelInstance = 0;
        out.packetIndex = out.packetIndex & INDEX_MASK;
        int ip = at;
        if (kind == Encapsulation.INNER_ETHERNET)
        {
            ip = LinkLayer.ethernet(bytes, at, recordEnd - at, out);
            if (ip < 0)
            {
                return REASONS[-ip];
            }
        }
        return network(ip);
    }

    /**
     * Decodes an IPv4 datagram put together from its fragments ({@link DatagramAssembly}) as a packet of the record
     * that completed it ({@code like}: its time and index), so that the tunnel it carries can be read.
     */
    public DropReason decodeDatagram(final byte[] b, final int length, final DecodedPacket like)
    {
        final DecodedPacket out = packet;
        out.reset();
        out.timestampNanos = like.timestampNanos;
        out.packetIndex = like.packetIndex;
        out.wireLength = length;
        out.vlanId = like.vlanId;
        out.inspectBytes = b;
        bytes = b;
        recordStart = 0;
        recordEnd = length;
        recordWireLength = length;
        return network(0);
    }

    /** Whether tunnels are looked into (the default; {@code --decap none} turns it off). */
    public void decapsulation(final boolean on)
    {
        this.decapsulation = on;
    }

    /** The packetIndex of a packet at {@code depth} that carries a tunnel: its record's index, depth + 1 above. */
    public static long carrierIndex(final long packetIndex, final int depth)
    {
        return (packetIndex & INDEX_MASK) | (long)(depth + 1) << DEPTH_SHIFT;
    }

    /** The IP layer at {@code ip} and what it carries, to the record's end. */
    private DropReason network(final int ip)
    {
        final DecodedPacket out = packet;
        final byte[] b = bytes;
        final int ipCaptured = recordEnd - ip;
        final int ipOnWire = Math.max(ipCaptured, recordWireLength - (ip - recordStart));
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
        if (version == 6 && out.protocol == NO_NEXT_HEADER)
        {
            // Nothing inside to be a connection: Zeek drops it (a Teredo bubble, or a weird ipv6_no_next).
            return DropReason.IPV6_NO_NEXT_HEADER;
        }
        // A zero IPv4 total length (TSO) means the stack had not filled in its checksums either.
        final boolean lengthless = version == 4 && Bytes.u16(b, ip + 2) == 0;
        final ChecksumMode mode = checksums;
        if (mode != ChecksumMode.IGNORE && version == 4 && !(lengthless && mode == ChecksumMode.VERIFY))
        {
            if (Checksums.valid(Checksums.sum(b, ip, out.ipHeaderLength, 0)))
            {
                out.ipChecksum = DecodedPacket.CHECKSUM_VERIFIED;
            }
            else if (mode == ChecksumMode.OFFLOAD && (lengthless || Bytes.u16(b, ip + 10) == 0))
            {
                // A header checksum of 0 is what a host that offloads it to the NIC leaves (Windows does).
                out.ipChecksum = DecodedPacket.CHECKSUM_OFFLOADED;
            }
            else
            {
                out.ipChecksum = DecodedPacket.CHECKSUM_BAD;
                return DropReason.BAD_IP_CHECKSUM;
            }
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
        if (reason == DropReason.NONE && mode != ChecksumMode.IGNORE && !out.fragment
            && transportCaptured >= transportLength && !(lengthless && mode == ChecksumMode.VERIFY))
        {
            out.checksum = transportChecksum(b, transport, transportLength, out, mode, lengthless);
            out.checksumBad = out.checksum == DecodedPacket.CHECKSUM_BAD;
        }
        if (reason == DropReason.NONE && !out.fragment)
        {
            final int protocol = out.protocol;
            if (protocol == DecodedPacket.PROTO_TCP || protocol == DecodedPacket.PROTO_UDP)
            {
                out.inspectOffset = out.payloadOffset;
                out.inspectLength = Math.max(0, Math.min(out.capturedPayload, out.payloadLength));
            }
            // Zeek reads a tunnel whatever the outer checksum says only when checksums are not verified; a packet
            // dropped for its checksum carries nothing.
            if (decapsulation && !out.checksumBad)
            {
                if (protocol == DecodedPacket.PROTO_UDP)
                {
                    if (out.capturedPayload > 0)
                    {
                        Encapsulation.udp(b, out);
                    }
                }
                else if (protocol == Encapsulation.PROTO_GRE || protocol == Encapsulation.PROTO_IPIP
                    || protocol == Encapsulation.PROTO_IPV6)
                {
                    Encapsulation.ip(b, out);
                }
            }
        }
        return reason;
    }

    /** Verifies the transport checksum and, when it is wrong, tells an unfilled one from a corrupt one. */
    private static int transportChecksum(final byte[] b, final int t, final int length, final DecodedPacket p,
        final ChecksumMode mode, final boolean lengthless)
    {
        if (transportChecksumValid(b, t, length, p))
        {
            return p.protocol == DecodedPacket.PROTO_UDP && p.ipVersion == 4 && Bytes.u16(b, t + 6) == 0
                ? DecodedPacket.CHECKSUM_NONE : DecodedPacket.CHECKSUM_VERIFIED;
        }
        final int stored;
        if (p.protocol == DecodedPacket.PROTO_TCP)
        {
            stored = Bytes.u16(b, t + 16);
        }
        else if (p.protocol == DecodedPacket.PROTO_UDP)
        {
            stored = Bytes.u16(b, t + 6);
        }
        else
        {
            return DecodedPacket.CHECKSUM_BAD; // ICMP checksums are computed by the stack, never offloaded
        }
        final boolean unfilled = Checksums.unfilled(stored, p, length);
        if (mode == ChecksumMode.OFFLOAD && (unfilled || lengthless || p.ipTotalLength > ETHERNET_MTU))
        {
            return DecodedPacket.CHECKSUM_OFFLOADED;
        }
        p.checksumUnfilled = unfilled;
        return DecodedPacket.CHECKSUM_BAD;
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
                return Checksums.valid(Checksums.sum(b, t, length, Checksums.pseudoHeader(p, length)));
            case DecodedPacket.PROTO_TCP:
            case DecodedPacket.PROTO_ICMPV6:
                return Checksums.valid(Checksums.sum(b, t, length, Checksums.pseudoHeader(p, length)));
            case DecodedPacket.PROTO_ICMP:
                return Checksums.valid(Checksums.sum(b, t, length, 0));
            default:
                return true;
        }
    }
}
