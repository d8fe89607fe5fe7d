package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.FlowRecord;
import flowdemux.ports.Services;
import flowdemux.util.Addresses;

import java.io.IOException;
import java.io.Writer;

/**
 * One row per flow (RFC 4180: comma separated, header line). Only the detected services ("ftp,ssl") and what
 * detection kept from payload can hold a comma or a quote; those fields are quoted then (see {@link Escapes#csv}).
 * {@code service} is what the payload showed, {@code port_service} what the IANA table says of the responder's port.
 */
public final class CsvReport implements ReportFormat, RecordLine
{
    public static final String HEADER = "uid,ts,orig_h,orig_p,resp_h,resp_p,proto,ip_proto,service,port_service,"
        + "service_name,service_detail,duration,"
        + "orig_pkts,resp_pkts,orig_ip_bytes,resp_ip_bytes,orig_payload_bytes,resp_payload_bytes,orig_bytes,resp_bytes,"
        + "conn_state,history,rtt_syn_synack_ns,rtt_synack_ack_ns,orig_mss,resp_mss,orig_wscale,resp_wscale,"
        + "orig_sack_permitted,resp_sack_permitted,orig_retransmits,resp_retransmits,vlan,end,"
        + "tunnel_parents,tunnel_type,tunnel_id,community_id,ja4,ja3" + OwnerFields.CSV_HEADER;
    private final Services services;

    public CsvReport(final Services services)
    {
        this.services = services;
    }

    /** Only the lines: no per-port or per-server view is printed. */
    @Override
    public boolean usesAggregates()
    {
        return false;
    }

    @Override
    public void write(final AnalysisResult r, final Writer out) throws IOException
    {
        out.write(HEADER);
        out.write('\n');
        writeLines(r, out);
        out.flush();
    }

    /** end_reason's values, made once rather than a lower-case String per connection. */
    private static final String[] END_REASONS = java.util.Arrays.stream(flowdemux.flow.EndReason.values())
        .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    @Override
    public void append(final FlowRecord f, final AsciiLine sb)
    {
        final String proto = f.protocolName();
        final String service = f.hasPorts() ? services.name(proto, f.respPort) : null;
        FlowRecord.appendUid(sb, f.uidSeed, f.serial).append(',');
        Formats.appendEpochSeconds(sb, f.firstNanos, 9).append(',');
        Addresses.append(sb, f.origHi, f.origLo).append(',').append(f.origPort).append(',');
        Addresses.append(sb, f.respHi, f.respLo).append(',').append(f.respPort).append(',')
            .append(proto).append(',').append(f.protocol).append(',');
        final String detected = f.serviceNames();
        if (detected != null)
        {
            Escapes.csv(sb, detected);
        }
        sb.append(',').append(service == null ? "" : service).append(',');
        for (int i = 0; i < 2; i++)
        {
            final String value = f.noteText(i == 0);
            if (value != null)
            {
                Escapes.csv(sb, value);
            }
            sb.append(',');
        }
        Formats.appendEpochSeconds(sb, f.durationNanos(), 9).append(',')
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
        sb.append(END_REASONS[f.endReason.ordinal()]).append(',');
        // Inside tunnels: the tunnels' uids (';' between them: the field holds no comma), the innermost's type and id.
        for (int i = 0; i < f.tunnelParentCount; i++)
        {
            if (i > 0)
            {
                sb.append(';');
            }
            flowdemux.flow.FlowRecord.appendUid(sb, f.uidSeed, f.tunnelParents[i]);
        }
        sb.append(',');
        if (f.tunnelParentCount > 0)
        {
            sb.append(flowdemux.decode.Tunnel.name(f.tunnelType));
        }
        sb.append(',');
        optional(sb, f.tunnelParentCount > 0 ? f.tunnelId : -1);
        flowdemux.flow.CommunityId.append(sb, f, f.communityIdSeed);
        // A TLS client's fingerprints (hex and ASCII only, by construction).
        final boolean tls = f.noteKind() == flowdemux.service.ServiceNotes.TLS;
        final String ja4 = tls ? f.noteText(2) : null;
        final String ja3 = tls ? f.noteText(3) : null;
        sb.append(',').append(ja4 == null ? "" : ja4).append(',').append(ja3 == null ? "" : ja3);
        OwnerFields.csv(sb, f.origOwner);
        OwnerFields.csv(sb, f.respOwner);
    }

    private static void optional(final AsciiLine sb, final long value)
    {
        if (value >= 0)
        {
            sb.append(value);
        }
        sb.append(',');
    }
}
