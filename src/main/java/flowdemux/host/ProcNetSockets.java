package flowdemux.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * /proc/net/{tcp,tcp6,udp,udp6}: the fallback where netlink is refused. Addresses are the kernel's words printed in
 * host byte order (%08X each), ports in hex as numbers; columns: sl local rem st queues tr retrnsmt uid timeout inode.
 */
final class ProcNetSockets implements Sockets
{
    private final Path procNet;

    ProcNetSockets(final Path procNet)
    {
        this.procNet = procNet;
    }

    @Override
    public String source()
    {
        return "/proc/net";
    }

    @Override
    public List<SocketEntry> read(final int protocol) throws IOException
    {
        final String name = protocol == TCP ? "tcp" : "udp";
        final List<SocketEntry> entries = new ArrayList<>();
        read(procNet.resolve(name), protocol, entries);
        read(procNet.resolve(name + "6"), protocol, entries);
        return entries;
    }

    private static void read(final Path file, final int protocol, final List<SocketEntry> into) throws IOException
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file);
        }
        catch (NoSuchFileException e)
        {
            return; // a kernel without IPv6
        }
        for (int i = 1; i < lines.size(); i++)
        {
            final SocketEntry e = parse(lines.get(i), protocol);
            if (e != null)
            {
                into.add(e);
            }
        }
    }

    /** One line, or null if it is not one the kernel writes. */
    static SocketEntry parse(final String line, final int protocol)
    {
        final String[] f = line.trim().split("\\s+");
        if (f.length < 10)
        {
            return null;
        }
        try
        {
            final long[] local = endpoint(f[1]);
            final long[] remote = endpoint(f[2]);
            if (local == null || remote == null)
            {
                return null;
            }
            return new SocketEntry(protocol, Integer.parseInt(f[3], 16), local[0], local[1], (int)local[2], remote[0],
                remote[1], (int)remote[2], (int)Long.parseLong(f[7]), Long.parseLong(f[9]));
        }
        catch (NumberFormatException e)
        {
            return null;
        }
    }

    /** "0100007F:1F90" or 32 hex digits and a port: {hi, lo, port}. */
    private static long[] endpoint(final String text)
    {
        final int colon = text.indexOf(':');
        if (colon != 8 && colon != 32)
        {
            return null;
        }
        final long port = Long.parseLong(text.substring(colon + 1), 16);
        if (colon == 8)
        {
            return new long[] {0, 0x0000_FFFF_0000_0000L | (swap(text.substring(0, 8)) & 0xFFFF_FFFFL), port};
        }
        final long hi = (swap(text.substring(0, 8)) & 0xFFFF_FFFFL) << 32 | (swap(text.substring(8, 16)) & 0xFFFF_FFFFL);
        final long lo = (swap(text.substring(16, 24)) & 0xFFFF_FFFFL) << 32 | (swap(text.substring(24, 32)) & 0xFFFF_FFFFL);
        return new long[] {hi, lo, port};
    }

    /** A word the kernel printed in host order, as the network-order value (x86 and arm64 are little-endian). */
    private static int swap(final String hex)
    {
        final int word = (int)Long.parseLong(hex, 16);
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(word) : word;
    }
}
