package flowdemux.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import flowdemux.host.Listener;
import flowdemux.host.Program;
import flowdemux.host.Sockets;
import flowdemux.ports.PortRange;
import flowdemux.ports.Services;
import flowdemux.util.Addresses;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/**
 * The host's listening TCP and bound UDP sockets in the words of the port lessons: address, port, its IANA range
 * and service name, who holds it, and whether it looks like the back end of a reverse proxy (a registered or
 * ephemeral port bound to loopback only, while a public well-known TCP port listens on the same host).
 */
public final class ListeningSockets
{
    private final List<Listener> listeners;
    private final Services services;
    /** What captures showed of each socket (by index in listeners), or null without captures. */
    private final Seen[] seen;

    /** What the captures showed of one socket: its connections, the services in their payload, its clients. */
    record Seen(long connections, int services, boolean onlyThisHost)
    {
    }

    public ListeningSockets(final List<Listener> listeners, final Services services)
    {
        this(listeners, services, null, null);
    }

    /**
     * With what captures showed ({@code servers}: the server sockets of an analysis of them; only those at this
     * host's {@code addresses} count): each socket's connections, the services seen, and whether only this host
     * reached it.
     */
    public ListeningSockets(final List<Listener> listeners, final Services services, final List<ServerSummary> servers,
        final long[] addresses)
    {
        this.listeners = listeners;
        this.services = services;
        if (servers == null)
        {
            this.seen = null;
            return;
        }
        this.seen = new Seen[listeners.size()];
        for (int i = 0; i < listeners.size(); i++)
        {
            final Listener l = listeners.get(i);
            long connections = 0;
            int bits = 0;
            boolean onlyHere = true;
            for (final ServerSummary s : servers)
            {
                if (l.accepts(HostMarks.protocolNumber(s.protocol), s.hi, s.lo, s.port)
                    && flowdemux.host.Listeners.isHostAddress(addresses, s.hi, s.lo))
                {
                    connections += s.connections;
                    bits |= s.services;
                    onlyHere &= s.everyClient((hi, lo) -> flowdemux.host.Listeners.isHostAddress(addresses, hi, lo)
                        ? 1 : 0);
                }
            }
            seen[i] = connections == 0 ? null : new Seen(connections, bits, onlyHere);
        }
    }

    private Seen seen(final Listener l)
    {
        return seen == null ? null : seen[listeners.indexOf(l)];
    }

    public static String protocolName(final int protocol)
    {
        return protocol == Sockets.TCP ? "tcp" : "udp";
    }

    /** "0.0.0.0:80", "[::]:443", "127.0.0.1:8000". */
    public static String endpoint(final Listener l)
    {
        final String a = Addresses.format(l.hi(), l.lo());
        return (l.ipv4() ? a : "[" + a + "]") + ":" + l.port();
    }

    public boolean behindProxyLikely(final Listener l)
    {
        final Seen seen = seen(l);
        // A high port only reached from this host: bound to loopback, or seen in the captures with local clients only.
        if (l.port() < 1024 || l.protocol() != Sockets.TCP || !l.loopbackOnly() && (seen == null || !seen.onlyThisHost()))
        {
            return false;
        }
        for (final Listener other : listeners)
        {
            if (other.protocol() == Sockets.TCP && other.port() < 1024 && !other.loopbackOnly())
            {
                return true;
            }
        }
        return false;
    }

    public void text(final PrintWriter out)
    {
        final boolean captured = seen != null;
        out.printf(Locale.ROOT, "%-5s %-40s %-12s %-16s " + (captured ? "%-16s " : "%s") + "%-10s %s%n", "PROTO",
            "LISTENING ON", "RANGE", "SERVICE", captured ? "SEEN" : "", "USER", "PROGRAM");
        for (final Listener l : listeners)
        {
            final String proto = protocolName(l.protocol());
            final String name = services.name(proto, l.port());
            final Seen s = seen(l);
            final String detected = s == null ? "(no traffic)" : s.services() == 0 ? "-"
                : flowdemux.service.ServiceId.names(s.services());
            final StringBuilder note = new StringBuilder();
            if (l.loopbackOnly())
            {
                note.append("this host only");
            }
            else if (s != null && s.onlyThisHost())
            {
                note.append("reached from this host only");
            }
            if (behindProxyLikely(l))
            {
                note.append("; likely behind a reverse proxy");
            }
            out.printf(Locale.ROOT, "%-5s %-40s %-12s %-16s " + (captured ? "%-16s " : "%s") + "%-10s %s%s%n", proto,
                endpoint(l), PortRange.of(l.port()).label(), name == null ? "-" : name, captured ? detected : "",
                l.user(), l.owners(), note.length() == 0 ? "" : "  (" + note + ")");
        }
        out.printf(Locale.ROOT, "(%d sockets; RANGE: well-known 0-1023, registered 1024-49151, ephemeral 49152-65535)%n",
            listeners.size());
        out.flush();
    }

    public void json(final Writer w) throws IOException
    {
        final JsonGenerator g = new JsonFactory().createGenerator(w);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeArrayFieldStart("sockets");
        for (final Listener l : listeners)
        {
            final String proto = protocolName(l.protocol());
            g.writeStartObject();
            g.writeStringField("proto", proto);
            g.writeStringField("address", Addresses.format(l.hi(), l.lo()));
            g.writeNumberField("port", l.port());
            g.writeStringField("range", PortRange.of(l.port()).label());
            g.writeStringField("service", services.name(proto, l.port()));
            g.writeStringField("user", l.user());
            g.writeNumberField("uid", l.uid());
            g.writeArrayFieldStart("processes");
            for (final Program p : l.programs())
            {
                writeProgram(g, p);
            }
            g.writeEndArray();
            g.writeBooleanField("this_host_only", l.loopbackOnly());
            if (seen != null)
            {
                final Seen s = seen(l);
                g.writeNumberField("connections_seen", s == null ? 0 : s.connections());
                final String names = s == null ? null : flowdemux.service.ServiceId.names(s.services());
                if (names == null)
                {
                    g.writeNullField("service_seen");
                }
                else
                {
                    g.writeStringField("service_seen", names);
                }
                g.writeBooleanField("reached_from_this_host_only", s != null && s.onlyThisHost());
            }
            g.writeBooleanField("reverse_proxy_likely", behindProxyLikely(l));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeRaw('\n');
        g.flush();
    }

    static void writeProgram(final JsonGenerator g, final Program p) throws IOException
    {
        g.writeStartObject();
        g.writeNumberField("pid", p.pid());
        g.writeStringField("name", p.name());
        g.writeStringField("user", p.user());
        g.writeStringField("cgroup", p.cgroup());
        g.writeEndObject();
    }
}
