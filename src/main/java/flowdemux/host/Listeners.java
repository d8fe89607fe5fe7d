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
