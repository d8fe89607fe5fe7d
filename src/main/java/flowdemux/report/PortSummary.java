package flowdemux.report;

import flowdemux.flow.ConnState;
import flowdemux.flow.FlowRecord;
import org.HdrHistogram.Histogram;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** One server port (the responder's port) and protocol, over all its connections. */
public final class PortSummary
{
    public static final String[] OUTCOMES = {"completed", "rejected", "reset", "half-open", "in progress", "other"};

    public final int port;
    public final String protocol;
    public long connections;
    public final Map<String, Long> outcomes = new LinkedHashMap<>();
    public long packets;
    public long bytes;
    public final Histogram rttNanos = new Histogram(3);
    private final Set<String> clients = new HashSet<>();

    PortSummary(final int port, final String protocol)
    {
        this.port = port;
        this.protocol = protocol;
        for (final String o : OUTCOMES)
        {
            outcomes.put(o, 0L);
        }
    }

    void add(final FlowRecord f)
    {
        connections++;
        outcomes.merge(ConnState.outcome(f.connState), 1L, Long::sum);
        clients.add(f.origAddress());
        packets += f.packets();
        bytes += f.ipBytes();
        if (f.rttSynAckNanos >= 0)
        {
            rttNanos.recordValue(f.rttSynAckNanos);
        }
    }

    public int distinctClients()
    {
        return clients.size();
    }
}
