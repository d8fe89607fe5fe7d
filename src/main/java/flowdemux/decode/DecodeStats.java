package flowdemux.decode;

import org.HdrHistogram.Histogram;

import java.util.Arrays;

/** What the reader and decoder saw: packets, bytes, time span, link types and undecodable packets by reason. */
public final class DecodeStats
{
    private static final long MAX_PACKET = 1L << 24;

    public long packets;
    public long capturedBytes;
    public long wireBytes;
    /** Packets (column 0) and bytes on the wire (column 1) over capture time. */
    public final flowdemux.util.TimeBuckets traffic = new flowdemux.util.TimeBuckets(2);
    public long firstNanos = Long.MAX_VALUE;
    public long lastNanos = Long.MIN_VALUE;
    public long ipv4Packets;
    public long ipv6Packets;
    public long tcpPackets;
    public long udpPackets;
    public long icmpPackets;
    public long otherIpPackets;
    /** Captured frames accounted to connections (a reassembled datagram counts all its fragments). */
    public long framesInFlows;
    /** Packets a --port/--host filter left out. */
    public long filteredOut;
    public final long[] drops = new long[DropReason.values().length];
    /** Packets found inside tunnels, by the tunnel they were in ({@link Tunnel}). */
    public final long[] tunnelled = new long[Tunnel.COUNT];
    /** Packets inside tunnels that could not be decoded, by reason (their frame is counted with its outer packet). */
    public final long[] innerDrops = new long[DropReason.values().length];
    /** Tunnels not looked into, being {@link Tunnel#MAX_DEPTH} deep already. */
    public long tooDeep;
    /** Tunnels met after the read had numbered as many as a packet can name (their connections name no parent). */
    public long tunnelsUnnumbered;
    /** How checksums were treated, and what became of them, per packet (the worse of its IPv4 header and transport). */
    public ChecksumMode checksumMode = ChecksumMode.IGNORE;
    public long checksumsVerified;
    public long checksumsOffloaded;
    public long checksumsBad;
    /** Bad ones that hold what a sending host leaves for its NIC: {@code --checksums offload} would take them. */
    public long checksumsUnfilled;
    /** Of the bad ones, those whose IPv4 header checksum was bad (not decoded). */
    public long ipChecksumsBad;
    /** Wire length of every packet, bytes. */
    public final Histogram packetSizes = new Histogram(3);
    /** The exact largest wire length (the histogram's max is its bucket's). */
    public long maxPacketSize;
    /** Packets of IP protocols other than TCP, UDP and ICMP, by protocol number. */
    public final long[] otherIpByProtocol = new long[256];
    private int[] linkTypes = new int[0];

    public void onPacket(final long timestampNanos, final int capturedLength, final int wireLength, final int linkType)
    {
        packets++;
        capturedBytes += capturedLength;
        wireBytes += wireLength;
        traffic.add(timestampNanos, 0, 1);
        traffic.add(timestampNanos, 1, wireLength);
        if (timestampNanos < firstNanos)
        {
            firstNanos = timestampNanos;
        }
        if (timestampNanos > lastNanos)
        {
            lastNanos = timestampNanos;
        }
        packetSizes.recordValue(Math.min(Math.max(wireLength, 0), MAX_PACKET));
        maxPacketSize = Math.max(maxPacketSize, wireLength);
        if (linkTypes.length == 0 || linkTypes[linkTypes.length - 1] != linkType)
        {
            noteLinkType(linkType);
        }
    }

    private void noteLinkType(final int linkType)
    {
        for (final int t : linkTypes)
        {
            if (t == linkType)
            {
                return;
            }
        }
        linkTypes = Arrays.copyOf(linkTypes, linkTypes.length + 1);
        linkTypes[linkTypes.length - 1] = linkType;
    }

    /** Counts {@code frames} captured frames (a reassembled datagram's fragments) of a decoded packet. */
    public void onDecoded(final DecodedPacket p, final int frames)
    {
        if (p.ipVersion == 4)
        {
            ipv4Packets += frames;
        }
        else
        {
            ipv6Packets += frames;
        }
        switch (p.protocol)
        {
            case DecodedPacket.PROTO_TCP:
                tcpPackets += frames;
                break;
            case DecodedPacket.PROTO_UDP:
                udpPackets += frames;
                break;
            case DecodedPacket.PROTO_ICMP:
            case DecodedPacket.PROTO_ICMPV6:
                icmpPackets += frames;
                break;
            default:
                otherIpPackets += frames;
                otherIpByProtocol[p.protocol & 0xFF] += frames;
                break;
        }
    }

    /** Counts what became of a decoded packet's checksums (also of one dropped for its IPv4 header checksum). */
    public void onChecksums(final DecodedPacket p)
    {
        // NONE < VERIFIED < OFFLOADED < BAD: a packet counts under the worse of its two checksums.
        switch (Math.max(p.checksum, p.ipChecksum))
        {
            case DecodedPacket.CHECKSUM_VERIFIED:
                checksumsVerified++;
                break;
            case DecodedPacket.CHECKSUM_OFFLOADED:
                checksumsOffloaded++;
                break;
            case DecodedPacket.CHECKSUM_BAD:
                checksumsBad++;
                break;
            default:
                return;
        }
        if (p.checksumUnfilled)
        {
            checksumsUnfilled++;
        }
        if (p.ipChecksum == DecodedPacket.CHECKSUM_BAD)
        {
            ipChecksumsBad++;
        }
    }

    /** Packets whose checksums were examined. */
    public long checksumsExamined()
    {
        return checksumsVerified + checksumsOffloaded + checksumsBad;
    }

    public void onDrop(final DropReason reason)
    {
        drops[reason.ordinal()]++;
    }

    public long undecodable()
    {
        long n = 0;
        for (int i = 1; i < drops.length; i++)
        {
            n += drops[i];
        }
        return n;
    }

    public int[] linkTypes()
    {
        return linkTypes.clone();
    }

    /** Adds a reader's interface link types (an interface may have no packets). */
    public void addLinkTypes(final int[] types)
    {
        for (final int t : types)
        {
            noteLinkType(t);
        }
    }
}
