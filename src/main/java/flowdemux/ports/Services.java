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
    /** Every name and alias (lower case) -> "port/proto" entries, for looking a service up by name. */
    private final java.util.Map<String, java.util.List<String>> byName = new java.util.HashMap<>();
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
                    if (f.length > 4)
                    {
                        for (final String alias : f[4].split(","))
                        {
                            alias(alias, port, proto);
                        }
                    }
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
                if (port < 0 || port > 65535 || !("tcp".equals(proto) || "udp".equals(proto)))
                {
                    continue;
                }
                if (name(proto, port) == null)
                {
                    put(proto, port, f[0], f[0]);
                }
                // The host's names and aliases find the port even where the shipped table names it otherwise
                // ("domain" for 53, "postgres" for 5432).
                for (int i = 0; i < f.length; i++)
                {
                    if (i != 1)
                    {
                        alias(f[i], port, proto);
                    }
                }
            }
            catch (NumberFormatException e)
            {
                // not a port line
            }
        }
    }

    private void alias(final String name, final int port, final String proto)
    {
        final java.util.List<String> hits = byName.computeIfAbsent(name.toLowerCase(Locale.ROOT),
            k -> new java.util.ArrayList<>(2));
        final String hit = port + "/" + proto;
        if (!hits.contains(hit))
        {
            hits.add(hit);
        }
    }

    private void put(final String proto, final int port, final String name, final String description)
    {
        alias(name, port, proto);
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

    /**
     * The ports a service name or alias (either table's, ignoring case) stands for, as "22/tcp" strings in port
     * order, tcp before udp.
     */
    public java.util.List<String> find(final String name)
    {
        final java.util.List<String> hits = new java.util.ArrayList<>(
            byName.getOrDefault(name.toLowerCase(Locale.ROOT), java.util.List.of()));
        hits.sort(java.util.Comparator.comparingInt((String h) -> Integer.parseInt(h.substring(0, h.indexOf('/'))))
            .thenComparing(h -> h.substring(h.indexOf('/'))));
        return hits;
    }
}
