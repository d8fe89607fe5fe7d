package flowdemux.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TLS clients by their JA4, with the server names each asked for: what kinds of client talked to whom. Bounded: at
 * most {@link #MAX_FINGERPRINTS} fingerprints and {@link #MAX_NAMES} names each are told apart; the connections of
 * the rest are counted.
 */
public final class TlsClients
{
    static final int MAX_FINGERPRINTS = 10_000;
    static final int MAX_NAMES = 1000;

    /** One fingerprint: its connections, and the server names they asked for. */
    public static final class Client
    {
        public final String ja4;
        public long connections;
        /** Connections without a server name (SNI), or beyond {@link #MAX_NAMES} names. */
        public long unnamed;
        final Map<String, Long> names = new HashMap<>();

        Client(final String ja4)
        {
            this.ja4 = ja4;
        }

        /** Server names, most connections first (then by name). */
        public List<Map.Entry<String, Long>> names()
        {
            final List<Map.Entry<String, Long>> list = new ArrayList<>(names.entrySet());
            list.sort((x, y) -> x.getValue().equals(y.getValue()) ? x.getKey().compareTo(y.getKey())
                : Long.compare(y.getValue(), x.getValue()));
            return list;
        }

        public int nameCount()
        {
            return names.size();
        }
    }

    private final Map<String, Client> clients = new HashMap<>();
    /** Connections with a JA4. */
    public long connections;
    /** Connections of fingerprints beyond {@link #MAX_FINGERPRINTS}. */
    public long otherConnections;

    void add(final String ja4, final String serverName, final long n)
    {
        connections += n;
        Client c = clients.get(ja4);
        if (c == null)
        {
            if (clients.size() >= MAX_FINGERPRINTS)
            {
                otherConnections += n;
                return;
            }
            c = new Client(ja4);
            clients.put(ja4, c);
        }
        c.connections += n;
        if (serverName == null || (c.names.size() >= MAX_NAMES && !c.names.containsKey(serverName)))
        {
            c.unnamed += n;
        }
        else
        {
            c.names.merge(serverName, n, Long::sum);
        }
    }

    void merge(final TlsClients other)
    {
        for (final Client c : other.clients.values())
        {
            for (final Map.Entry<String, Long> e : c.names.entrySet())
            {
                add(c.ja4, e.getKey(), e.getValue());
            }
            if (c.unnamed > 0)
            {
                add(c.ja4, null, c.unnamed);
            }
        }
        connections += other.otherConnections;
        otherConnections += other.otherConnections;
    }

    /** Fingerprints, most connections first (then by JA4). */
    public List<Client> clients()
    {
        final List<Client> list = new ArrayList<>(clients.values());
        list.sort((x, y) -> x.connections == y.connections ? x.ja4.compareTo(y.ja4)
            : Long.compare(y.connections, x.connections));
        return list;
    }
}
