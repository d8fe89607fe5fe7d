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

    /** Reads 4 bytes in the machine's order (little-endian on x86 and ARM) in one access. */
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Below this many bytes (IP headers, small segments) the loop unrolled by hand is the faster. */
    private static final int VECTOR_FROM = 64;

    /**
     * The running one's-complement sum of 16-bit big-endian words, taken over 32-bit little-endian words into a long:
     * a one's-complement sum may be taken over wider words and folded at the end, and in either byte order with the
     * result swapped back (RFC 1071, section 2), and 2^32 words would be needed to overflow a long. The tail goes two
     * bytes at a time. From {@link #VECTOR_FROM} bytes a plain counted loop with one accumulator, because Java 25's C2
     * vectorises that form and not the unrolled one: a scratch loop over random segments of 200-300 bytes, 8.6-9.2
     * bytes/ns against 6.2-6.4 (20-1,480 bytes: 14-20 against 7-10); of 20-60 bytes, 2.5-3.9 against 3.2-4.6.
     */
    static long sum(final byte[] b, final int off, final int len, final long initial)
    {
        long wide = 0;
        int i = off;
        final int end = off + len;
        if (len >= VECTOR_FROM)
        {
            final int words = len >>> 2;
            for (int k = 0; k < words; k++)
            {
                wide += Integer.toUnsignedLong((int)INTS.get(b, off + (k << 2)));
            }
            i = off + (words << 2);
        }
        else
        {
            long odd = 0;
            for (; i + 15 < end; i += 16)
            {
                wide += ((int)INTS.get(b, i) & 0xFFFF_FFFFL) + ((int)INTS.get(b, i + 4) & 0xFFFF_FFFFL);
                odd += ((int)INTS.get(b, i + 8) & 0xFFFF_FFFFL) + ((int)INTS.get(b, i + 12) & 0xFFFF_FFFFL);
            }
            for (; i + 3 < end; i += 4)
            {
                wide += (int)INTS.get(b, i) & 0xFFFF_FFFFL;
            }
            wide += odd;
        }
        long sum = initial + swap16(fold(wide));
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

    /** The 16-bit sum of little-endian words as the sum of the same words read big-endian. */
    private static long swap16(final int folded)
    {
        return ((folded & 0xFF) << 8) | (folded >>> 8);
    }

    /** True when a sum over data that includes its checksum field folds to 0xFFFF. */
    static boolean valid(final long sum)
    {
        return fold(sum) == 0xFFFF;
    }

    /** Folds a running sum to 16 bits (one's complement addition of the carries). */
    static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    /**
     * The TCP/UDP/ICMPv6 pseudo-header sum: the packet's addresses as decoded (for IPv6 the final destination of a
     * routing header, RFC 8200 section 8.1), the protocol and the transport length.
     */
    static long pseudoHeader(final DecodedPacket p, final int length)
    {
        final long sum;
        if (p.ipVersion == 4)
        {
            sum = words(p.srcLo & 0xFFFF_FFFFL) + words(p.dstLo & 0xFFFF_FFFFL);
        }
        else
        {
            sum = words(p.srcHi) + words(p.srcLo) + words(p.dstHi) + words(p.dstLo);
        }
        return sum + p.protocol + (length & 0xFFFF) + (length >>> 16);
    }

    /** A long as two 32-bit halves: the same one's-complement sum as its four 16-bit words, once folded. */
    private static long words(final long v)
    {
        return (v >>> 32) + (v & 0xFFFF_FFFFL);
    }

    /**
     * True when {@code stored} is what a sending host writes when it leaves the checksum to its NIC: the folded
     * pseudo-header sum, not complemented (Linux: {@code th->check = ~tcp_v4_check(len, saddr, daddr, 0)} in
     * {@code __tcp_v4_send_check}; the same for UDP and IPv6). Drivers that prepare segmentation offload write it
     * with a length of 0, so that form counts too. 0x0000 and 0xFFFF are the same number in one's complement.
     */
    static boolean unfilled(final int stored, final DecodedPacket p, final int length)
    {
        final int s = zeroIsZero(stored);
        return s == zeroIsZero(fold(pseudoHeader(p, length))) || s == zeroIsZero(fold(pseudoHeader(p, 0)));
    }

    private static int zeroIsZero(final int v)
    {
        return v == 0xFFFF ? 0 : v;
    }
}
