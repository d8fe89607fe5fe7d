package flowdemux.report;

import flowdemux.flow.FlowRecord;
import flowdemux.ports.Services;

import java.io.IOException;
import java.io.Writer;

/** One row per flow (RFC 4180: comma separated, header line, no quoting needed: no field holds a comma). */
public final class CsvReport implements ReportFormat
{
    public static final String HEADER = "uid,ts,orig_h,orig_p,resp_h,resp_p,proto,ip_proto,service,duration,"
        + "orig_pkts,resp_pkts,orig_ip_bytes,resp_ip_bytes,orig_payload_bytes,resp_payload_bytes,orig_bytes,resp_bytes,"
        + "conn_state,history,rtt_syn_synack_ns,rtt_synack_ack_ns,orig_mss,resp_mss,orig_wscale,resp_wscale,"
        + "orig_sack_permitted,resp_sack_permitted,orig_retransmits,resp_retransmits,vlan,end";
    private final Services services;

    public CsvReport(final Services services)
    {
        this.services = services;
    }

    @Override
    public void write(final AnalysisResult r, final Writer out) throws IOException
    {
        out.write(HEADER);
        out.write('\n');
        final StringBuilder sb = new StringBuilder(256);
        for (final FlowRecord f : r.flows)
        {
            sb.setLength(0);
            final String proto = f.protocolName();
            final String service = f.hasPorts() ? services.name(proto, f.respPort) : null;
            sb.append(f.uid()).append(',')
                .append(Formats.epochSeconds(f.firstNanos, 9)).append(',')
                .append(f.origAddress()).append(',').append(f.origPort).append(',')
                .append(f.respAddress()).append(',').append(f.respPort).append(',')
                .append(proto).append(',').append(f.protocol).append(',')
                .append(service == null ? "" : service).append(',')
                .append(Formats.epochSeconds(f.durationNanos(), 9)).append(',')
                .append(f.origPackets).append(',').append(f.respPackets).append(',')
                .append(f.origIpBytes).append(',').append(f.respIpBytes).append(',')
                .append(f.origPayload).append(',').append(f.respPayload).append(',')
                .append(f.origBytes).append(',').append(f.respBytes).append(',')
                .append(f.connState).append(',').append(f.history).append(',');
            optional(sb, f.rttSynAckNanos);
            optional(sb, f.rttAckNanos);
            optional(sb, f.origMss);
            optional(sb, f.respMss);
            optional(sb, f.origWindowScale);
            optional(sb, f.respWindowScale);
            sb.append(f.origSackPermitted ? "T" : "F").append(',').append(f.respSackPermitted ? "T" : "F").append(',')
                .append(f.origRetransmits).append(',').append(f.respRetransmits).append(',');
            optional(sb, f.vlan);
            sb.append(f.endReason.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
            out.append(sb);
        }
        out.flush();
    }

    private static void optional(final StringBuilder sb, final long value)
    {
        if (value >= 0)
        {
            sb.append(value);
        }
        sb.append(',');
    }
}
