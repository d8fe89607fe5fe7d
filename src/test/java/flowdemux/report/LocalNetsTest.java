package flowdemux.report;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Cidr;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPv4 index by first octet answers exactly what testing every prefix answers. */
class LocalNetsTest
{
    private static boolean anyContains(final List<Cidr> prefixes, final long hi, final long lo)
    {
        return prefixes.stream().anyMatch(c -> c.contains(hi, lo));
    }

    private static void sameAsEveryPrefix(final String... cidrs)
    {
        final LocalNets nets = new LocalNets();
        for (final String c : cidrs)
        {
            nets.add(c);
        }
        final List<Cidr> prefixes = java.util.Arrays.stream(cidrs).map(Cidr::parse).toList();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++)
        {
            // Every first octet often, with low and high ends of its range as well as random rest.
            final long v4 = switch (i % 3)
            {
                case 0 -> (long)(i / 3 % 256) << 24;
                case 1 -> ((long)(i / 3 % 256) << 24) | 0xFF_FFFFL;
                default -> random.nextLong() & 0xFFFF_FFFFL;
            };
            final long lo = DecodedPacket.IPV4_MAPPED_PREFIX | v4;
            assertEquals(anyContains(prefixes, 0, lo), nets.contains(0, lo), () -> Long.toHexString(v4));
            final long hi6 = random.nextBoolean() ? 0 : random.nextLong();
            final long lo6 = random.nextLong();
            assertEquals(anyContains(prefixes, hi6, lo6), nets.contains(hi6, lo6));
        }
    }

    @Test
    void zeekDefaultMatchesEveryPrefix()
    {
        final LocalNets zeek = LocalNets.zeekDefault();
        assertTrue(zeek.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0x0A01_0203L), "10.1.2.3");
        assertTrue(zeek.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0xAC1F_FFFFL), "172.31.255.255");
        assertFalse(zeek.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0xAC20_0000L), "172.32.0.0");
        assertTrue(zeek.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0xFFFF_FFFFL), "255.255.255.255");
        assertFalse(zeek.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0x0808_0808L), "8.8.8.8");
        assertTrue(zeek.contains(0, 1), "::1");
        sameAsEveryPrefix("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
            "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/24", "239.0.0.0/8", "240.0.0.0/4",
            "255.255.255.255/32", "::/128", "::1/128", "fc00::/7", "fe80::/10");
    }

    /** Prefixes shorter than an octet, and IPv6 prefixes that hold every IPv4-mapped address, reach all octets. */
    @Test
    void shortAndIpv6PrefixesCoverIpv4()
    {
        sameAsEveryPrefix("128.0.0.0/1");
        sameAsEveryPrefix("0.0.0.0/0");
        sameAsEveryPrefix("::/0");
        sameAsEveryPrefix("::/80");
        sameAsEveryPrefix("::/96", "2001:db8::/32");
        sameAsEveryPrefix("10.1.2.3", "10.1.2.4/31", "64.0.0.0/3");
        final LocalNets v6 = new LocalNets();
        v6.add("::/0");
        assertTrue(v6.contains(0, DecodedPacket.IPV4_MAPPED_PREFIX | 0x0808_0808L), "::/0 holds 8.8.8.8");
    }
}
