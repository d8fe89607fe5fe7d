package flowdemux.decode;

import flowdemux.source.LinkType;
import flowdemux.util.Bytes;

/**
 * Finds the network layer inside a frame for each supported link type. Returns the offset of the IP header, or a
 * negative {@link DropReason} ordinal when the frame carries no IP or is cut short.
 */
final class LinkLayer
{
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88A8;
    static final int ETHERTYPE_QINQ_OLD = 0x9100;
    static final int ETHERTYPE_MPLS = 0x8847;
    static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    static final int ETHERTYPE_PPPOE = 0x8864;
    static final int ETHERTYPE_VNTAG = 0x8926;
    static final int ETHERTYPE_PBB = 0x88E7;
    static final int ETHERTYPE_FABRICPATH = 0x8903;
    static final int FABRICPATH_HEADER = 16;
    static final int ETHER_HEADER = 14;
    static final int VLAN_TAG = 4;
    static final int MAX_VLAN_TAGS = 8;
    static final int SLL_HEADER = 16;
    static final int SLL2_HEADER = 20;
    static final int NULL_HEADER = 4;
    static final int MAX_MPLS_LABELS = 16;
    /** PPPoE's 6 bytes and PPP's 2-byte protocol. */
    static final int PPPOE_HEADER = 8;
    static final int PPP_IPV4 = 0x0021;
    static final int PPP_IPV6 = 0x0057;

    private LinkLayer()
    {
    }

    static int networkOffset(final int linkType, final byte[] b, final int start, final int length, final DecodedPacket out)
    {
        switch (linkType)
        {
            case LinkType.ETHERNET:
                return ethernet(b, start, length, out);
            case LinkType.LINUX_SLL:
                return length < SLL_HEADER ? -DropReason.TRUNCATED_LINK.ordinal()
                    : byEtherType(Bytes.u16(b, start + 14), b, start + SLL_HEADER, start + length, out);
            case LinkType.LINUX_SLL2:
                return length < SLL2_HEADER ? -DropReason.TRUNCATED_LINK.ordinal()
                    : byEtherType(Bytes.u16(b, start), b, start + SLL2_HEADER, start + length, out);
            case LinkType.NULL:
            case LinkType.LOOP:
                return loopback(linkType, b, start, length, out);
            case LinkType.IEEE802_11_RADIOTAP:
                if (length < 4 || b[start] != 0)
                {
                    return -DropReason.TRUNCATED_LINK.ordinal();
                }
                final int radiotap = Bytes.u16le(b, start + 2);
                return radiotap > length ? -DropReason.TRUNCATED_LINK.ordinal()
                    : wifi(b, start + radiotap, length - radiotap, out);
            case LinkType.IEEE802_11:
                return wifi(b, start, length, out);
            case LinkType.PPP:
            case LinkType.PPP_HDLC:
                return ppp(b, start, length, out);
            case LinkType.RAW:
            case LinkType.RAW_BSD12:
            case LinkType.RAW_BSD14:
                return start;
            case LinkType.IPV4:
                out.ipVersion = 4;
                return start;
            case LinkType.IPV6:
                out.ipVersion = 6;
                return start;
            default:
                return -DropReason.UNSUPPORTED_LINK_TYPE.ordinal();
        }
    }

    /**
     * Ethernet II with any number (up to {@link #MAX_VLAN_TAGS}) of 802.1Q / 802.1ad tags, Cisco VN-Tags and
     * 802.1ah provider backbone (I-TAG and customer addresses) headers, in any order, as Zeek reads them.
     * <pre>
     * +----------------+----------------+-----------+ [+-----------+-----------+ ...] +-----------+
     * | destination(6) |   source (6)   | type (2)  | [ | TCI (2) | type (2) | ...]   | payload   |
     * +----------------+----------------+-----------+ [+-----------+-----------+ ...] +-----------+
     * </pre>
     */
    static int ethernet(final byte[] b, final int start, final int length, final DecodedPacket out)
    {
        if (length < ETHER_HEADER)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        int p = start + 12;
        int type = Bytes.u16(b, p);
        if (type == ETHERTYPE_FABRICPATH)
        {
            // Cisco FabricPath: its outer MACs, type and FTag/TTL (16 bytes) before the frame it carries, skipped as
            // Zeek's Ethernet analyzer does.
            if (length <= FABRICPATH_HEADER + ETHER_HEADER)
            {
                return -DropReason.TRUNCATED_LINK.ordinal();
            }
            p += FABRICPATH_HEADER;
            type = Bytes.u16(b, p);
        }
        int tags = 0;
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD
            || type == ETHERTYPE_VNTAG || type == ETHERTYPE_PBB)
        {
            if (++tags > MAX_VLAN_TAGS)
            {
                return -DropReason.VLAN_TOO_DEEP.ordinal();
            }
            // To the next type field: a VLAN's TCI; Cisco VN-Tag's 4 bytes; 802.1ah's I-TAG and the customer's MACs.
            final int step = type == ETHERTYPE_VNTAG ? 6 : type == ETHERTYPE_PBB ? 18 : VLAN_TAG;
            if (p + step + 2 > start + length)
            {
                return -DropReason.TRUNCATED_LINK.ordinal();
            }
            if (out.vlanId < 0 && step == VLAN_TAG)
            {
                out.vlanId = Bytes.u16(b, p + 2) & 0x0FFF;
            }
            p += step;
            type = Bytes.u16(b, p);
        }
        return byEtherType(type, b, p + 2, start + length, out);
    }

    /** Sets the IP version the link layer announces in {@code out.ipVersion}; the decoder checks it. */
    private static int byEtherType(final int type, final byte[] b, final int next, final int end,
        final DecodedPacket out)
    {
        switch (type)
        {
            case ETHERTYPE_IPV4:
                out.ipVersion = 4;
                return next;
            case ETHERTYPE_IPV6:
                out.ipVersion = 6;
                return next;
            case ETHERTYPE_MPLS:
            case ETHERTYPE_MPLS_MULTICAST:
                return mpls(b, next, end);
            case ETHERTYPE_PPPOE:
                return pppoe(b, next, end, out);
            default:
                return -DropReason.NOT_IP.ordinal();
        }
    }

    /**
     * An 802.11 frame as Zeek reads it: only data frames, not protected (their payload is encrypted), with the
     * header's four-address, QoS and HT-control parts skipped, then LLC/SNAP and the EtherType.
     */
    private static int wifi(final byte[] b, final int start, final int length, final DecodedPacket out)
    {
        if (length < 24)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        final int fc = b[start] & 0xFF;
        final int flags = b[start + 1] & 0xFF;
        if ((fc >>> 2 & 3) != 2 || (fc & 0x40) != 0 || (flags & 0x40) != 0)
        {
            // Management and control frames, null data, protected data: no datagram to read.
            return -DropReason.NOT_IP.ordinal();
        }
        int header = 24;
        if ((flags & 0x03) == 0x03)
        {
            header += 6; // a fourth address, between access points
        }
        if ((fc & 0x80) != 0)
        {
            header += 2; // QoS control
            if ((flags & 0x80) != 0)
            {
                header += 4; // HT control
            }
        }
        final int llc = start + header;
        if (llc + 8 > start + length)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        if ((b[llc] & 0xFF) != 0xAA || (b[llc + 1] & 0xFF) != 0xAA || b[llc + 2] != 0x03)
        {
            return -DropReason.NOT_IP.ordinal();
        }
        return byEtherType(Bytes.u16(b, llc + 6), b, llc + 8, start + length, out);
    }

    /** PPP (RFC 1661/1662): address and control (0xFF 0x03) unless left out, the protocol (one byte if compressed). */
    private static int ppp(final byte[] b, final int start, final int length, final DecodedPacket out)
    {
        int p = start;
        final int end = start + length;
        if (p + 2 <= end && (b[p] & 0xFF) == 0xFF && b[p + 1] == 0x03)
        {
            p += 2;
        }
        if (p + 1 > end)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        final int protocol;
        if ((b[p] & 0x01) != 0)
        {
            protocol = b[p] & 0xFF;
            p += 1;
        }
        else
        {
            if (p + 2 > end)
            {
                return -DropReason.TRUNCATED_LINK.ordinal();
            }
            protocol = Bytes.u16(b, p);
            p += 2;
        }
        return byPppProtocol(protocol, p, out);
    }

    /** What a PPP protocol number carries: IPv4 or IPv6 from {@code next} on, else no datagram. */
    private static int byPppProtocol(final int protocol, final int next, final DecodedPacket out)
    {
        switch (protocol)
        {
            case PPP_IPV4:
                out.ipVersion = 4;
                return next;
            case PPP_IPV6:
                out.ipVersion = 6;
                return next;
            default:
                return -DropReason.NOT_IP.ordinal();
        }
    }

    /**
     * MPLS (RFC 3032): 4-byte label entries until the one with the bottom-of-stack bit, then, as Zeek reads it, an
     * IP datagram (its version in its first nibble; anything else, such as a pseudowire, is not decoded).
     */
    private static int mpls(final byte[] b, final int start, final int end)
    {
        int p = start;
        for (int labels = 0; labels < MAX_MPLS_LABELS; labels++)
        {
            if (p + 4 > end)
            {
                return -DropReason.TRUNCATED_LINK.ordinal();
            }
            final boolean bottom = (b[p + 2] & 0x01) != 0;
            p += 4;
            if (bottom)
            {
                if (p >= end)
                {
                    return -DropReason.TRUNCATED_LINK.ordinal();
                }
                final int version = b[p] >>> 4 & 0xF;
                return version == 4 || version == 6 ? p : -DropReason.UNSUPPORTED_ENCAPSULATION.ordinal();
            }
        }
        return -DropReason.UNSUPPORTED_ENCAPSULATION.ordinal();
    }

    /** A PPPoE session frame (RFC 2516): version and type, code, session id, length, then PPP's protocol. */
    private static int pppoe(final byte[] b, final int start, final int end, final DecodedPacket out)
    {
        if (start + PPPOE_HEADER > end)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        return byPppProtocol(Bytes.u16(b, start + 6), start + PPPOE_HEADER, out);
    }

    /**
     * BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL and big-endian for LOOP.
     * AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD (10 on Linux).
     */
    private static int loopback(final int linkType, final byte[] b, final int start, final int length,
        final DecodedPacket out)
    {
        if (length < NULL_HEADER)
        {
            return -DropReason.TRUNCATED_LINK.ordinal();
        }
        int family = Bytes.i32(b, start);
        if (linkType == LinkType.NULL && (family & 0xFFFF) == 0)
        {
            family = Integer.reverseBytes(family);
        }
        switch (family)
        {
            case 2:
                out.ipVersion = 4;
                return start + NULL_HEADER;
            case 10:
            case 24:
            case 28:
            case 30:
                out.ipVersion = 6;
                return start + NULL_HEADER;
            default:
                return -DropReason.NOT_IP.ordinal();
        }
    }
}
