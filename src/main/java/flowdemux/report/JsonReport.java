package flowdemux.report;

import flowdemux.util.AsciiLine;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import flowdemux.decode.DecodeStats;
import flowdemux.decode.DropReason;
import flowdemux.flow.FlowRecord;
import flowdemux.ports.PortRange;
import flowdemux.ports.Services;
import flowdemux.source.LinkType;
import flowdemux.util.TimeBuckets;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * One JSON document, written with Jackson's streaming generator (no object tree). Schema: docs/json-schema.md.
 * Times are integer nanoseconds since the epoch; durations integer nanoseconds; sizes bytes.
 */
public final class JsonReport implements ReportFormat
{
    public static final int SCHEMA_VERSION = 2;
    private final int top;
    private final Services services;
    private final LocalNets localNets;
    /** --top all: every connection in a "connections" array, from the workers' lines. */
    private final boolean allConnections;
    /** Most ports, servers and clients per server listed (the HTML page's caps; the JSON report lists all). */
    private int maxPorts = Integer.MAX_VALUE;
    private int maxServers = Integer.MAX_VALUE;
    private int maxClients = Integer.MAX_VALUE;

    public JsonReport(final int top, final Services services, final LocalNets localNets, final boolean allConnections)
    {
        this.top = top;
        this.services = services;
        this.localNets = localNets;
        this.allConnections = allConnections;
    }

    /** Lists at most this many ports, servers, and clients of a server (the totals are said beside them). */
    JsonReport capped(final int ports, final int servers, final int clients)
    {
        this.maxPorts = ports;
        this.maxServers = servers;
        this.maxClients = clients;
        return this;
    }

    @Override
    public void write(final AnalysisResult r, final Writer writer) throws IOException
    {
        final Aggregates a = r.aggregates;
        final JsonGenerator g = new JsonFactory().createGenerator(writer);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        input(r, g);
        capture(r, g);
        ports(a, g);
        servers(a, r.host == null ? null : new HostMarks(r.host), g);
        services(a, g);
        tlsClients(a.tlsClients, g);
        if (r.host != null)
        {
            processes(a, new HostMarks(r.host), g);
        }
        g.writeArrayFieldStart("conn_states");
        for (final Map.Entry<String, Long> e : a.connStates().entrySet())
        {
            final int space = e.getKey().lastIndexOf(' ');
            g.writeStartObject();
            g.writeStringField("protocol", e.getKey().substring(0, space));
            g.writeStringField("conn_state", e.getKey().substring(space + 1));
            g.writeNumberField("connections", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("top_flows");
        final AsciiLine line = new AsciiLine(512);
        for (final FlowRecord f : a.topFlows(top))
        {
            line.setLength(0);
            JsonLines.appendConnection(f, localNets, line);
            g.writeRawValue(line.toString());
        }
        g.writeEndArray();
        g.writeObjectFieldStart("distributions");
        histogram(g, "flow_duration_ns", a.flowDurationNanos, a.maxDurationNanos);
        histogram(g, "bytes_per_flow", a.bytesPerFlow, a.maxBytesPerFlow);
        histogram(g, "packet_size", r.stats.packetSizes, r.stats.maxPacketSize);
        histogram(g, "handshake_rtt_ns", a.handshakeRttNanos, a.maxHandshakeRttNanos);
        g.writeEndObject();
        timeSeries(g, r.stats.traffic, a.connectionsOverTime);
        if (allConnections)
        {
            // Last, streamed from the workers' lines (one object a line), not held in memory: the generator is told
            // nothing of this field, so it closes the document after it.
            g.flush();
            writer.write(",\n  \"connections\" : [\n");
            final LineJoiner joined = new LineJoiner(writer);
            new JsonLines(localNets).writeLines(r, joined);
            joined.finish();
            writer.write("  ]");
        }
        g.writeEndObject();
        g.flush();
        writer.write('\n');
        writer.flush();
    }

    /** Turns newline-ended lines into array elements: ",\n" between them, each indented. */
    @Override
    public RecordLine lines()
    {
        return allConnections ? new JsonLines(localNets) : null;
    }

    private static final class LineJoiner extends Writer
    {
        private final Writer out;
        private boolean atLineStart = true;
        private boolean any;

        LineJoiner(final Writer out)
        {
            this.out = out;
        }

        @Override
        public void write(final char[] cbuf, final int off, final int len) throws IOException
        {
            for (int i = off; i < off + len; i++)
            {
                final char c = cbuf[i];
                if (c == '\n')
                {
                    atLineStart = true;
                    continue;
                }
                if (atLineStart)
                {
                    out.write(any ? ",\n    " : "    ");
                    any = true;
                    atLineStart = false;
                }
                out.write(c);
            }
        }

        void finish() throws IOException
        {
            if (any)
            {
                out.write('\n');
            }
        }

        @Override
        public void flush() throws IOException
        {
            out.flush();
        }

        @Override
        public void close()
        {
            // the report's writer stays open
        }
    }

    private static void input(final AnalysisResult r, final JsonGenerator g) throws IOException
    {
        g.writeObjectFieldStart("input");
        g.writeStringField("name", r.inputName);
        g.writeStringField("format", r.format);
        g.writeArrayFieldStart("link_types");
        for (final int t : r.stats.linkTypes())
        {
            g.writeStartObject();
            g.writeNumberField("id", t);
            g.writeStringField("name", LinkType.name(t));
            g.writeEndObject();
        }
        g.writeEndArray();
        if (r.error == null)
        {
            g.writeNullField("error");
        }
        else
        {
            g.writeStringField("error", r.error);
        }
        if (!r.inputs.isEmpty())
        {
            g.writeArrayFieldStart("files");
            for (final AnalysisResult.InputFile f : r.inputs)
            {
                g.writeStartObject();
                g.writeStringField("name", f.name());
                g.writeStringField("format", f.format());
                g.writeNumberField("packets", f.packets());
                if (f.error() == null)
                {
                    g.writeNullField("error");
                }
                else
                {
                    g.writeStringField("error", f.error());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (r.filterDescription == null)
        {
            g.writeNullField("filter");
        }
        else
        {
            g.writeStringField("filter", r.filterDescription);
        }
        g.writeEndObject();
    }

    private static void capture(final AnalysisResult r, final JsonGenerator g) throws IOException
    {
        final DecodeStats s = r.stats;
        g.writeObjectFieldStart("capture");
        g.writeNumberField("packets", s.packets);
        g.writeNumberField("bytes_captured", s.capturedBytes);
        g.writeNumberField("bytes_on_wire", s.wireBytes);
        if (s.packets > 0)
        {
            // Float seconds as Zeek writes them, and the exact nanoseconds as a string (beyond 2^53, a JSON number
            // loses digits in JavaScript and jq).
            g.writeFieldName("first_ts");
            g.writeRawValue(Formats.epochSeconds(s.firstNanos, 6));
            g.writeStringField("first_ts_ns", Long.toString(s.firstNanos));
            g.writeFieldName("last_ts");
            g.writeRawValue(Formats.epochSeconds(s.lastNanos, 6));
            g.writeStringField("last_ts_ns", Long.toString(s.lastNanos));
            g.writeNumberField("span_ns", s.lastNanos - s.firstNanos);
        }
        else
        {
            g.writeNullField("first_ts");
            g.writeNullField("first_ts_ns");
            g.writeNullField("last_ts");
            g.writeNullField("last_ts_ns");
            g.writeNullField("span_ns");
        }
        g.writeNumberField("packets_in_flows", r.packetsInFlows());
        g.writeNumberField("packets_filtered_out", s.filteredOut);
        g.writeObjectFieldStart("checksums");
        g.writeStringField("mode", s.checksumMode.optionName());
        g.writeNumberField("verified", s.checksumsVerified);
        g.writeNumberField("offloaded", s.checksumsOffloaded);
        g.writeNumberField("bad", s.checksumsBad);
        g.writeNumberField("bad_ipv4_header", s.ipChecksumsBad);
        g.writeNumberField("bad_but_unfilled", s.checksumsUnfilled);
        g.writeEndObject();
        g.writeObjectFieldStart("undecodable");
        g.writeNumberField("total", s.undecodable());
        final DropReason[] reasons = DropReason.values();
        for (int i = 1; i < reasons.length; i++)
        {
            g.writeNumberField(reasons[i].name().toLowerCase(java.util.Locale.ROOT), s.drops[i]);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("tunnels");
        for (int t = 1; t < flowdemux.decode.Tunnel.COUNT; t++)
        {
            g.writeNumberField(flowdemux.decode.Tunnel.name(t), s.tunnelled[t]);
        }
        long undecodableInside = 0;
        for (final long n : s.innerDrops)
        {
            undecodableInside += n;
        }
        g.writeNumberField("undecodable_inside", undecodableInside);
        g.writeNumberField("too_deep", s.tooDeep);
        g.writeNumberField("unnumbered", s.tunnelsUnnumbered);
        g.writeEndObject();
        g.writeObjectFieldStart("protocols");
        g.writeNumberField("ipv4", s.ipv4Packets);
        g.writeNumberField("ipv6", s.ipv6Packets);
        g.writeNumberField("tcp", s.tcpPackets);
        g.writeNumberField("udp", s.udpPackets);
        g.writeNumberField("icmp", s.icmpPackets);
        g.writeNumberField("other_ip", s.otherIpPackets);
        g.writeObjectFieldStart("other_ip_by_protocol");
        for (int proto = 0; proto < 256; proto++)
        {
            if (s.otherIpByProtocol[proto] > 0)
            {
                g.writeNumberField(String.valueOf(proto), s.otherIpByProtocol[proto]);
            }
        }
        g.writeEndObject();
        g.writeEndObject();
        if (r.captureStats != null)
        {
            g.writeObjectFieldStart("live");
            g.writeNumberField("received", r.captureStats[LiveCounters.RECEIVED]);
            g.writeNumberField("dropped_by_kernel", r.captureStats[LiveCounters.KERNEL_DROPPED]);
            g.writeNumberField("dropped_by_interface", r.captureStats[LiveCounters.INTERFACE_DROPPED]);
            g.writeNumberField("dropped_by_flowdemux", r.captureStats[LiveCounters.FLOWDEMUX_DROPPED]);
            g.writeBooleanField("loopback", r.loopback);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("flow_table");
        g.writeNumberField("connections", r.aggregates.connections);
        g.writeNumberField("max_flows", r.maxFlows);
        g.writeNumberField("evicted", r.evicted);
        g.writeEndObject();
        if (r.export != null)
        {
            g.writeObjectFieldStart("ipfix");
            g.writeStringField("collector", r.export.target());
            g.writeNumberField("records_sent", r.export.sent());
            g.writeNumberField("messages_sent", r.export.messages());
            g.writeNumberField("records_dropped", r.export.dropped());
            g.writeStringField("failure", r.export.failure());
            g.writeEndObject();
        }
        if (r.kafka != null)
        {
            g.writeObjectFieldStart("kafka");
            g.writeStringField("target", r.kafka.target());
            g.writeStringField("format", r.kafka.format());
            g.writeNumberField("records_sent", r.kafka.sent());
            g.writeNumberField("records_acknowledged", r.kafka.acknowledged());
            g.writeNumberField("records_failed", r.kafka.failed());
            g.writeNumberField("records_dropped", r.kafka.dropped());
            g.writeStringField("failure", r.kafka.failure());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private void ports(final Aggregates a, final JsonGenerator g) throws IOException
    {
        final java.util.List<PortSummary> all = a.ports();
        g.writeNumberField("ports_total", all.size());
        g.writeArrayFieldStart("ports");
        for (final PortSummary p : all.subList(0, Math.min(maxPorts, all.size())))
        {
            g.writeStartObject();
            g.writeNumberField("port", p.port);
            g.writeStringField("protocol", p.protocol);
            writeService(g, p.protocol, p.port);
            g.writeNumberField("connections", p.connections);
            g.writeObjectFieldStart("outcomes");
            for (final Map.Entry<String, Long> e : p.outcomes().entrySet())
            {
                g.writeNumberField(e.getKey().replace(' ', '_').replace('-', '_'), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("distinct_clients", p.distinctClients());
            g.writeBooleanField("distinct_clients_capped", p.clientsSaturated());
            g.writeNumberField("packets", p.packets);
            g.writeNumberField("ip_bytes", p.bytes);
            if (p.rttNanos.getTotalCount() > 0)
            {
                g.writeNumberField("handshake_rtt_p50_ns", p.rttNanos.getValueAtPercentile(50));
                g.writeNumberField("handshake_rtt_p99_ns", p.rttNanos.getValueAtPercentile(99));
            }
            else
            {
                g.writeNullField("handshake_rtt_p50_ns");
                g.writeNullField("handshake_rtt_p99_ns");
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void writeService(final JsonGenerator g, final String proto, final int port) throws IOException
    {
        final String name = services.name(proto, port);
        if (name == null)
        {
            g.writeNullField("service");
        }
        else
        {
            g.writeStringField("service", name);
        }
        g.writeStringField("range", PortRange.of(port).label());
    }

    /** The Services section: connections by service, and server sockets where payload and port are compared. */
    /** TLS and QUIC clients by JA4, the most frequent first, with the server names they asked for. */
    private void tlsClients(final TlsClients t, final JsonGenerator g) throws IOException
    {
        g.writeObjectFieldStart("tls_clients");
        g.writeNumberField("connections", t.connections);
        g.writeNumberField("other_connections", t.otherConnections);
        g.writeArrayFieldStart("fingerprints");
        final java.util.List<TlsClients.Client> clients = t.clients();
        for (final TlsClients.Client c : clients.subList(0, Math.min(maxServers, clients.size())))
        {
            g.writeStartObject();
            g.writeStringField("ja4", c.ja4);
            g.writeNumberField("connections", c.connections);
            g.writeNumberField("unnamed", c.unnamed);
            g.writeNumberField("server_names_total", c.nameCount());
            g.writeArrayFieldStart("server_names");
            final java.util.List<Map.Entry<String, Long>> names = c.names();
            for (final Map.Entry<String, Long> e : names.subList(0, Math.min(TLS_NAMES_LISTED, names.size())))
            {
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                g.writeNumberField("connections", e.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Server names listed per JA4 fingerprint (all are counted in server_names_total). */
    private static final int TLS_NAMES_LISTED = 20;

    private void services(final Aggregates a, final JsonGenerator g) throws IOException
    {
        g.writeObjectFieldStart("services");
        g.writeNumberField("recognised_connections", a.recognisedConnections);
        g.writeObjectFieldStart("connections");
        for (int i = 0; i < a.serviceConnections.length; i++)
        {
            if (a.serviceConnections[i] > 0)
            {
                g.writeNumberField(flowdemux.service.ServiceId.name(i), a.serviceConnections[i]);
            }
        }
        g.writeEndObject();
        final ServiceFindings findings = new ServiceFindings(a, services);
        g.writeNumberField("mismatches", findings.mismatches);
        g.writeNumberField("unrecognised", findings.unrecognised);
        g.writeNumberField("sockets_total", findings.total);
        g.writeArrayFieldStart("sockets");
        for (final ServiceFindings.Row r : findings.rows.subList(0, Math.min(maxServers, findings.rows.size())))
        {
            g.writeStartObject();
            g.writeStringField("address", r.server.address());
            g.writeNumberField("port", r.server.port);
            g.writeStringField("protocol", r.server.protocol);
            if (r.seen == null)
            {
                g.writeNullField("seen");
            }
            else
            {
                g.writeStringField("seen", r.seen);
            }
            if (r.portName == null)
            {
                g.writeNullField("port_says");
            }
            else
            {
                g.writeStringField("port_says", r.portName);
            }
            g.writeStringField("status", r.status.label);
            g.writeNumberField("connections", r.server.connections);
            g.writeNumberField("recognised", r.server.recognised);
            g.writeNumberField("unrecognised", r.server.unrecognised);
            g.writeStringField("finding", r.sentence());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** The programs behind this host's connections, and the sockets that listened here without traffic. */
    private static void processes(final Aggregates a, final HostMarks marks, final JsonGenerator g) throws IOException
    {
        final Processes p = a.processes;
        g.writeArrayFieldStart("processes");
        for (final Processes.Row row : p.rows())
        {
            g.writeStartObject();
            g.writeNumberField("pid", row.program.pid());
            g.writeStringField("name", row.program.name());
            g.writeStringField("user", row.program.user());
            g.writeStringField("cgroup", row.program.cgroup());
            g.writeNumberField("connections", row.connections);
            g.writeNumberField("served", row.served);
            g.writeNumberField("bytes_up", row.bytesUp);
            g.writeNumberField("bytes_down", row.bytesDown);
            g.writeNumberField("peers", row.peerCount());
            g.writeBooleanField("peers_capped", row.peersCapped);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("processes_unnamed");
        for (final flowdemux.host.Owner.Kind k : flowdemux.host.Owner.Kind.values())
        {
            if (k != flowdemux.host.Owner.Kind.PROGRAM)
            {
                g.writeNumberField(k.text.replace(' ', '_'), p.unnamed[k.ordinal()]);
            }
        }
        g.writeEndObject();
        g.writeArrayFieldStart("listening_idle");
        for (final flowdemux.host.Listener l : marks.idle(a.servers()))
        {
            listener(g, l);
        }
        g.writeEndArray();
    }

    private static void listener(final JsonGenerator g, final flowdemux.host.Listener l) throws IOException
    {
        g.writeStartObject();
        g.writeStringField("protocol", ListeningSockets.protocolName(l.protocol()));
        g.writeStringField("address", flowdemux.util.Addresses.format(l.hi(), l.lo()));
        g.writeNumberField("port", l.port());
        g.writeStringField("user", l.user());
        g.writeArrayFieldStart("processes");
        for (final flowdemux.host.Program p : l.programs())
        {
            ListeningSockets.writeProgram(g, p);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void servers(final Aggregates a, final HostMarks marks, final JsonGenerator g) throws IOException
    {
        final java.util.List<ServerSummary> all = a.servers();
        g.writeNumberField("servers_total", all.size());
        g.writeArrayFieldStart("servers");
        for (final ServerSummary s : all.subList(0, Math.min(maxServers, all.size())))
        {
            g.writeStartObject();
            g.writeStringField("address", s.address());
            g.writeNumberField("port", s.port);
            g.writeStringField("protocol", s.protocol);
            writeService(g, s.protocol, s.port);
            final String seen = flowdemux.service.ServiceId.names(s.services);
            if (seen == null)
            {
                g.writeNullField("service_seen");
            }
            else
            {
                g.writeStringField("service_seen", seen);
            }
            g.writeStringField("status", s.status());
            if (marks != null)
            {
                // Where the socket is, for a capture on this host: listening, not_listening, other_namespace, remote.
                g.writeStringField("on_host", marks.where(s).key());
                final flowdemux.host.Listener l = marks.where(s) == HostMarks.Where.LISTENING ? marks.listener(s) : null;
                if (l != null)
                {
                    g.writeArrayFieldStart("processes");
                    for (final flowdemux.host.Program p : l.programs())
                    {
                        ListeningSockets.writeProgram(g, p);
                    }
                    g.writeEndArray();
                }
            }
            g.writeNumberField("connections", s.connections);
            g.writeNumberField("packets", s.packets);
            g.writeNumberField("ip_bytes", s.bytes);
            g.writeNumberField("client_port_min", s.clientPortMin);
            g.writeNumberField("client_port_max", s.clientPortMax);
            final Map<String, int[]> clients = s.clients();
            g.writeNumberField("clients_total", clients.size());
            g.writeArrayFieldStart("clients");
            int listed = 0;
            for (final Map.Entry<String, int[]> c : clients.entrySet())
            {
                if (listed++ == maxClients)
                {
                    break;
                }
                g.writeStartObject();
                g.writeStringField("address", c.getKey());
                g.writeNumberField("connections", c.getValue()[0]);
                g.writeNumberField("port_min", c.getValue()[1]);
                g.writeNumberField("port_max", c.getValue()[2]);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** JSON names of the outcome groups, in the order of {@link PortSummary#OUTCOMES}. */
    static final String[] OUTCOME_KEYS = {"completed", "rejected", "reset", "half_open", "in_progress", "other"};

    /**
     * Traffic and connections over capture time on one axis: both series at the wider bucket width of the two, from
     * the first bucket of either to the last.
     */
    private static void timeSeries(final JsonGenerator g, final TimeBuckets trafficSeries,
        final TimeBuckets connectionSeries) throws IOException
    {
        final TimeBuckets traffic = new TimeBuckets(2);
        traffic.merge(trafficSeries);
        final TimeBuckets conns = new TimeBuckets(1 + OUTCOME_KEYS.length);
        conns.merge(connectionSeries);
        long w;
        long start;
        long end;
        while (true)
        {
            w = Math.max(traffic.widthNanos(), conns.widthNanos());
            traffic.coarsenTo(w);
            conns.coarsenTo(w);
            start = Long.MAX_VALUE;
            end = Long.MIN_VALUE;
            for (final TimeBuckets b : new TimeBuckets[] {traffic, conns})
            {
                // Only a series with buckets has a start: an empty one says 0, which is not a time of this capture.
                if (b.size() > 0)
                {
                    start = Math.min(start, b.startNanos());
                    end = Math.max(end, b.startNanos() + b.size() * w);
                }
            }
            if (start == Long.MAX_VALUE || (end - start) / w <= TimeBuckets.MAX_BUCKETS
                || !traffic.coarsenTo(w + 1) && !conns.coarsenTo(w + 1))
            {
                break;
            }
        }
        final int n = start == Long.MAX_VALUE ? 0 : (int)Math.max(0, (end - start) / w);
        start = n == 0 ? 0 : start;
        g.writeObjectFieldStart("timeseries");
        g.writeNumberField("bucket_ns", w);
        g.writeStringField("start_ns", Long.toString(start));
        series(g, "packets", traffic, 0, start, n);
        series(g, "bytes", traffic, 1, start, n);
        series(g, "new_connections", conns, 0, start, n);
        g.writeObjectFieldStart("ended");
        for (int i = 0; i < OUTCOME_KEYS.length; i++)
        {
            series(g, OUTCOME_KEYS[i], conns, 1 + i, start, n);
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void series(final JsonGenerator g, final String name, final TimeBuckets b, final int column,
        final long start, final int n) throws IOException
    {
        g.writeArrayFieldStart(name);
        final long offset = b.size() == 0 ? 0 : (b.startNanos() - start) / b.widthNanos();
        for (int i = 0; i < n; i++)
        {
            final long at = i - offset;
            g.writeNumber(at >= 0 && at < b.size() ? b.get((int)at, column) : 0);
        }
        g.writeEndArray();
    }

    /** Percentiles within 0.1% (never above the exact max), and the exact max. */
    private static void histogram(final JsonGenerator g, final String name, final Histogram h, final long max)
        throws IOException
    {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", h.getTotalCount());
        if (h.getTotalCount() > 0)
        {
            g.writeNumberField("p50", Math.min(max, h.getValueAtPercentile(50)));
            g.writeNumberField("p90", Math.min(max, h.getValueAtPercentile(90)));
            g.writeNumberField("p99", Math.min(max, h.getValueAtPercentile(99)));
            g.writeNumberField("p999", Math.min(max, h.getValueAtPercentile(99.9)));
            g.writeNumberField("max", max);
            // The percentile curve HdrHistogram plots: [percentile, value] at ticks that halve the distance to 100.
            g.writeArrayFieldStart("curve");
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                g.writeStartArray();
                g.writeNumber(v.getPercentileLevelIteratedTo());
                g.writeNumber(Math.min(max, h.highestEquivalentValue(v.getValueIteratedTo())));
                g.writeEndArray();
                if (v.getPercentileLevelIteratedTo() >= 100.0)
                {
                    break;
                }
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }
}
