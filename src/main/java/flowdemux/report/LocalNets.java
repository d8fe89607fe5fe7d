package flowdemux.report;

import flowdemux.util.Addresses;
import flowdemux.util.Cidr;

import java.util.ArrayList;
import java.util.Arrays;
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
        "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32", "fc00::/7", "fe80::/10",
    };

    private static final Cidr[] NONE = new Cidr[0];

    private final List<Cidr> nets = new ArrayList<>();
    /**
     * Per first octet of an IPv4 address, the prefixes that can hold it: one or two to test instead of all 25 of
     * Zeek's default (two lookups per conn.log line, about 8% of its formatting).
     */
    private final Cidr[][] byFirstOctet = new Cidr[256][];

    public LocalNets()
    {
        Arrays.fill(byFirstOctet, NONE);
    }

    public static LocalNets zeekDefault()
    {
        final LocalNets n = new LocalNets();
        for (final String cidr : ZEEK_PRIVATE)
        {
            n.add(cidr);
        }
        return n;
    }

    /**
     * Adds "addr/len" or one address.
     *
     * @throws IllegalArgumentException when it is not an address or the length is out of range
     */
    public void add(final String cidr)
    {
        final Cidr parsed = Cidr.parse(cidr);
        nets.add(parsed);
        for (int octet = 0; octet < 256; octet++)
        {
            if (parsed.overlapsIpv4Octet(octet))
            {
                final Cidr[] was = byFirstOctet[octet];
                final Cidr[] now = Arrays.copyOf(was, was.length + 1);
                now[was.length] = parsed;
                byFirstOctet[octet] = now;
            }
        }
    }

    public boolean contains(final long hi, final long lo)
    {
        if (Addresses.isIpv4(hi, lo))
        {
            for (final Cidr n : byFirstOctet[(int)(lo >>> 24) & 0xFF])
            {
                if (n.contains(hi, lo))
                {
                    return true;
                }
            }
            return false;
        }
        for (final Cidr n : nets)
        {
            if (n.contains(hi, lo))
            {
                return true;
            }
        }
        return false;
    }
}
