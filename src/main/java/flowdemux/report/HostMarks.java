package flowdemux.report;

import flowdemux.host.Attribution;
import flowdemux.host.Listener;
import flowdemux.host.Sockets;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a server socket the capture saw is, for a capture on this host: listening here (and held by whom), a local
 * address where nothing listens (the REJ of a stopped dev server), answered here by no socket of this namespace
 * (a container's, through a NAT), or remote; and the sockets that listened here without any traffic.
 */
final class HostMarks
{
    enum Where
    {
        LISTENING("listening here"),
        NOT_LISTENING("nothing listens here"),
        OTHER_NAMESPACE("answered here, by no socket of this namespace (another namespace?)"),
        REMOTE("remote");

        final String text;

        Where(final String text)
        {
            this.text = text;
        }

        String key()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Attribution host;
    private final List<Listener> listeners;

    HostMarks(final Attribution host)
    {
        this.host = host;
        this.listeners = host.listeners();
    }

    static int protocolNumber(final String name)
    {
        return "tcp".equals(name) ? Sockets.TCP : "udp".equals(name) ? Sockets.UDP : -1;
    }

    /** The socket that takes this server's address and port, or null. */
    Listener listener(final ServerSummary s)
    {
        final int proto = protocolNumber(s.protocol);
        Listener wildcard = null;
        for (final Listener l : listeners)
        {
            if (l.accepts(proto, s.hi, s.lo, s.port))
            {
                if (l.hi() == s.hi && l.lo() == s.lo)
                {
                    return l;
                }
                wildcard = wildcard == null ? l : wildcard;
            }
        }
        return wildcard;
    }

    Where where(final ServerSummary s)
    {
        if (protocolNumber(s.protocol) < 0 || !host.isLocalAddress(s.hi, s.lo))
        {
            return Where.REMOTE;
        }
        if (listener(s) != null)
        {
            return Where.LISTENING;
        }
        return s.answered > 0 ? Where.OTHER_NAMESPACE : Where.NOT_LISTENING;
    }

    /** "listening here (python3[812])", "remote", ... */
    String describe(final ServerSummary s)
    {
        final Where w = where(s);
        if (w != Where.LISTENING)
        {
            return w.text;
        }
        final Listener l = listener(s);
        return l.programs().isEmpty() ? w.text : w.text + " (" + l.owners() + ")";
    }

    /** The listening sockets no connection of the capture reached. */
    List<Listener> idle(final List<ServerSummary> servers)
    {
        final List<Listener> idle = new ArrayList<>();
        for (final Listener l : listeners)
        {
            boolean seen = false;
            for (final ServerSummary s : servers)
            {
                if (l.accepts(protocolNumber(s.protocol), s.hi, s.lo, s.port) && host.isLocalAddress(s.hi, s.lo))
                {
                    seen = true;
                    break;
                }
            }
            if (!seen)
            {
                idle.add(l);
            }
        }
        return idle;
    }
}
