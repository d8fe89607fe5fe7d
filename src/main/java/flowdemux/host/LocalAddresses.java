package flowdemux.host;

import java.io.IOException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The addresses of a network namespace (its kernel's local routes: /proc/net/fib_trie's LOCAL entries and
 * /proc/net/if_inet6, read from the thread's own /proc/thread-self/net), and the networks on this namespace's links
 * to other namespaces (a veth whose peer is elsewhere, or a bridge with such a member: containers).
 */
final class LocalAddresses
{
    private LocalAddresses()
    {
    }

    /** hi, lo pairs, IPv4 as IPv4-mapped. */
    static long[] read(final Path procNet)
    {
        final List<Long> words = new ArrayList<>();
        try
        {
            String last = null;
            for (final String line : Files.readAllLines(procNet.resolve("fib_trie")))
            {
                final String t = line.trim();
                if (t.startsWith("|-- "))
                {
                    last = t.substring(4);
                }
                else if (t.endsWith("host LOCAL") && last != null)
                {
                    final long v4 = ipv4(last);
                    if (v4 >= 0)
                    {
                        words.add(0L);
                        words.add(0x0000_FFFF_0000_0000L | v4);
                    }
                }
            }
        }
        catch (IOException | RuntimeException e)
        {
            // no IPv4
        }
        try
        {
            for (final String line : Files.readAllLines(procNet.resolve("if_inet6")))
            {
                final String t = line.trim();
                if (t.length() >= 32)
                {
                    words.add(Long.parseUnsignedLong(t.substring(0, 16), 16));
                    words.add(Long.parseUnsignedLong(t.substring(16, 32), 16));
                }
            }
        }
        catch (IOException | RuntimeException e)
        {
            // no IPv6
        }
        final long[] out = new long[words.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = words.get(i);
        }
        return out;
    }

    /** hi, lo, prefix length triples of the networks on links to other namespaces. */
    static long[] namespaceNets(final Path sysNet)
    {
        final List<Long> out = new ArrayList<>();
        try
        {
            for (final NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces()))
            {
                if (!leadsElsewhere(sysNet, ni.getName()))
                {
                    continue;
                }
                for (final InterfaceAddress a : ni.getInterfaceAddresses())
                {
                    final byte[] b = a.getAddress().getAddress();
                    final long hi;
                    final long lo;
                    int prefix = a.getNetworkPrefixLength();
                    if (b.length == 4)
                    {
                        hi = 0;
                        lo = 0x0000_FFFF_0000_0000L | (java.nio.ByteBuffer.wrap(b).getInt() & 0xFFFF_FFFFL);
                        prefix += 96;
                    }
                    else
                    {
                        final java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b);
                        hi = w.getLong();
                        lo = w.getLong();
                    }
                    // A /8 or longer; IPv6 link-local (fe80::/10) is on every link and names no namespace.
                    if (b.length == 4 ? prefix >= 104 : prefix >= 8 && (hi >>> 54) != 0x3FA)
                    {
                        out.add(hi);
                        out.add(lo);
                        out.add((long)prefix);
                    }
                }
            }
        }
        catch (IOException | RuntimeException e)
        {
            // none known
        }
        final long[] nets = new long[out.size()];
        for (int i = 0; i < nets.length; i++)
        {
            nets[i] = out.get(i);
        }
        return nets;
    }

    /** A veth whose peer is not in this namespace, or a bridge with one among its ports. */
    static boolean leadsElsewhere(final Path sysNet, final String name)
    {
        final Path dir = sysNet.resolve(name);
        try (java.util.stream.Stream<Path> ports = Files.isDirectory(dir.resolve("brif"))
            ? Files.list(dir.resolve("brif")) : java.util.stream.Stream.empty())
        {
            for (final Path port : (Iterable<Path>)ports::iterator)
            {
                if (peerElsewhere(sysNet, port.getFileName().toString()))
                {
                    return true;
                }
            }
        }
        catch (IOException | RuntimeException e)
        {
            return false;
        }
        return peerElsewhere(sysNet, name);
    }

    private static boolean peerElsewhere(final Path sysNet, final String name)
    {
        final int index = number(sysNet.resolve(name).resolve("ifindex"));
        final int link = number(sysNet.resolve(name).resolve("iflink"));
        if (index < 0 || link < 0 || index == link)
        {
            return false;
        }
        try
        {
            // vlan, macvlan, bridge and the like name their type; a veth does not.
            if (Files.readString(sysNet.resolve(name).resolve("uevent")).contains("DEVTYPE="))
            {
                return false;
            }
            try (java.util.stream.Stream<Path> all = Files.list(sysNet))
            {
                for (final Path other : (Iterable<Path>)all::iterator)
                {
                    if (number(other.resolve("ifindex")) == link)
                    {
                        // Its peer is here when the two name each other.
                        return number(other.resolve("iflink")) != index;
                    }
                }
            }
        }
        catch (IOException | RuntimeException e)
        {
            return false;
        }
        return true;
    }

    private static int number(final Path file)
    {
        try
        {
            return Integer.parseInt(Files.readString(file).trim());
        }
        catch (IOException | RuntimeException e)
        {
            return -1;
        }
    }

    static long ipv4(final String text)
    {
        final String[] p = text.split("\\.");
        if (p.length != 4)
        {
            return -1;
        }
        long v = 0;
        for (final String s : p)
        {
            final int n;
            try
            {
                n = Integer.parseInt(s);
            }
            catch (NumberFormatException e)
            {
                return -1;
            }
            if (n < 0 || n > 255)
            {
                return -1;
            }
            v = v << 8 | n;
        }
        return v;
    }

    /** Whether hi/lo is in one of {@code nets} (hi, lo, prefix triples). */
    static boolean inNets(final long[] nets, final long hi, final long lo)
    {
        for (int i = 0; i + 2 < nets.length; i += 3)
        {
            final int prefix = (int)nets[i + 2];
            final long maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
            final long maskLo = prefix <= 64 ? 0 : prefix >= 128 ? -1L : -1L << (128 - prefix);
            if (((hi ^ nets[i]) & maskHi) == 0 && ((lo ^ nets[i + 1]) & maskLo) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
