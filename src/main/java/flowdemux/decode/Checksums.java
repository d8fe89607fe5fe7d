package flowdemux.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Internet checksums (RFC 1071) over the packet bytes in place: IPv4 header, TCP, UDP, ICMP, ICMPv6. */
final class Checksums
{
    private Checksums()
    {
    }

    /** Reads 8 bytes big-endian in one access. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * The running one's-complement sum of 16-bit big-endian words. Eight bytes per step, added as two 32-bit halves:
     * a one's-complement sum may be taken over wider words and folded at the end (RFC 1071, section 2), and 2^32
     * steps would be needed to overflow the long. The tail goes two bytes at a time.
     */
    static long sum(final byte[] b, final int off, final int len, final long initial)
    {
        long sum = initial;
        int i = off;
        final int end = off + len;
        for (; i + 7 < end; i += 8)
        {
            final long v = (long)LONGS.get(b, i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        for (; i + 1 < end; i += 2)
        {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end)
        {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** True when a sum over data that includes its checksum field folds to 0xFFFF. */
    static boolean valid(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s == 0xFFFF;
    }

    /** The TCP/UDP/ICMPv6 pseudo-header sum for the packet's addresses. */
    static long pseudoHeader(final byte[] b, final DecodedPacket p, final int length)
    {
        final int ip = p.ipOffset;
        long sum;
        if (p.ipVersion == 4)
        {
            sum = sum(b, ip + 12, 8, 0);
        }
        else
        {
            sum = sum(b, ip + 8, 32, 0);
        }
        return sum + p.protocol + (length & 0xFFFF) + (length >>> 16);
    }
}
