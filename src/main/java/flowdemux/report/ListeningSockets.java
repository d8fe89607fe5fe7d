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

    public ListeningSockets(final List<Listener> listeners, final Services services)
    {
        this.listeners = listeners;
        this.services = services;
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
        if (l.port() < 1024 || !l.loopbackOnly() || l.protocol() != Sockets.TCP)
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
        out.printf(Locale.ROOT, "%-5s %-40s %-12s %-16s %-10s %s%n", "PROTO", "LISTENING ON", "RANGE", "SERVICE", "USER",
            "PROGRAM");
        for (final Listener l : listeners)
        {
            final String proto = protocolName(l.protocol());
            final String name = services.name(proto, l.port());
            out.printf(Locale.ROOT, "%-5s %-40s %-12s %-16s %-10s %s%s%n", proto, endpoint(l),
                PortRange.of(l.port()).label(), name == null ? "-" : name, l.user(), l.owners(),
                (l.loopbackOnly() ? "  (this host only" + (behindProxyLikely(l) ? "; likely behind a reverse proxy)" : ")")
                    : ""));
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
