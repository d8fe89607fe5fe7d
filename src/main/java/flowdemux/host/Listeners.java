package flowdemux.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The listening TCP and bound UDP sockets of a namespace, one entry per address, port and protocol. */
public final class Listeners
{
    private Listeners()
    {
    }

    /** The calling thread's namespace's addresses, hi, lo pairs. */
    public static long[] hostAddresses()
    {
        return LocalAddresses.read(java.nio.file.Path.of("/proc/thread-self/net"));
    }

    /** Whether hi/lo is one of {@code addresses} (hi, lo pairs) or in 127.0.0.0/8. */
    public static boolean isHostAddress(final long[] addresses, final long hi, final long lo)
    {
        if (hi == 0 && (lo >>> 24) == 0x0000_FFFF_7FL || hi == 0 && lo == 1)
        {
            return true;
        }
        for (int i = 0; i + 1 < addresses.length; i += 2)
        {
            if (addresses[i] == hi && addresses[i + 1] == lo)
            {
                return true;
            }
        }
        return false;
    }

    public static List<Listener> read(final Sockets sockets, final Programs programs) throws IOException
    {
        programs.newRound();
        final Map<String, List<SocketEntry>> groups = new LinkedHashMap<>();
        for (final int protocol : new int[] {Sockets.TCP, Sockets.UDP})
        {
            for (final SocketEntry e : sockets.read(protocol))
            {
                if (e.listening())
                {
                    groups.computeIfAbsent(protocol + " " + e.localHi() + " " + e.localLo() + " " + e.localPort(),
                        k -> new ArrayList<>()).add(e);
                }
            }
        }
        final List<Listener> out = new ArrayList<>();
        for (final List<SocketEntry> g : groups.values())
        {
            final List<Program> holders = new ArrayList<>();
            for (final SocketEntry e : g)
            {
                for (final Program p : programs.holders(e.inode()))
                {
                    if (!holders.contains(p))
                    {
                        holders.add(p);
                    }
                }
            }
            holders.sort(Comparator.comparingInt(Program::pid));
            final SocketEntry e = g.get(0);
            out.add(new Listener(e.protocol(), e.localHi(), e.localLo(), e.localPort(), e.uid(), programs.user(e.uid()),
                List.copyOf(holders)));
        }
        out.sort(Comparator.comparingInt(Listener::protocol).thenComparingInt(Listener::port)
            .thenComparingLong(Listener::hi).thenComparingLong(Listener::lo));
        return out;
    }
}
