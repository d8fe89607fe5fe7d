package flowdemux.ports;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Service names by port: the shipped IANA table, extended (never overridden) by the host's {@code /etc/services}.
 * Two {@code String[65536]} per protocol: one array index per lookup, no boxing, nothing allocated for unknown ports.
 */
public final class Services
{
    private static final String RESOURCE = "/flowdemux/services.tsv";
    private static final Path ETC_SERVICES = Path.of("/etc/services");
    private static volatile Services defaultInstance;

    private final String[] tcpNames = new String[65536];
    private final String[] udpNames = new String[65536];
    private final String[] tcpDescriptions = new String[65536];
    private final String[] udpDescriptions = new String[65536];

    /** The shipped table plus /etc/services when the host has one. */
    public static Services standard()
    {
        Services s = defaultInstance;
        if (s == null)
        {
            s = new Services();
            s.loadShipped();
            if (Files.isReadable(ETC_SERVICES))
            {
                try (BufferedReader r = Files.newBufferedReader(ETC_SERVICES, StandardCharsets.UTF_8))
                {
                    s.loadEtcServices(r);
                }
                catch (IOException | UncheckedIOException e)
                {
                    // An unreadable /etc/services only loses the extension; the shipped table stands.
                }
            }
            defaultInstance = s;
        }
        return s;
    }

    /** The shipped table alone (deterministic whatever the host has). */
    public static Services shipped()
    {
        final Services s = new Services();
        s.loadShipped();
        return s;
    }

    private void loadShipped()
    {
        try (InputStream in = Services.class.getResourceAsStream(RESOURCE);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                if (line.isEmpty() || line.charAt(0) == '#')
                {
                    continue;
                }
                final String[] f = line.split("\t");
                final int port = Integer.parseInt(f[0]);
                for (final String proto : f[1].split(","))
                {
                    put(proto, port, f[2], f.length > 3 ? f[3] : f[2]);
                }
            }
        }
        catch (IOException e)
        {
            throw new UncheckedIOException("cannot read the shipped service table", e);
        }
    }

    /** Reads lines of the form {@code name port/proto [aliases] [# comment]}. */
    void loadEtcServices(final BufferedReader r) throws IOException
    {
        String line;
        while ((line = r.readLine()) != null)
        {
            final int hash = line.indexOf('#');
            final String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (f.length < 2)
            {
                continue;
            }
            final int slash = f[1].indexOf('/');
            if (slash <= 0)
            {
                continue;
            }
            try
            {
                final int port = Integer.parseInt(f[1].substring(0, slash));
                final String proto = f[1].substring(slash + 1).toLowerCase(Locale.ROOT);
                if (port >= 0 && port < 65536 && name(proto, port) == null)
                {
                    put(proto, port, f[0], f[0]);
                }
            }
            catch (NumberFormatException e)
            {
                // not a port line
            }
        }
    }

    private void put(final String proto, final int port, final String name, final String description)
    {
        if ("tcp".equals(proto))
        {
            tcpNames[port] = name;
            tcpDescriptions[port] = description;
        }
        else if ("udp".equals(proto))
        {
            udpNames[port] = name;
            udpDescriptions[port] = description;
        }
    }

    /** Service name for a port, or null. {@code proto} is "tcp" or "udp". */
    public String name(final String proto, final int port)
    {
        if (port < 0 || port > 65535)
        {
            return null;
        }
        return "udp".equals(proto) ? udpNames[port] : "tcp".equals(proto) ? tcpNames[port] : null;
    }

    public String description(final String proto, final int port)
    {
        if (port < 0 || port > 65535)
        {
            return null;
        }
        return "udp".equals(proto) ? udpDescriptions[port] : "tcp".equals(proto) ? tcpDescriptions[port] : null;
    }

    /** Ports whose service name or description matches {@code name}, ignoring case, as "22/tcp" strings. */
    public java.util.List<String> find(final String name)
    {
        final java.util.List<String> hits = new java.util.ArrayList<>();
        for (int port = 0; port < 65536; port++)
        {
            if (name.equalsIgnoreCase(tcpNames[port]))
            {
                hits.add(port + "/tcp");
            }
            if (name.equalsIgnoreCase(udpNames[port]))
            {
                hits.add(port + "/udp");
            }
        }
        return hits;
    }
}
