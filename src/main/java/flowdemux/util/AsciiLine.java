package flowdemux.util;

import java.util.Arrays;

/**
 * A line of ASCII text built in a reused byte array: what a worker formats for every connection that ends (conn.log,
 * CSV, JSON lines), copied from here into its run with one arraycopy. The appends mirror StringBuilder's, without a
 * char per character, a String per number or a copy per line. Characters above 0x7F are kept as their low byte, as
 * the lines have always been written; the formats put only ASCII in them.
 */
public final class AsciiLine
{
    /** Long.MIN_VALUE has 19 digits and a sign. */
    private static final int MAX_LONG_CHARS = 20;

    private byte[] bytes;
    private int length;

    public AsciiLine(final int capacity)
    {
        bytes = new byte[Math.max(16, capacity)];
    }

    public int length()
    {
        return length;
    }

    /** The bytes of the line are {@code array()[0 .. length())}. */
    public byte[] array()
    {
        return bytes;
    }

    public void setLength(final int newLength)
    {
        ensure(newLength);
        length = newLength;
    }

    private void ensure(final int capacity)
    {
        if (capacity > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
        }
    }

    public AsciiLine append(final char c)
    {
        ensure(length + 1);
        bytes[length++] = (byte)c;
        return this;
    }

    public AsciiLine append(final String s)
    {
        final int n = s.length();
        ensure(length + n);
        final byte[] b = bytes;
        int at = length;
        for (int i = 0; i < n; i++)
        {
            b[at++] = (byte)s.charAt(i);
        }
        length = at;
        return this;
    }

    public AsciiLine append(final boolean value)
    {
        return append(value ? "true" : "false");
    }

    public AsciiLine append(final int value)
    {
        return append((long)value);
    }

    /** "00" to "99": two digits per division. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static
    {
        for (int i = 0; i < 100; i++)
        {
            DIGIT_PAIRS[2 * i] = (byte)('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte)('0' + i % 10);
        }
    }

    /**
     * "0" to "255": the octet's ASCII digits, first digit in the low byte, and their count in the top byte, so that an
     * IPv4 address is written without a division.
     */
    private static final int[] OCTETS = new int[256];

    static
    {
        for (int i = 0; i < 256; i++)
        {
            final String digits = Integer.toString(i);
            int packed = digits.length() << 24;
            for (int j = 0; j < digits.length(); j++)
            {
                packed |= digits.charAt(j) << (8 * j);
            }
            OCTETS[i] = packed;
        }
    }

    /** An IPv4 address in dotted decimal ("192.0.2.1"), from its 32 bits. */
    public AsciiLine appendIpv4(final int address)
    {
        ensure(length + 16);
        final byte[] b = bytes;
        int at = length;
        for (int shift = 24; ; shift -= 8)
        {
            // Three bytes always: those past the digits are written over by the dot and the next octet, or lie past
            // the line's length.
            final int octet = OCTETS[(address >>> shift) & 0xFF];
            b[at] = (byte)octet;
            b[at + 1] = (byte)(octet >>> 8);
            b[at + 2] = (byte)(octet >>> 16);
            at += octet >>> 24;
            if (shift == 0)
            {
                break;
            }
            b[at++] = '.';
        }
        length = at;
        return this;
    }

    /** The decimal digits of {@code value}, as {@link Long#toString(long)} writes them. */
    public AsciiLine append(final long value)
    {
        if (value >= 0 && value <= Integer.MAX_VALUE)
        {
            // Most fields (ports, counts, octets) are small: int division is several times cheaper than long.
            return appendDigits((int)value);
        }
        if (value == Long.MIN_VALUE)
        {
            return append("-9223372036854775808");
        }
        ensure(length + MAX_LONG_CHARS);
        long v = value;
        if (v < 0)
        {
            bytes[length++] = '-';
            v = -v;
        }
        final byte[] b = bytes;
        final int end = length + digits(v);
        int at = end;
        while (v > Integer.MAX_VALUE)
        {
            final long q = v / 100;
            final int pair = 2 * (int)(v - q * 100);
            b[--at] = DIGIT_PAIRS[pair + 1];
            b[--at] = DIGIT_PAIRS[pair];
            v = q;
        }
        writeDigits(b, at, (int)v);
        length = end;
        return this;
    }

    /** A non-negative int's digits. */
    private AsciiLine appendDigits(final int value)
    {
        ensure(length + 10);
        final int end = length + digits(value);
        writeDigits(bytes, end, value);
        length = end;
        return this;
    }

    /** Writes the digits of {@code value} (not negative) so that the last one is just before {@code end}. */
    private static void writeDigits(final byte[] b, final int end, final int value)
    {
        int at = end;
        int v = value;
        while (v >= 100)
        {
            final int q = v / 100;
            final int pair = 2 * (v - q * 100);
            b[--at] = DIGIT_PAIRS[pair + 1];
            b[--at] = DIGIT_PAIRS[pair];
            v = q;
        }
        if (v >= 10)
        {
            b[--at] = DIGIT_PAIRS[2 * v + 1];
            b[--at] = DIGIT_PAIRS[2 * v];
        }
        else
        {
            b[--at] = (byte)('0' + v);
        }
    }

    private static int digits(final int v)
    {
        if (v < 100_000)
        {
            if (v < 100)
            {
                return v < 10 ? 1 : 2;
            }
            return v < 1_000 ? 3 : v < 10_000 ? 4 : 5;
        }
        if (v < 10_000_000)
        {
            return v < 1_000_000 ? 6 : 7;
        }
        return v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
    }

    private static int digits(final long v)
    {
        int n = 1;
        for (long p = 10; n < 19 && v >= p; p *= 10)
        {
            n++;
        }
        return n;
    }

    @Override
    public String toString()
    {
        return new String(bytes, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
