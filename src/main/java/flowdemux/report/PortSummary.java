package flowdemux.report;

import flowdemux.flow.ConnState;
import flowdemux.flow.FlowRecord;
import flowdemux.util.Hashing;
import org.HdrHistogram.Histogram;
import org.agrona.collections.LongHashSet;

import java.util.LinkedHashMap;
import java.util.Map;

/** One server port (the responder's port) and protocol, over all its connections. */
public final class PortSummary
{
    public static final String[] OUTCOMES = ConnState.OUTCOMES;
    /** Distinct clients are counted exactly up to this many per port, then reported as "at least". */
    static final int MAX_CLIENTS_COUNTED = 100_000;

    public final int port;
    public final String protocol;
    public long connections;
    /** Connections by outcome, in the order of {@link #OUTCOMES}. */
    private final long[] outcomeCounts = new long[OUTCOMES.length];
    public long packets;
    public long bytes;
    public final Histogram rttNanos = new Histogram(3);
    /**
     * Clients by a 64-bit hash of their address (no text per connection; collisions are negligible), in a set of
     * primitive longs: no boxed Long and no node per client.
     */
    private final LongHashSet clients = new LongHashSet();
    private boolean clientsSaturated;

    PortSummary(final int port, final String protocol)
    {
        this.port = port;
        this.protocol = protocol;
    }

    /** Connections by outcome ("completed", "rejected", ...), every outcome present, in the order of OUTCOMES. */
    public Map<String, Long> outcomes()
    {
        final Map<String, Long> named = new LinkedHashMap<>();
        for (int i = 0; i < OUTCOMES.length; i++)
        {
            named.put(OUTCOMES[i], outcomeCounts[i]);
        }
        return named;
    }

    void add(final FlowRecord f)
    {
        connections++;
        outcomeCounts[ConnState.outcome(f.connStateCode)]++;
        addClient(Hashing.mix(f.origHi * 31 + Hashing.mix(f.origLo)));
        packets += f.packets();
        bytes += f.ipBytes();
        if (f.rttSynAckNanos >= 0)
        {
            rttNanos.recordValue(f.rttSynAckNanos);
        }
    }

    private void addClient(final long client)
    {
        if (clients.size() < MAX_CLIENTS_COUNTED)
        {
            clients.add(client);
        }
        else if (!clients.contains(client))
        {
            clientsSaturated = true;
        }
    }

    void merge(final PortSummary other)
    {
        connections += other.connections;
        for (int i = 0; i < OUTCOMES.length; i++)
        {
            outcomeCounts[i] += other.outcomeCounts[i];
        }
        other.clients.forEachLong(this::addClient);
        clientsSaturated |= other.clientsSaturated;
        packets += other.packets;
        bytes += other.bytes;
        rttNanos.add(other.rttNanos);
    }

    public int distinctClients()
    {
        return clients.size();
    }

    /** True when there were more distinct clients than were counted. */
    public boolean clientsSaturated()
    {
        return clientsSaturated;
    }
}
