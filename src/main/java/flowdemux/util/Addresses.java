package flowdemux.util;

/** Text forms of the 128-bit addresses the decoder stores (IPv4 as IPv4-mapped IPv6). */
public final class Addresses
{
    /** The upper 96 bits of an IPv4-mapped address, ::ffff:0:0/96 (how the decoder stores IPv4). */
    static final long V4_MAPPED = 0x0000_FFFF_0000_0000L;

    private Addresses()
    {
    }

    public static boolean isIpv4(final long hi, final long lo)
    {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED;
    }

    /** Dotted quad for IPv4; RFC 5952 text (lower case, longest zero run as "::") for IPv6. */
    /** {@link #format} appended to a line; an IPv4 address without a string of its own. */
    /** The address's text appended to a line: no string, no array (lines are written per connection). */
    public static AsciiLine append(final AsciiLine sb, final long hi, final long lo)
    {
        if (isIpv4(hi, lo))
        {
            return sb.appendIpv4((int)lo);
        }
        // RFC 5952: the longest run of two or more zero groups (the first of equal runs) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; )
        {
            if (group(hi, lo, i) != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(hi, lo, j) == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        boolean afterColon = true;
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                afterColon = true;
                continue;
            }
            if (!afterColon)
            {
                sb.append(':');
            }
            appendHex(sb, group(hi, lo, i));
            afterColon = false;
        }
        return sb;
    }

    /** Group {@code i} (0-7) of an IPv6 address, most significant first. */
    private static int group(final long hi, final long lo, final int i)
    {
        return (int)((i < 4 ? hi : lo) >>> (48 - 16 * (i & 3))) & 0xFFFF;
    }

    private static void appendHex(final AsciiLine sb, final int group)
    {
        final String digits = "0123456789abcdef";
        boolean leading = true;
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            final int d = (group >>> shift) & 0xF;
            if (d != 0 || !leading || shift == 0)
            {
                sb.append(digits.charAt(d));
                leading = false;
            }
        }
    }

    /** Orders addresses as unsigned 128-bit numbers (the canonical key, the kept servers and clients). */
    public static int compare(final long hi, final long lo, final long otherHi, final long otherLo)
    {
        final int c = Long.compareUnsigned(hi, otherHi);
        return c != 0 ? c : Long.compareUnsigned(lo, otherLo);
    }

    public static String format(final long hi, final long lo)
    {
        return append(new AsciiLine(39), hi, lo).toString();
    }

    /**
     * Parses an IPv4 or IPv6 literal into {hi, lo}; returns null when it is not one. No name lookups.
     */
    public static long[] parse(final String text)
    {
        final String t = text.trim();
        if (t.indexOf(':') < 0)
        {
            final long v4 = parseV4(t);
            return v4 < 0 ? null : new long[] {0, V4_MAPPED | v4};
        }
        final int doubleColon = t.indexOf("::");
        if (doubleColon != t.lastIndexOf("::"))
        {
            return null;
        }
        final String[] head;
        final String[] tail;
        if (doubleColon >= 0)
        {
            final String h = t.substring(0, doubleColon);
            final String tl = t.substring(doubleColon + 2);
            head = h.isEmpty() ? new String[0] : h.split(":", -1);
            tail = tl.isEmpty() ? new String[0] : tl.split(":", -1);
        }
        else
        {
            head = t.split(":", -1);
            tail = new String[0];
        }
        final int[] groups = new int[8];
        final int[] parsedTail = new int[8];
        int tailCount = 0;
        for (int i = 0; i < tail.length; i++)
        {
            if (i == tail.length - 1 && tail[i].indexOf('.') >= 0)
            {
                final long v4 = parseV4(tail[i]);
                if (v4 < 0)
                {
                    return null;
                }
                parsedTail[tailCount++] = (int)(v4 >>> 16);
                parsedTail[tailCount++] = (int)(v4 & 0xFFFF);
                continue;
            }
            final int g = group(tail[i]);
            if (g < 0)
            {
                return null;
            }
            parsedTail[tailCount++] = g;
        }
        if (head.length + tailCount > 8 || (doubleColon < 0 && head.length != 8))
        {
            return null;
        }
        for (int i = 0; i < head.length; i++)
        {
            final int g = group(head[i]);
            if (g < 0)
            {
                return null;
            }
            groups[i] = g;
        }
        for (int i = 0; i < tailCount; i++)
        {
            groups[8 - tailCount + i] = parsedTail[i];
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++)
        {
            hi = (hi << 16) | groups[i];
            lo = (lo << 16) | groups[i + 4];
        }
        return new long[] {hi, lo};
    }

    private static int group(final String g)
    {
        if (g.isEmpty() || g.length() > 4)
        {
            return -1;
        }
        try
        {
            return Integer.parseInt(g, 16);
        }
        catch (NumberFormatException e)
        {
            return -1;
        }
    }

    private static long parseV4(final String t)
    {
        final String[] parts = t.split("\\.", -1);
        if (parts.length != 4)
        {
            return -1;
        }
        long v = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit))
            {
                return -1;
            }
            final int n = Integer.parseInt(part);
            if (n > 255)
            {
                return -1;
            }
            v = (v << 8) | n;
        }
        return v;
    }
}
