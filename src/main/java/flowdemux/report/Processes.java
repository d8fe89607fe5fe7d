package flowdemux.report;

import flowdemux.flow.FlowRecord;
import flowdemux.host.Owner;
import flowdemux.host.Program;
import flowdemux.util.Addresses;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The programs behind this host's connections (what bandwhich and nethogs show, with Zeek's states beside): per
 * program its connections, the bytes it sent and received (IP bytes of its side and of the peer's), and its
 * distinct peers; and how many local endpoints could not be named, by why. Bounded like {@link TlsClients}.
 */
public final class Processes
{
    static final int MAX_PROGRAMS = 10_000;
    static final int MAX_PEERS = 1000;

    /** One program (by pid, name and cgroup): a restarted server with a new pid is a new row. */
    public static final class Row
    {
        public final Program program;
        public long connections;
        /** As server: connections it accepted (it was the responder). */
        public long served;
        public long bytesUp;
        public long bytesDown;
        final Set<String> peers = new HashSet<>();
        public boolean peersCapped;

        Row(final Program program)
        {
            this.program = program;
        }

        public int peerCount()
        {
            return peers.size();
        }
    }

    private final Map<Program, Row> rows = new HashMap<>();
    /** Local endpoints without a program, by Owner.Kind ordinal. */
    public final long[] unnamed = new long[Owner.Kind.values().length];
    public long otherEndpoints;
    public long endpoints;

    void add(final FlowRecord f)
    {
        if (f.origOwner != null)
        {
            add(f.origOwner, false, f.origIpBytes, f.respIpBytes, f.respHi, f.respLo, 1);
        }
        if (f.respOwner != null)
        {
            add(f.respOwner, true, f.respIpBytes, f.origIpBytes, f.origHi, f.origLo, 1);
        }
    }

    private void add(final Owner o, final boolean server, final long up, final long down, final long peerHi,
        final long peerLo, final long n)
    {
        endpoints += n;
        if (o.program() == null)
        {
            unnamed[o.kind().ordinal()] += n;
            return;
        }
        final Row r = row(o.program());
        if (r == null)
        {
            otherEndpoints += n;
            return;
        }
        r.connections += n;
        r.served += server ? n : 0;
        r.bytesUp += up;
        r.bytesDown += down;
        peer(r, Addresses.format(peerHi, peerLo));
    }

    private Row row(final Program p)
    {
        Row r = rows.get(p);
        if (r == null)
        {
            if (rows.size() >= MAX_PROGRAMS)
            {
                return null;
            }
            r = new Row(p);
            rows.put(p, r);
        }
        return r;
    }

    private static void peer(final Row r, final String peer)
    {
        if (r.peers.size() < MAX_PEERS || r.peers.contains(peer))
        {
            r.peers.add(peer);
        }
        else
        {
            r.peersCapped = true;
        }
    }

    void merge(final Processes other)
    {
        endpoints += other.endpoints;
        otherEndpoints += other.otherEndpoints;
        for (int i = 0; i < unnamed.length; i++)
        {
            unnamed[i] += other.unnamed[i];
        }
        for (final Row o : other.rows.values())
        {
            final Row r = row(o.program);
            if (r == null)
            {
                otherEndpoints += o.connections;
                continue;
            }
            r.connections += o.connections;
            r.served += o.served;
            r.bytesUp += o.bytesUp;
            r.bytesDown += o.bytesDown;
            r.peersCapped |= o.peersCapped;
            for (final String p : o.peers)
            {
                peer(r, p);
            }
        }
    }

    /** Most bytes first, then by pid. */
    public List<Row> rows()
    {
        final List<Row> list = new ArrayList<>(rows.values());
        list.sort((x, y) -> x.bytesUp + x.bytesDown == y.bytesUp + y.bytesDown
            ? Integer.compare(x.program.pid(), y.program.pid())
            : Long.compare(y.bytesUp + y.bytesDown, x.bytesUp + x.bytesDown));
        return list;
    }

    public boolean isEmpty()
    {
        return endpoints == 0;
    }

    /** "2 ended before lookup, 1 no socket", or "" when every local endpoint was named. */
    public String unnamedText()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Owner.Kind k : Owner.Kind.values())
        {
            if (unnamed[k.ordinal()] > 0)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(unnamed[k.ordinal()]).append(' ').append(k.text);
            }
        }
        return sb.toString();
    }
}
