package flowdemux.util;

/**
 * An address prefix ("10.0.0.0/8", "2001:db8::/32", or one address) over the 128-bit form the decoder uses: an
 * IPv4 prefix is stored IPv4-mapped, its length plus 96.
 */
public final class Cidr
{
    private final long hi;
    private final long lo;
    private final long maskHi;
    private final long maskLo;
    private final String text;

    private Cidr(final long hi, final long lo, final int length, final String text)
    {
        this.maskHi = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
        this.maskLo = length <= 64 ? 0 : length >= 128 ? -1L : -1L << (128 - length);
        this.hi = hi & maskHi;
        this.lo = lo & maskLo;
        this.text = text;
    }

    /**
     * Parses "address" or "address/length".
     *
     * @throws IllegalArgumentException naming what is wrong: not an address, or a length beyond 32 (IPv4) or 128
     */
    public static Cidr parse(final String cidr)
    {
        final String t = cidr.trim();
        final int slash = t.indexOf('/');
        final long[] a = Addresses.parse(slash < 0 ? t : t.substring(0, slash));
        if (a == null)
        {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 or IPv6 address or prefix");
        }
        final boolean v4 = Addresses.isIpv4(a[0], a[1]);
        final int max = v4 ? 32 : 128;
        int length = max;
        if (slash >= 0)
        {
            final String l = t.substring(slash + 1);
            if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit) || Integer.parseInt(l) > max)
            {
                throw new IllegalArgumentException("'" + cidr + "': the prefix length must be 0-" + max);
            }
            length = Integer.parseInt(l);
        }
        return new Cidr(a[0], a[1], v4 ? length + 96 : length, t);
    }

    public boolean contains(final long addressHi, final long addressLo)
    {
        return (addressHi & maskHi) == hi && (addressLo & maskLo) == lo;
    }

    /** Whether some IPv4 address whose first octet is {@code octet} is in this prefix (LocalNets' IPv4 index). */
    public boolean overlapsIpv4Octet(final int octet)
    {
        // The prefix of those addresses is ::ffff:octet.0.0.0/104; two prefixes overlap where the shorter matches.
        final long blockLo = Addresses.V4_MAPPED | ((long)(octet & 0xFF) << 24);
        final long commonLo = maskLo & 0xFFFF_FFFF_FF00_0000L;
        return hi == 0 && (blockLo & commonLo) == (lo & commonLo);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
