package flowdemux.report;

import flowdemux.util.Addresses;

import java.util.ArrayList;
import java.util.List;

/**
 * Zeek's {@code Site::private_address_space} (scripts/base/utils/site.zeek), which by default decides
 * local_orig / local_resp in conn.log.
 */
public final class LocalNets
{
    private static final String[] ZEEK_PRIVATE = {
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/24", "239.0.0.0/8", "240.0.0.0/4", "255.255.255.255/32",
        "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:db8::/32", "fc00::/7", "fe80::/10",
    };

    private final List<long[]> nets = new ArrayList<>();

    public static LocalNets zeekDefault()
    {
        final LocalNets n = new LocalNets();
        for (final String cidr : ZEEK_PRIVATE)
        {
            n.add(cidr);
        }
        return n;
    }

    /** Adds "addr/len"; IPv4 prefixes are stored IPv4-mapped (length + 96). */
    public void add(final String cidr)
    {
        final int slash = cidr.indexOf('/');
        final long[] a = Addresses.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (a == null)
        {
            throw new IllegalArgumentException("not an address/prefix: " + cidr);
        }
        int length = slash < 0 ? (Addresses.isIpv4(a[0], a[1]) ? 32 : 128) : Integer.parseInt(cidr.substring(slash + 1));
        if (Addresses.isIpv4(a[0], a[1]))
        {
            length += 96;
        }
        nets.add(new long[] {a[0], a[1], length});
    }

    public boolean contains(final long hi, final long lo)
    {
        for (final long[] n : nets)
        {
            final int length = (int)n[2];
            final long maskHi = length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
            final long maskLo = length <= 64 ? 0 : length >= 128 ? -1L : -1L << (128 - length);
            if ((hi & maskHi) == (n[0] & maskHi) && (lo & maskLo) == (n[1] & maskLo))
            {
                return true;
            }
        }
        return false;
    }
}
