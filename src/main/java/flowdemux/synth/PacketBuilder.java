package flowdemux.synth;

import java.util.Arrays;

/**
 * Builds Ethernet frames carrying IPv4 or IPv6 with TCP, UDP or ICMP, with correct lengths and checksums, into a
 * reusable buffer. For the project's samples and the traffic generator, not for the hot path.
 */
public final class PacketBuilder
{
    public static final int ETHER_HEADER = 14;
    private final byte[] frame = new byte[65_600];
    private int length;

    public byte[] frame()
    {
        return frame;
    }

    public int length()
    {
        return length;
    }

    public byte[] copy()
    {
        return Arrays.copyOf(frame, length);
    }

    /** TCP segment; {@code options} are raw option bytes, padded here to a multiple of 4. */
    public PacketBuilder tcp(final byte[] src, final int srcPort, final byte[] dst, final int dstPort, final long seq,
        final long ack, final int flags, final int window, final byte[] options, final int payloadLength)
    {
        final int optionLength = options == null ? 0 : (options.length + 3) & ~3;
        final int tcpLength = 20 + optionLength + payloadLength;
        final int t = ip(src, dst, 6, tcpLength);
        put16(t, srcPort);
        put16(t + 2, dstPort);
        put32(t + 4, seq);
        put32(t + 8, ack);
        frame[t + 12] = (byte)(((20 + optionLength) / 4) << 4);
        frame[t + 13] = (byte)flags;
        put16(t + 14, window);
        put16(t + 16, 0);
        put16(t + 18, 0);
        Arrays.fill(frame, t + 20, t + 20 + optionLength, (byte)0);
        if (options != null)
        {
            System.arraycopy(options, 0, frame, t + 20, options.length);
        }
        fillPayload(t + 20 + optionLength, payloadLength);
        put16(t + 16, transportChecksum(src, dst, 6, t, tcpLength));
        return this;
    }

    public PacketBuilder udp(final byte[] src, final int srcPort, final byte[] dst, final int dstPort,
        final int payloadLength)
    {
        final int udpLength = 8 + payloadLength;
        final int u = ip(src, dst, 17, udpLength);
        put16(u, srcPort);
        put16(u + 2, dstPort);
        put16(u + 4, udpLength);
        put16(u + 6, 0);
        fillPayload(u + 8, payloadLength);
        int sum = transportChecksum(src, dst, 17, u, udpLength);
        if (sum == 0)
        {
            sum = 0xFFFF;
        }
        put16(u + 6, sum);
        return this;
    }

    /** ICMP (IPv4) or ICMPv6 echo-style message with an identifier and sequence. */
    public PacketBuilder icmp(final byte[] src, final byte[] dst, final int type, final int code, final int id,
        final int sequence, final int payloadLength)
    {
        final boolean v6 = src.length == 16;
        final int icmpLength = 8 + payloadLength;
        final int i = ip(src, dst, v6 ? 58 : 1, icmpLength);
        frame[i] = (byte)type;
        frame[i + 1] = (byte)code;
        put16(i + 2, 0);
        put16(i + 4, id);
        put16(i + 6, sequence);
        fillPayload(i + 8, payloadLength);
        final int sum = v6 ? transportChecksum(src, dst, 58, i, icmpLength) : finish(sum(frame, i, icmpLength, 0));
        put16(i + 2, sum);
        return this;
    }

    /** Writes Ethernet and IP headers; returns the offset of the transport header. */
    private int ip(final byte[] src, final byte[] dst, final int protocol, final int transportLength)
    {
        final boolean v6 = src.length == 16;
        // Locally administered MACs derived from the last address byte, so each host keeps one MAC.
        mac(0, dst[dst.length - 1]);
        mac(6, src[src.length - 1]);
        put16(12, v6 ? 0x86DD : 0x0800);
        final int ip = ETHER_HEADER;
        if (v6)
        {
            put32(ip, 0x6000_0000L);
            put16(ip + 4, transportLength);
            frame[ip + 6] = (byte)protocol;
            frame[ip + 7] = 64;
            System.arraycopy(src, 0, frame, ip + 8, 16);
            System.arraycopy(dst, 0, frame, ip + 24, 16);
            length = ip + 40 + transportLength;
            return ip + 40;
        }
        frame[ip] = 0x45;
        frame[ip + 1] = 0;
        put16(ip + 2, 20 + transportLength);
        put16(ip + 4, 0);
        put16(ip + 6, 0x4000);
        frame[ip + 8] = 64;
        frame[ip + 9] = (byte)protocol;
        put16(ip + 10, 0);
        System.arraycopy(src, 0, frame, ip + 12, 4);
        System.arraycopy(dst, 0, frame, ip + 16, 4);
        put16(ip + 10, finish(sum(frame, ip, 20, 0)));
        length = ip + 20 + transportLength;
        // Ethernet's minimum frame is 60 bytes without FCS: pad short frames as a NIC would.
        if (length < 60)
        {
            Arrays.fill(frame, length, 60, (byte)0);
            length = 60;
        }
        return ip + 20;
    }

    private void mac(final int at, final byte last)
    {
        frame[at] = 0x02;
        frame[at + 1] = 0x00;
        frame[at + 2] = 0x5E;
        frame[at + 3] = 0x10;
        frame[at + 4] = 0x00;
        frame[at + 5] = last;
    }

    /** Bytes the next packet built carries at the start of its payload (the rest is filler); once. */
    public PacketBuilder payload(final byte[] bytes)
    {
        this.nextPayload = bytes;
        return this;
    }

    private byte[] nextPayload;

    private void fillPayload(final int at, final int n)
    {
        int from = 0;
        if (nextPayload != null)
        {
            from = Math.min(n, nextPayload.length);
            System.arraycopy(nextPayload, 0, frame, at, from);
            nextPayload = null;
        }
        for (int i = from; i < n; i++)
        {
            frame[at + i] = (byte)('a' + (i % 26));
        }
    }

    private int transportChecksum(final byte[] src, final byte[] dst, final int protocol, final int at, final int len)
    {
        long sum = sum(src, 0, src.length, 0);
        sum = sum(dst, 0, dst.length, sum);
        sum += protocol;
        sum += len;
        return finish(sum(frame, at, len, sum));
    }

    private static long sum(final byte[] b, final int at, final int len, final long initial)
    {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2)
        {
            sum += ((b[at + i] & 0xFF) << 8) | (b[at + i + 1] & 0xFF);
        }
        if (i < len)
        {
            sum += (b[at + i] & 0xFF) << 8;
        }
        return sum;
    }

    private static int finish(final long total)
    {
        long sum = total;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    private void put16(final int at, final int v)
    {
        frame[at] = (byte)(v >>> 8);
        frame[at + 1] = (byte)v;
    }

    private void put32(final int at, final long v)
    {
        frame[at] = (byte)(v >>> 24);
        frame[at + 1] = (byte)(v >>> 16);
        frame[at + 2] = (byte)(v >>> 8);
        frame[at + 3] = (byte)v;
    }

    public static byte[] ipv4(final String dotted)
    {
        final String[] p = dotted.split("\\.");
        final byte[] a = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            a[i] = (byte)Integer.parseInt(p[i]);
        }
        return a;
    }

    public static byte[] ipv6(final long hi, final long lo)
    {
        final byte[] a = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            a[i] = (byte)(hi >>> (56 - 8 * i));
            a[8 + i] = (byte)(lo >>> (56 - 8 * i));
        }
        return a;
    }

    /** MSS, SACK-permitted, timestamps, NOP, window scale: what Linux puts on a SYN. */
    public static byte[] synOptions(final int mss, final int windowScale)
    {
        return new byte[] {
            2, 4, (byte)(mss >>> 8), (byte)mss,
            4, 2,
            8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
            1,
            3, 3, (byte)windowScale,
        };
    }
}
