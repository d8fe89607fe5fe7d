package flowdemux.report;

import flowdemux.decode.DecodeStats;
import flowdemux.decode.DropReason;
import flowdemux.flow.FlowRecord;
import flowdemux.ports.PortRange;
import flowdemux.ports.Services;
import flowdemux.source.LinkType;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The readable terminal report: capture, protocols, ports, servers, top flows, distributions. */
public final class TextReport implements ReportFormat
{
    private static final int MAX_CLIENTS_LISTED = 5;
    private final int top;
    private final Services services;

    public TextReport(final int top, final Services services)
    {
        this.top = top;
        this.services = services;
    }

    @Override
    public void write(final AnalysisResult r, final Writer writer) throws IOException
    {
        final PrintWriter out = new PrintWriter(writer);
        final Aggregates a = r.aggregates;
        capture(r, a, out);
        protocols(r, a, out);
        encapsulation(r, a, out);
        ports(a, out);
        servers(r, a, out);
        processes(r, a, out);
        services(a, out);
        topFlows(a, out, r.inputs.size() <= 1 && r.inputName != null && !"-".equals(r.inputName)
            && (r.format == null || !r.format.startsWith("live")) ? r.inputName : "F");
        distributions(r, a, out);
        out.flush();
        if (out.checkError())
        {
            throw new IOException("could not write the report");
        }
    }

    private void capture(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        final DecodeStats s = r.stats;
        out.println("flowdemux report: " + r.inputName);
        out.println();
        out.println("Capture");
        out.printf(Locale.ROOT, "  format        %s%n", r.format);
        if (!r.inputs.isEmpty())
        {
            out.printf(Locale.ROOT, "  files         %d, packets merged in time order%n", r.inputs.size());
            for (final AnalysisResult.InputFile f : r.inputs)
            {
                out.printf(Locale.ROOT, "    %s: %s, %s%s%n", f.name(), f.format(),
                    Formats.count(f.packets(), "packet", "packets"), f.error() == null ? "" : "; ERROR " + f.error());
            }
        }
        final StringBuilder links = new StringBuilder();
        for (final int t : s.linkTypes())
        {
            links.append(links.length() == 0 ? "" : ", ").append(LinkType.name(t)).append(" (").append(t).append(')');
        }
        out.printf(Locale.ROOT, "  link types    %s%n", links.length() == 0 ? "-" : links);
        out.printf(Locale.ROOT, "  packets       %s (%s on the wire, %s captured)%n", Formats.count(s.packets),
            Formats.bytes(s.wireBytes), Formats.bytes(s.capturedBytes));
        if (s.packets > 0)
        {
            out.printf(Locale.ROOT, "  first packet  %s%n", Formats.timestamp(s.firstNanos));
            out.printf(Locale.ROOT, "  last packet   %s%n", Formats.timestamp(s.lastNanos));
            out.printf(Locale.ROOT, "  time span     %s%n", Formats.duration(s.lastNanos - s.firstNanos));
        }
        out.printf(Locale.ROOT, "  in flows      %s in %s%n", Formats.count(r.packetsInFlows(), "packet", "packets"),
            Formats.count(a.connections, "connection", "connections"));
        if (r.filterDescription != null)
        {
            out.printf(Locale.ROOT, "  filtered out  %s (%s)%n", Formats.count(s.filteredOut, "packet", "packets"),
                r.filterDescription);
        }
        out.printf(Locale.ROOT, "  checksums     %s%n", ChecksumSummary.line(s));
        out.printf(Locale.ROOT, "  undecodable   %s%n", Formats.count(s.undecodable(), "packet", "packets"));
        final DropReason[] reasons = DropReason.values();
        for (int i = 1; i < reasons.length; i++)
        {
            if (s.drops[i] > 0)
            {
                out.printf(Locale.ROOT, "    %-46s %s%n", reasons[i].description(), Formats.count(s.drops[i]));
            }
        }
        out.printf(Locale.ROOT, "  flow table    --max-flows %s; %s evicted%n", Formats.count(r.maxFlows),
            Formats.count(r.evicted));
        if (r.export != null)
        {
            out.printf(Locale.ROOT, "  ipfix         %s%n", r.export.describe());
        }
        if (r.kafka != null)
        {
            out.printf(Locale.ROOT, "  kafka         %s%n", r.kafka.describe());
        }
        if (r.captureStats != null)
        {
            out.printf(Locale.ROOT, "  live          %s%n", LiveCounters.describe(r.captureStats, r.loopback));
        }
        if (r.error != null)
        {
            out.printf(Locale.ROOT, "  ERROR         %s (the report covers what came before)%n", r.error);
        }
        out.println();
    }

    private void protocols(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        final DecodeStats s = r.stats;
        out.println("Protocols");
        out.printf(Locale.ROOT, "  IPv4 %s   IPv6 %s%n", Formats.count(s.ipv4Packets), Formats.count(s.ipv6Packets));
        out.printf(Locale.ROOT, "  TCP %s   UDP %s   ICMP %s   other IP %s   (packets)%n", Formats.count(s.tcpPackets),
            Formats.count(s.udpPackets), Formats.count(s.icmpPackets), Formats.count(s.otherIpPackets));
        if (s.otherIpPackets > 0)
        {
            final StringBuilder other = new StringBuilder();
            for (int proto = 0; proto < 256; proto++)
            {
                if (s.otherIpByProtocol[proto] > 0)
                {
                    other.append(other.length() == 0 ? "" : ", ").append(Formats.ipProtocol(proto)).append(' ')
                        .append(Formats.count(s.otherIpByProtocol[proto]));
                }
            }
            out.printf(Locale.ROOT, "  other IP by protocol: %s%n", other);
        }
        if (!a.connStates().isEmpty())
        {
            final StringBuilder sb = new StringBuilder();
            for (final Map.Entry<String, Long> e : a.connStates().entrySet())
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
            out.printf(Locale.ROOT, "  connections by state: %s%n", sb);
        }
        out.println();
    }

    /** The tunnels the packets came in, when any did: packets and connections inside each kind, their bytes. */
    private static void encapsulation(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        final DecodeStats s = r.stats;
        long inside = 0;
        for (final long n : s.tunnelled)
        {
            inside += n;
        }
        if (inside == 0)
        {
            return;
        }
        out.println("Encapsulation (the connections inside tunnels; --decap none for the outer view)");
        out.printf(Locale.ROOT, "  %-8s %12s %12s %14s%n", "TUNNEL", "PACKETS", "CONNECTIONS", "IP BYTES INSIDE");
        for (int t = 1; t < flowdemux.decode.Tunnel.COUNT; t++)
        {
            if (s.tunnelled[t] > 0 || a.tunnelConnections[t] > 0)
            {
                out.printf(Locale.ROOT, "  %-8s %12s %12s %14s%n", flowdemux.decode.Tunnel.name(t),
                    Formats.count(s.tunnelled[t]), Formats.count(a.tunnelConnections[t]),
                    Formats.count(a.tunnelIpBytes[t]));
            }
        }
        long undecodable = 0;
        for (final long n : s.innerDrops)
        {
            undecodable += n;
        }
        if (undecodable > 0 || s.tooDeep > 0)
        {
            out.printf(Locale.ROOT, "  inside but not decoded: %s; tunnels deeper than 4 not looked into: %s%n",
                Formats.count(undecodable), Formats.count(s.tooDeep));
        }
        if (s.tunnelsUnnumbered > 0)
        {
            out.printf(Locale.ROOT, "  tunnels past the 16,777,215 a read numbers (their connections name no parent): "
                + "%s%n", Formats.count(s.tunnelsUnnumbered));
        }
        out.println();
    }

    private void ports(final Aggregates a, final PrintWriter out)
    {
        out.println("Ports (server side: the responder's port; ranges: well-known 0-1023, registered 1024-49151,");
        out.println("       ephemeral 49152-65535; Linux clients pick 32768-60999)");
        final List<PortSummary> ports = a.ports();
        if (ports.isEmpty())
        {
            out.println("  (no TCP or UDP connections)");
            out.println();
            return;
        }
        out.printf(Locale.ROOT, "  %-11s %-14s %-10s %6s %5s %5s %5s %5s %5s %5s %7s %9s %10s %9s %9s%n", "PORT", "SERVICE",
            "RANGE", "CONNS", "DONE", "REJ", "RST", "HALF", "OPEN", "OTHER", "CLIENTS", "PACKETS", "BYTES", "RTT p50",
            "RTT p99");
        int shown = 0;
        for (final PortSummary p : ports)
        {
            if (shown++ == Math.max(top, 1) * 2)
            {
                out.printf(Locale.ROOT, "  ... %d more ports%n", ports.size() - shown + 1);
                break;
            }
            final boolean rtt = p.rttNanos.getTotalCount() > 0;
            final Map<String, Long> outcomes = p.outcomes();
            out.printf(Locale.ROOT, "  %-11s %-14s %-10s %6d %5d %5d %5d %5d %5d %5d %7s %9d %10s %9s %9s%n",
                p.port + "/" + p.protocol, Formats.serviceName(services, p.protocol, p.port), PortRange.of(p.port).label(),
                p.connections, outcomes.get("completed"), outcomes.get("rejected"), outcomes.get("reset"),
                outcomes.get("half-open"), outcomes.get("in progress"), outcomes.get("other"),
                p.distinctClients() + (p.clientsSaturated() ? "+" : ""),
                p.packets, Formats.bytes(p.bytes),
                rtt ? Formats.duration(p.rttNanos.getValueAtPercentile(50)) : "-",
                rtt ? Formats.duration(p.rttNanos.getValueAtPercentile(99)) : "-");
        }
        out.println("  (DONE = completed, REJ = rejected, RST = reset, HALF = half-open, OPEN = still in progress)");
        out.println();
    }

    private void servers(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        out.println("Servers (each server socket seen: IP + port; listening = it accepted, closed = it answered RST)");
        final List<ServerSummary> servers = a.servers();
        final HostMarks marks = r.host == null ? null : new HostMarks(r.host);
        if (servers.isEmpty())
        {
            out.println("  (none)");
            idleListeners(marks, servers, out);
            out.println();
            return;
        }
        int shown = 0;
        for (final ServerSummary s : servers)
        {
            if (shown++ == Math.max(top, 1) * 2)
            {
                out.printf(Locale.ROOT, "  ... %d more server sockets%n", servers.size() - shown + 1);
                break;
            }
            out.printf(Locale.ROOT, "  %s %s (%s)  %s: %d connection%s from %s client%s%n",
                socket(s.address(), s.port), s.protocol, Formats.serviceAndRange(services, s.protocol, s.port), s.status(),
                s.connections, s.connections == 1 ? "" : "s", s.clientCount() + (s.clientsCapped() ? "+" : ""),
                s.clientCount() == 1 && !s.clientsCapped() ? "" : "s");
            if (marks != null)
            {
                out.printf(Locale.ROOT, "      on this host: %s%n", marks.describe(s));
            }
            int listed = 0;
            final Map<String, int[]> clients = s.clients();
            for (final Map.Entry<String, int[]> c : clients.entrySet())
            {
                if (listed++ == MAX_CLIENTS_LISTED)
                {
                    out.printf(Locale.ROOT, "      ... %d more clients%n", clients.size() - MAX_CLIENTS_LISTED);
                    break;
                }
                final int[] v = c.getValue();
                out.printf(Locale.ROOT, "      client %-39s %s, %s%n", c.getKey(),
                    v[0] == 1 ? "1 connection" : v[0] + " connections",
                    (v[1] == v[2] ? "source port " : "source ports ") + portSpan(v[1], v[2]));
            }
        }
        idleListeners(marks, servers, out);
        out.println();
    }

    /** The sockets listening on this host that no connection reached, after the servers that were. */
    private void idleListeners(final HostMarks marks, final List<ServerSummary> servers, final PrintWriter out)
    {
        if (marks == null)
        {
            return;
        }
        final List<flowdemux.host.Listener> idle = marks.idle(servers);
        if (idle.isEmpty())
        {
            return;
        }
        out.printf(Locale.ROOT, "  listening here, idle during the capture (%d):%n", idle.size());
        for (final flowdemux.host.Listener l : idle)
        {
            final String proto = ListeningSockets.protocolName(l.protocol());
            out.printf(Locale.ROOT, "    %s %s (%s)  %s%n", ListeningSockets.endpoint(l), proto,
                Formats.serviceAndRange(services, proto, l.port()), l.programs().isEmpty() ? "user " + l.user()
                    : l.owners());
        }
    }

    /** The programs behind this host's connections, with what they sent and received. */
    private void processes(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        if (r.host == null)
        {
            return;
        }
        final Processes p = a.processes;
        out.println("Processes (the programs behind this host's connections; up = sent by the program)");
        if (p.isEmpty())
        {
            out.println("  (no connection had an endpoint on this host)");
            out.println();
            return;
        }
        out.printf(Locale.ROOT, "  %-20s %8s %-10s %7s %7s %10s %10s %6s  %s%n", "PROGRAM", "PID", "USER", "CONNS",
            "SERVED", "UP", "DOWN", "PEERS", "CGROUP");
        int shown = 0;
        final List<Processes.Row> rows = p.rows();
        for (final Processes.Row row : rows)
        {
            if (shown++ == Math.max(top, 1) * 2)
            {
                out.printf(Locale.ROOT, "  ... %d more programs%n", rows.size() - shown + 1);
                break;
            }
            out.printf(Locale.ROOT, "  %-20s %8d %-10s %7d %7d %10s %10s %6s  %s%n", Escapes.text(row.program.name()),
                row.program.pid(), Escapes.text(row.program.user()), row.connections, row.served,
                Formats.bytes(row.bytesUp), Formats.bytes(row.bytesDown),
                row.peerCount() + (row.peersCapped ? "+" : ""), Escapes.text(row.program.cgroup()));
        }
        final String unnamed = p.unnamedText();
        if (!unnamed.isEmpty())
        {
            out.printf(Locale.ROOT, "  local endpoints without a program: %s%n", unnamed);
        }
        out.println();
    }

    private void services(final Aggregates a, final PrintWriter out)
    {
        out.println("Services (what the payload showed against what the port promises; see --no-service)");
        final StringBuilder counts = new StringBuilder();
        for (int i = 0; i < a.serviceConnections.length; i++)
        {
            if (a.serviceConnections[i] > 0)
            {
                counts.append(counts.length() == 0 ? "" : ", ").append(flowdemux.service.ServiceId.name(i)).append(' ')
                    .append(Formats.count(a.serviceConnections[i]));
            }
        }
        out.printf(Locale.ROOT, "  recognised in %s of %s connection%s%s%n", Formats.count(a.recognisedConnections),
            Formats.count(a.connections), a.connections == 1 ? "" : "s", counts.length() == 0 ? "" : ": " + counts);
        final ServiceFindings findings = new ServiceFindings(a, services);
        if (findings.mismatches + findings.unrecognised > 0)
        {
            out.printf(Locale.ROOT, "  %d server socket%s where the payload and the port disagree:%n",
                findings.mismatches + findings.unrecognised, findings.mismatches + findings.unrecognised == 1 ? "" : "s");
        }
        int shown = 0;
        for (final ServiceFindings.Row r : findings.rows)
        {
            if (shown++ == Math.max(top, 1) * 2)
            {
                out.printf(Locale.ROOT, "  ... %d more server sockets%n", findings.total - shown + 1);
                break;
            }
            out.printf(Locale.ROOT, "  %-12s %s%n", r.status.flagged() ? r.status.label.toUpperCase(Locale.ROOT)
                : r.status.label, r.sentence());
        }
        out.println();
        tlsClients(a.tlsClients, out);
    }

    /** TLS and QUIC clients by JA4: how many connections each kind of client made, and to which server names. */
    private void tlsClients(final TlsClients t, final PrintWriter out)
    {
        if (t.connections == 0)
        {
            return;
        }
        final java.util.List<TlsClients.Client> clients = t.clients();
        out.printf(Locale.ROOT, "TLS clients (JA4 of each ClientHello, TCP 't' and QUIC 'q'): %s connection%s, %d "
            + "fingerprint%s%n", Formats.count(t.connections), t.connections == 1 ? "" : "s", clients.size(),
            clients.size() == 1 ? "" : "s");
        int shown = 0;
        for (final TlsClients.Client c : clients)
        {
            if (shown++ == Math.max(top, 1))
            {
                out.printf(Locale.ROOT, "  ... %d more fingerprints%n", clients.size() - shown + 1);
                break;
            }
            final StringBuilder names = new StringBuilder();
            int listed = 0;
            for (final java.util.Map.Entry<String, Long> e : c.names())
            {
                if (listed++ == 3)
                {
                    names.append(", ...");
                    break;
                }
                names.append(listed == 1 ? "" : ", ").append(Escapes.text(e.getKey())).append(' ').append(e.getValue());
            }
            out.printf(Locale.ROOT, "  %-36s %8s connection%s, %d server name%s%s%n", c.ja4, Formats.count(c.connections),
                c.connections == 1 ? "" : "s", c.nameCount(), c.nameCount() == 1 ? "" : "s",
                names.length() == 0 ? "" : ": " + names);
        }
        if (t.otherConnections > 0)
        {
            out.printf(Locale.ROOT, "  (%s connections of further fingerprints, not told apart)%n",
                Formats.count(t.otherConnections));
        }
        out.println();
    }

    private static String portSpan(final int low, final int high)
    {
        final PortRange lowRange = PortRange.of(low);
        final PortRange highRange = PortRange.of(high);
        final String range = lowRange == highRange ? lowRange.label() : lowRange.label() + " to " + highRange.label();
        return (low == high ? String.valueOf(low) : low + "-" + high) + " (" + range + ")";
    }

    /** {@code input} names the capture in the extract and follow hint (F when there is no one file to name). */
    private void topFlows(final Aggregates a, final PrintWriter out, final String input)
    {
        final List<FlowRecord> flows = a.topFlows(top);
        out.printf(Locale.ROOT, "Top %d flows by bytes (of %s; a connection is its 5-tuple: client IP:port -> server IP:port)%n",
            flows.size(), Formats.count(a.connections));
        if (flows.isEmpty())
        {
            out.println("  (none)");
            out.println();
            return;
        }
        out.printf(Locale.ROOT, "  %-47s %-47s %-9s %-10s %-6s %-12s %8s %10s %10s  %s%n", "ORIGINATOR",
            "RESPONDER", "PROTO", "SERVICE", "STATE", "HISTORY", "PACKETS", "BYTES", "DURATION", "UID");
        final java.util.Set<String> states = new java.util.TreeSet<>();
        final StringBuilder letters = new StringBuilder();
        for (final FlowRecord f : flows)
        {
            final String service = f.serviceNames();
            out.printf(Locale.ROOT, "  %-47s %-47s %-9s %-10s %-6s %-12s %8d %10s %10s  %s%n",
                originator(f), responder(f),
                Formats.ipProtocol(f.protocol), service == null ? "-" : service, f.connState, f.history.isEmpty() ? "-" : f.history, f.packets(),
                Formats.bytes(f.ipBytes()), Formats.duration(f.durationNanos()), f.uid());
            states.add(f.connState);
            letters.append(f.history);
        }
        legend(out, states, letters.toString());
        final String in = input.matches("[\\w./+:@%=,-]+") ? input : "'" + input.replace("'", "'\\''") + "'";
        out.println("  (a connection's packets: analyzer extract " + in + " --uid UID -w one.pcap; what was said on it: "
            + "analyzer follow " + in + " --uid UID)");
        out.println();
    }

    /** Zeek's meaning of each conn_state and history letter shown above (main.zeek), in a few words. */
    private static void legend(final PrintWriter out, final java.util.Set<String> states, final String letters)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String state : states)
        {
            final String meaning = STATES.get(state);
            if (meaning != null)
            {
                sb.append(sb.length() == 0 ? "" : "; ").append(state).append(' ').append(meaning);
            }
        }
        out.printf(Locale.ROOT, "  (STATE: %s)%n", sb);
        final StringBuilder h = new StringBuilder();
        for (final Map.Entry<Character, String> e : LETTERS.entrySet())
        {
            if (letters.indexOf(e.getKey()) >= 0 || letters.indexOf(Character.toUpperCase(e.getKey())) >= 0)
            {
                h.append(h.length() == 0 ? "" : ", ").append(Character.toUpperCase(e.getKey())).append(' ')
                    .append(e.getValue());
            }
        }
        if (h.length() > 0)
        {
            out.printf(Locale.ROOT, "  (HISTORY, upper case from the originator, lower case from the responder: %s)%n", h);
        }
    }

    /** conn_state meanings, from Zeek's main.zeek. */
    private static final Map<String, String> STATES = Map.ofEntries(
        Map.entry("S0", "attempt, no reply"),
        Map.entry("S1", "established, not closed"),
        Map.entry("SF", "normal establishment and close"),
        Map.entry("REJ", "attempt rejected"),
        Map.entry("S2", "established, originator closed, no reply"),
        Map.entry("S3", "established, responder closed, no reply"),
        Map.entry("RSTO", "established, originator aborted (RST)"),
        Map.entry("RSTR", "responder sent a RST"),
        Map.entry("RSTOS0", "originator sent a SYN then a RST, no SYN-ACK seen"),
        Map.entry("RSTRH", "responder sent a SYN-ACK then a RST, no SYN seen"),
        Map.entry("SH", "originator sent a SYN then a FIN, no SYN-ACK seen"),
        Map.entry("SHR", "responder sent a SYN-ACK then a FIN, no SYN seen"),
        Map.entry("OTH", "no SYN seen, midstream traffic"));

    /** History letters, from Zeek's main.zeek, in the order it lists them. */
    private static final Map<Character, String> LETTERS = new java.util.LinkedHashMap<>();

    static
    {
        LETTERS.put('s', "SYN");
        LETTERS.put('h', "SYN-ACK");
        LETTERS.put('a', "pure ACK");
        LETTERS.put('d', "data");
        LETTERS.put('f', "FIN");
        LETTERS.put('r', "RST");
        LETTERS.put('c', "bad checksum");
        LETTERS.put('g', "content gap");
        LETTERS.put('t', "retransmission");
        LETTERS.put('w', "zero window");
        LETTERS.put('i', "inconsistent flags");
        LETTERS.put('q', "SYN with FIN or RST");
        LETTERS.put('^', "direction flipped");
        LETTERS.put('x', "analysis stopped");
    }

    /** "10.0.0.2:51234", or for ICMP "10.0.0.2 type 8" (Zeek keys ICMP by type and counterpart type or code). */
    private static String originator(final FlowRecord f)
    {
        if (isIcmp(f))
        {
            return f.origAddress() + " type " + f.origPort;
        }
        return f.hasPorts() ? socket(f.origAddress(), f.origPort) : f.origAddress();
    }

    private static String responder(final FlowRecord f)
    {
        if (isIcmp(f))
        {
            return f.respAddress() + (f.icmpResponderIsType() ? " type " : " code ") + f.respPort;
        }
        return f.hasPorts() ? socket(f.respAddress(), f.respPort) : f.respAddress();
    }

    private static boolean isIcmp(final FlowRecord f)
    {
        return f.protocol == flowdemux.decode.DecodedPacket.PROTO_ICMP
            || f.protocol == flowdemux.decode.DecodedPacket.PROTO_ICMPV6;
    }

    private static void distributions(final AnalysisResult r, final Aggregates a, final PrintWriter out)
    {
        out.println("Distributions (HdrHistogram, 3 significant digits)");
        out.printf(Locale.ROOT, "  %-22s %8s %12s %12s %12s %12s%n", "", "COUNT", "p50", "p90", "p99", "max");
        row(out, "flow duration", a.flowDurationNanos, a.maxDurationNanos, Formats::duration);
        row(out, "bytes per flow (IP)", a.bytesPerFlow, a.maxBytesPerFlow, Formats::bytes);
        row(out, "packet size (wire)", r.stats.packetSizes, r.stats.maxPacketSize, Formats::bytes);
        row(out, "handshake RTT", a.handshakeRttNanos, a.maxHandshakeRttNanos, Formats::duration);
        out.println("  (percentiles within 0.1%; max exact)");
    }

    private static void row(final PrintWriter out, final String name, final Histogram h, final long max,
        final java.util.function.LongFunction<String> unit)
    {
        final boolean any = h.getTotalCount() > 0;
        // A percentile is a bucket's highest equivalent value: never above the exact max.
        out.printf(Locale.ROOT, "  %-22s %8d %12s %12s %12s %12s%n", name, h.getTotalCount(),
            any ? unit.apply(Math.min(max, h.getValueAtPercentile(50))) : "-",
            any ? unit.apply(Math.min(max, h.getValueAtPercentile(90))) : "-",
            any ? unit.apply(Math.min(max, h.getValueAtPercentile(99))) : "-", any ? unit.apply(max) : "-");
    }

    /** "1.2.3.4:80" or "[2001:db8::1]:80". */
    static String socket(final String address, final int port)
    {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
