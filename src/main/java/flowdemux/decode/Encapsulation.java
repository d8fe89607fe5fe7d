package flowdemux.decode;

import flowdemux.util.Bytes;

/**
 * Finds a tunnel header at a decoded packet's payload and what comes after it, as Zeek's tunnel analyzers read them
 * (its packet_analysis/protocol/{vxlan,geneve,gtpv1,teredo,ayiya,gre,ip}): sets the packet's {@code carries},
 * {@code carriedId}, {@code innerKind} and {@code innerOffset}, or leaves {@code carries} at {@link Tunnel#NONE}.
 * Reads only captured bytes.
 */
final class Encapsulation
{
    /** What follows a tunnel header: an Ethernet frame, or an IP datagram (its version in its first nibble). */
    static final int INNER_ETHERNET = 1;
    static final int INNER_IP = 2;

    static final int PROTO_IPIP = 4;
    static final int PROTO_IPV6 = 41;
    static final int PROTO_GRE = 47;

    private static final int ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;
    private static final int ETHERTYPE_ERSPAN_1_2 = 0x88BE;
    private static final int ETHERTYPE_ERSPAN_3 = 0x22EB;
    private static final int ETHERTYPE_PPP = 0x880B;
    private static final int GTP_G_PDU = 0xFF;
    /** RFC 4380: every Teredo address is in 2001:0::/32. */
    private static final long TEREDO_PREFIX = 0x2001_0000L;

    private Encapsulation()
    {
    }

    /** A UDP packet on a tunnel's port, or one whose payload is an IPv6 datagram to or from a Teredo address. */
    static void udp(final byte[] b, final DecodedPacket p)
    {
        final int at = p.payloadOffset;
        final int n = Math.min(p.capturedPayload, p.payloadLength);
        switch (Tunnel.ofUdpPorts(p.srcPort, p.dstPort))
        {
            case Tunnel.VXLAN:
                vxlan(b, at, n, p);
                break;
            case Tunnel.GENEVE:
                geneve(b, at, n, p);
                break;
            case Tunnel.GTPV1:
                gtp(b, at, n, p);
                break;
            case Tunnel.TEREDO:
                teredo(b, at, n, p, true);
                break;
            case Tunnel.AYIYA:
                ayiya(b, at, n, p);
                break;
            case Tunnel.GRE:
                gre(b, at, n, p);
                break;
            default:
                // Teredo relays talk on any port: Zeek's signature looks for an IPv6 header with a Teredo address.
                if (n >= 40 && (b[at] & 0xF0) == 0x60)
                {
                    teredo(b, at, n, p, false);
                }
                break;
        }
    }

    /** An IP packet whose protocol is GRE or IP itself. */
    static void ip(final byte[] b, final DecodedPacket p)
    {
        final int at = p.payloadOffset;
        final int n = Math.min(p.capturedPayload, p.payloadLength);
        switch (p.protocol)
        {
            case PROTO_GRE:
                gre(b, at, n, p);
                break;
            case PROTO_IPIP:
            case PROTO_IPV6:
                if (n >= 1 && (b[at] >>> 4 & 0xF) == (p.protocol == PROTO_IPIP ? 4 : 6))
                {
                    found(p, Tunnel.IP, INNER_IP, at, -1);
                }
                break;
            default:
                break;
        }
    }

    private static void found(final DecodedPacket p, final int type, final int kind, final int offset, final long id)
    {
        p.carries = type;
        p.innerKind = kind;
        p.innerOffset = offset;
        p.carriedId = id;
    }

    /** RFC 7348: flags (8), reserved (24), VNI (24), reserved (8); then an Ethernet frame. */
    private static void vxlan(final byte[] b, final int at, final int n, final DecodedPacket p)
    {
        if (n >= 8 + LinkLayer.ETHER_HEADER)
        {
            found(p, Tunnel.VXLAN, INNER_ETHERNET, at + 8, (Bytes.i32(b, at + 4) >>> 8) & 0xFF_FFFFL);
        }
    }

    /** RFC 8926: version (2) and option length in words (6), flags (8), protocol type (16), VNI (24), reserved (8). */
    private static void geneve(final byte[] b, final int at, final int n, final DecodedPacket p)
    {
        if (n < 8 || (b[at] & 0xC0) != 0)
        {
            return;
        }
        final int header = 8 + (b[at] & 0x3F) * 4;
        if (header < n)
        {
            byEtherType(Bytes.u16(b, at + 2), Tunnel.GENEVE, at + header, (Bytes.i32(b, at + 4) >>> 8) & 0xFF_FFFFL,
                p);
        }
    }

    /**
     * 3GPP TS 29.281: flags (version 1, PT 1, E, S, PN), message type, length, TEID; with E, S or PN a sequence
     * number, N-PDU number and next extension type; extension headers, each a length in words and the next type last.
     * Only a G-PDU carries a user packet (an IP datagram).
     */
    private static void gtp(final byte[] b, final int at, final int n, final DecodedPacket p)
    {
        if (n < 8)
        {
            return;
        }
        final int flags = b[at] & 0xFF;
        if (flags >>> 5 != 1 || (flags & 0x10) == 0 || (b[at + 1] & 0xFF) != GTP_G_PDU)
        {
            return;
        }
        int q = at + 8;
        if ((flags & 0x07) != 0)
        {
            if (n < 12)
            {
                return;
            }
            int next = (flags & 0x04) != 0 ? b[at + 11] & 0xFF : 0;
            q = at + 12;
            while (next != 0)
            {
                if (q >= at + n)
                {
                    return;
                }
                final int words = b[q] & 0xFF;
                if (words == 0 || q + words * 4 > at + n)
                {
                    return;
                }
                next = b[q + words * 4 - 1] & 0xFF;
                q += words * 4;
            }
        }
        if (q < at + n)
        {
            final int version = b[q] >>> 4 & 0xF;
            if (version == 4 || version == 6)
            {
                found(p, Tunnel.GTPV1, INNER_IP, q, Bytes.u32(b, at + 4));
            }
        }
    }

    /**
     * RFC 4380 section 5.1.1: an optional authentication indicator (0x0001, lengths, client id, authentication
     * value, nonce, confirmation) and origin indication (0x0000, port, address), then an IPv6 datagram whose payload
     * length fits what is left. Off the Teredo port, one of its addresses must be a Teredo address.
     */
    private static void teredo(final byte[] b, final int at, final int n, final DecodedPacket p, final boolean onPort)
    {
        int q = at;
        final int end = at + n;
        if (q + 2 <= end && b[q] == 0 && b[q + 1] == 1)
        {
            if (q + 4 > end)
            {
                return;
            }
            q += 4 + (b[q + 2] & 0xFF) + (b[q + 3] & 0xFF) + 8 + 1;
        }
        if (q + 2 <= end && b[q] == 0 && b[q + 1] == 0)
        {
            q += 8;
        }
        if (q + 40 > end || (b[q] & 0xF0) != 0x60 || q + 40 + Bytes.u16(b, q + 4) > at + p.payloadLength)
        {
            return;
        }
        if (!onPort && Bytes.u32(b, q + 8) != TEREDO_PREFIX && Bytes.u32(b, q + 24) != TEREDO_PREFIX)
        {
            return;
        }
        found(p, Tunnel.TEREDO, INNER_IP, q, -1);
    }

    /**
     * AYIYA: identity length and type, signature length and hash, authentication method and operation code, next
     * header, epoch (32), identity, signature. Only a forward (operation 1) of IPv4 or IPv6 carries a packet.
     */
    private static void ayiya(final byte[] b, final int at, final int n, final DecodedPacket p)
    {
        if (n < 8)
        {
            return;
        }
        final int header = 8 + (1 << (b[at] >>> 4 & 0xF)) + (b[at + 1] >>> 4 & 0xF) * 4;
        final int op = b[at + 2] & 0x0F;
        final int next = b[at + 3] & 0xFF;
        if (op == 1 && (next == PROTO_IPIP || next == PROTO_IPV6) && header < n)
        {
            found(p, Tunnel.AYIYA, INNER_IP, at + header, -1);
        }
    }

    /**
     * RFC 2784/2890 GRE: C, R, K, S flags and version; the protocol type; checksum (with C or R), key (K), sequence
     * number (S). Version 1 is PPTP's enhanced GRE (RFC 2637): key always (payload length and call id), an
     * acknowledgement with A, PPP inside. ERSPAN type I has no header of its own, type II 8 bytes (with S), type III
     * 12 and 8 more with its O flag; each then an Ethernet frame.
     */
    private static void gre(final byte[] b, final int at, final int n, final DecodedPacket p)
    {
        if (n < 4)
        {
            return;
        }
        final int flags = b[at] & 0xFF;
        final int version = b[at + 1] & 0x07;
        final int protocol = Bytes.u16(b, at + 2);
        int q = at + 4;
        long key = -1;
        if (version == 0)
        {
            if ((flags & 0xC0) != 0)
            {
                q += 4;
            }
            if ((flags & 0x20) != 0)
            {
                if (q + 4 > at + n)
                {
                    return;
                }
                key = Bytes.u32(b, q);
                q += 4;
            }
            if ((flags & 0x10) != 0)
            {
                q += 4;
            }
            if (q > at + n)
            {
                return;
            }
            switch (protocol)
            {
                case ETHERTYPE_ERSPAN_1_2:
                    if ((flags & 0x10) != 0)
                    {
                        if (q + 8 > at + n)
                        {
                            return;
                        }
                        key = Bytes.u16(b, q + 2) & 0x3FF;
                        q += 8;
                    }
                    found(p, Tunnel.GRE, INNER_ETHERNET, q, key);
                    return;
                case ETHERTYPE_ERSPAN_3:
                    if (q + 12 > at + n)
                    {
                        return;
                    }
                    key = Bytes.u16(b, q + 2) & 0x3FF;
                    q += 12 + ((b[q + 11] & 0x01) != 0 ? 8 : 0);
                    found(p, Tunnel.GRE, INNER_ETHERNET, q, key);
                    return;
                default:
                    byEtherType(protocol, Tunnel.GRE, q, key, p);
                    return;
            }
        }
        if (version == 1 && protocol == ETHERTYPE_PPP && (flags & 0x20) != 0)
        {
            q = at + 8 + ((flags & 0x10) != 0 ? 4 : 0) + ((b[at + 1] & 0x80) != 0 ? 4 : 0);
            key = Bytes.u16(b, at + 6);
            if (q + 2 <= at + n && (b[q] & 0xFF) == 0xFF && b[q + 1] == 0x03)
            {
                q += 2; // address and control, unless compressed away
            }
            if (q + 1 > at + n)
            {
                return;
            }
            final int ppp;
            if ((b[q] & 0x01) != 0)
            {
                ppp = b[q] & 0xFF; // a one-byte protocol field (protocol-field compression)
                q += 1;
            }
            else
            {
                if (q + 2 > at + n)
                {
                    return;
                }
                ppp = Bytes.u16(b, q);
                q += 2;
            }
            if ((ppp == 0x21 || ppp == 0x57) && q < at + n)
            {
                found(p, Tunnel.GRE, INNER_IP, q, key);
            }
        }
    }

    private static void byEtherType(final int type, final int tunnel, final int at, final long id,
        final DecodedPacket p)
    {
        switch (type)
        {
            case ETHERTYPE_TRANSPARENT_ETHERNET:
                found(p, tunnel, INNER_ETHERNET, at, id);
                break;
            case LinkLayer.ETHERTYPE_IPV4:
            case LinkLayer.ETHERTYPE_IPV6:
                found(p, tunnel, INNER_IP, at, id);
                break;
            default:
                break;
        }
    }
}
