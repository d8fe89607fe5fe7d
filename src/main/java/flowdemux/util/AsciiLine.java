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
    private static final byte[] DIGITS = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'};
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

    /** The decimal digits of {@code value}, as {@link Long#toString(long)} writes them. */
    public AsciiLine append(final long value)
    {
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
        final int end = length + digits(v);
        int at = end;
        do
        {
            final long q = v / 10;
            bytes[--at] = DIGITS[(int)(v - q * 10)];
            v = q;
        }
        while (v != 0);
        length = end;
        return this;
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
