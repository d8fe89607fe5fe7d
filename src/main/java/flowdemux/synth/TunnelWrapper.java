package flowdemux.synth;

import java.io.IOException;
import java.util.Arrays;

/**
 * Wraps an Ethernet frame in a tunnel, as a cloud mirror or an overlay network sends it: a new Ethernet and IPv4
 * header between two tunnel endpoints, then VXLAN, Geneve, GTP-U, GRE (transparent Ethernet or IPv4), ERSPAN type II
 * or plain IP in IP, and the frame (or, for the tunnels that carry IP, its IP datagram). For the generator and the
 * tests, not for the hot path.
 */
public final class TunnelWrapper
{
    /** The tunnels {@code generate --encap} offers. */
    public enum Kind
    {
        VXLAN, GENEVE, GTP, GRE, GRE_IP, ERSPAN, IPIP
    }

    private static final byte[] OUTER_SRC = PacketBuilder.ipv4("10.255.0.1");
    private static final byte[] OUTER_DST = PacketBuilder.ipv4("10.255.0.2");
    private final byte[] out = new byte[65_600 + 128];
    private int length;
    private final byte[] src;
    private final byte[] dst;

    public TunnelWrapper()
    {
        this(OUTER_SRC, OUTER_DST);
    }

    /** Tunnel endpoints (IPv4). */
    public TunnelWrapper(final byte[] src, final byte[] dst)
    {
        this.src = src.clone();
        this.dst = dst.clone();
    }

    public byte[] frame()
    {
        return out;
    }

    public int length()
    {
        return length;
    }

    public byte[] copy()
    {
        return Arrays.copyOf(out, length);
    }

    /**
     * Wraps {@code inner} (an Ethernet frame of {@code n} bytes carrying IP) in {@code kind}; {@code id} is the
     * tunnel's identifier (VNI, TEID, GRE key, ERSPAN session). The outer UDP source port follows a hash of the inner
     * frame's addresses and ports, as VXLAN endpoints choose it (RFC 7348), so one tunnel is several UDP flows.
     */
    public TunnelWrapper wrap(final Kind kind, final byte[] inner, final int n, final long id)
    {
        final int ipStart = 14;
        final boolean innerV6 = (inner[ipStart] & 0xF0) == 0x60;
        final boolean ipOnly = kind == Kind.GTP || kind == Kind.GRE_IP || kind == Kind.IPIP;
        final int payloadFrom = ipOnly ? ipStart : 0;
        final int payloadLength = ipOnly ? ipLength(inner, n) : n;
        int at = ipStart + 20;
        final int protocol;
        switch (kind)
        {
            case VXLAN:
            case GENEVE:
            case GTP:
            {
                protocol = 17;
                final int header = 8;
                final int udpLength = 8 + header + payloadLength;
                put16(at, 49152 + (entropy(inner, n) & 0x3FFF));
                put16(at + 2, kind == Kind.VXLAN ? 4789 : kind == Kind.GENEVE ? 6081 : 2152);
                put16(at + 4, udpLength);
                put16(at + 6, 0); // no checksum, as VXLAN over IPv4 sends it
                at += 8;
                if (kind == Kind.VXLAN)
                {
                    put32(at, 0x0800_0000L);
                    put32(at + 4, (id & 0xFF_FFFFL) << 8);
                }
                else if (kind == Kind.GENEVE)
                {
                    put16(at, 0);
                    put16(at + 2, 0x6558);
                    put32(at + 4, (id & 0xFF_FFFFL) << 8);
                }
                else
                {
                    out[at] = 0x30; // version 1, GTP (not GTP'), no optional fields
                    out[at + 1] = (byte)0xFF; // G-PDU
                    put16(at + 2, payloadLength);
                    put32(at + 4, id);
                }
                at += header;
                break;
            }
            case GRE:
            case GRE_IP:
                protocol = 47;
                out[at] = 0x20; // K: a key
                out[at + 1] = 0;
                put16(at + 2, kind == Kind.GRE ? 0x6558 : innerV6 ? 0x86DD : 0x0800);
                put32(at + 4, id);
                at += 8;
                break;
            case ERSPAN:
                protocol = 47;
                out[at] = 0x10; // S: a sequence number, which marks type II
                out[at + 1] = 0;
                put16(at + 2, 0x88BE);
                put32(at + 4, 0);
                // ERSPAN II: version 1, VLAN 0, COS, encapsulation type, truncated, session id; index
                put16(at + 8, 0x1000);
                put16(at + 10, (int)(id & 0x3FF));
                put32(at + 12, 0);
                at += 16;
                break;
            default:
                protocol = innerV6 ? 41 : 4;
                break;
        }
        System.arraycopy(inner, payloadFrom, out, at, payloadLength);
        final int total = at + payloadLength - ipStart;
        // Outer Ethernet and IPv4.
        for (int i = 0; i < 6; i++)
        {
            out[i] = i == 0 ? 0x02 : dst[3];
            out[6 + i] = i == 0 ? 0x02 : src[3];
        }
        put16(12, 0x0800);
        out[ipStart] = 0x45;
        out[ipStart + 1] = 0;
        put16(ipStart + 2, total);
        put16(ipStart + 4, 0);
        put16(ipStart + 6, 0x4000);
        out[ipStart + 8] = 64;
        out[ipStart + 9] = (byte)protocol;
        put16(ipStart + 10, 0);
        System.arraycopy(src, 0, out, ipStart + 12, 4);
        System.arraycopy(dst, 0, out, ipStart + 16, 4);
        put16(ipStart + 10, checksum(out, ipStart, 20));
        length = ipStart + total;
        return this;
    }

    /** The IP datagram's length in an Ethernet frame (its total length, not the padding after it). */
    private static int ipLength(final byte[] frame, final int n)
    {
        final int ip = 14;
        if ((frame[ip] & 0xF0) == 0x40)
        {
            return Math.min(n - ip, ((frame[ip + 2] & 0xFF) << 8) | (frame[ip + 3] & 0xFF));
        }
        return Math.min(n - ip, 40 + (((frame[ip + 4] & 0xFF) << 8) | (frame[ip + 5] & 0xFF)));
    }

    /** A hash of the inner addresses and ports, the same both ways of a connection. */
    private static int entropy(final byte[] frame, final int n)
    {
        final int ip = 14;
        final boolean v4 = (frame[ip] & 0xF0) == 0x40;
        final int addresses = v4 ? ip + 12 : ip + 8;
        final int half = v4 ? 4 : 16;
        final int transport = v4 ? ip + (frame[ip] & 0x0F) * 4 : ip + 40;
        int a = Arrays.hashCode(Arrays.copyOfRange(frame, addresses, addresses + half));
        int b = Arrays.hashCode(Arrays.copyOfRange(frame, addresses + half, addresses + 2 * half));
        if (transport + 4 <= n)
        {
            a = a * 31 + (((frame[transport] & 0xFF) << 8) | (frame[transport + 1] & 0xFF));
            b = b * 31 + (((frame[transport + 2] & 0xFF) << 8) | (frame[transport + 3] & 0xFF));
        }
        final int h = a ^ b;
        return h ^ (h >>> 16);
    }

    /** A writer that wraps every frame in {@code kind} (identifier {@code id}) before {@code to} writes it. */
    public static CaptureWriter writer(final CaptureWriter to, final Kind kind, final long id)
    {
        final TunnelWrapper wrapper = new TunnelWrapper();
        return new CaptureWriter()
        {
            @Override
            public void write(final long timestampNanos, final byte[] frame, final int length, final int interfaceId)
                throws IOException
            {
                wrapper.wrap(kind, frame, length, id);
                to.write(timestampNanos, wrapper.frame(), wrapper.length(), interfaceId);
            }

            @Override
            public void close() throws IOException
            {
                to.close();
            }
        };
    }

    private static int checksum(final byte[] b, final int at, final int len)
    {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2)
        {
            sum += ((b[at + i] & 0xFF) << 8) | (b[at + i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    private void put16(final int at, final int v)
    {
        out[at] = (byte)(v >>> 8);
        out[at + 1] = (byte)v;
    }

    private void put32(final int at, final long v)
    {
        out[at] = (byte)(v >>> 24);
        out[at + 1] = (byte)(v >>> 16);
        out[at + 2] = (byte)(v >>> 8);
        out[at + 3] = (byte)v;
    }
}
