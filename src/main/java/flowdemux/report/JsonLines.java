package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.FlowRecord;
import flowdemux.util.Addresses;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * {@code --format jsonl}: one JSON object per connection and line, in order of first packet, as Zeek writes its
 * JSON logs; also the one writer of a connection object, which the JSON report embeds. Every field is a number,
 * a boolean, null or ASCII text without quotes or backslashes (addresses, uid, history, names), except what
 * service detection kept from payload, which {@link Escapes#json} escapes. Times: {@code ts} is Zeek's float seconds; {@code ts_ns} the exact nanoseconds as a string, because
 * integers above 2^53 lose digits in JavaScript and jq.
 */
public final class JsonLines implements ReportFormat, RecordLine
{
    private final LocalNets localNets;

    public JsonLines(final LocalNets localNets)
    {
        this.localNets = localNets;
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
        writeLines(r, out);
        out.flush();
    }

    @Override
    public void append(final FlowRecord f, final AsciiLine sb)
    {
        appendConnection(f, localNets, sb);
    }

    /** The connection as one JSON object, without a newline. */
    public static void appendConnection(final FlowRecord f, final LocalNets localNets, final AsciiLine sb)
    {
        sb.append("{\"ts\":");
        Formats.appendEpochSeconds(sb, f.firstNanos, 6);
        sb.append(",\"ts_ns\":\"").append(f.firstNanos).append('"');
        sb.append(",\"uid\":\"");
        FlowRecord.appendUid(sb, f.uidSeed, f.serial).append('"');
        sb.append(",\"duration\":");
        Formats.appendZeekInterval(sb, f.durationNanos());
        sb.append(",\"duration_ns\":").append(f.durationNanos());
        sb.append(",\"orig_h\":\"");
        Addresses.append(sb, f.origHi, f.origLo).append("\",\"orig_p\":").append(f.origPort);
        sb.append(",\"resp_h\":\"");
        Addresses.append(sb, f.respHi, f.respLo).append("\",\"resp_p\":").append(f.respPort);
        sb.append(",\"proto\":\"").append(f.protocolName()).append("\",\"ip_proto\":").append(f.protocol);
        sb.append(",\"community_id\":\"");
        flowdemux.flow.CommunityId.append(sb, f, f.communityIdSeed).append('"');
        final String service = f.serviceNames();
        sb.append(",\"service\":");
        if (service == null)
        {
            sb.append("null");
        }
        else
        {
            sb.append('"').append(service).append('"');
        }
        appendNote(sb, f);
        sb.append(",\"conn_state\":\"").append(f.connState).append("\",\"history\":\"").append(f.history).append('"');
        if (localNets != null)
        {
            sb.append(",\"local_orig\":").append(localNets.contains(f.origHi, f.origLo));
            sb.append(",\"local_resp\":").append(localNets.contains(f.respHi, f.respLo));
        }
        OwnerFields.json(sb, "orig_process", f.origOwner);
        OwnerFields.json(sb, "resp_process", f.respOwner);
        field(sb, "orig_pkts", f.origPackets);
        field(sb, "resp_pkts", f.respPackets);
        field(sb, "orig_ip_bytes", f.origIpBytes);
        field(sb, "resp_ip_bytes", f.respIpBytes);
        field(sb, "orig_payload_bytes", f.origPayload);
        field(sb, "resp_payload_bytes", f.respPayload);
        field(sb, "orig_bytes", f.origBytes);
        field(sb, "resp_bytes", f.respBytes);
        field(sb, "missed_bytes", f.missedBytes);
        nullable(sb, "rtt_syn_synack_ns", f.rttSynAckNanos);
        nullable(sb, "rtt_synack_ack_ns", f.rttAckNanos);
        nullable(sb, "orig_mss", f.origMss);
        nullable(sb, "resp_mss", f.respMss);
        nullable(sb, "orig_wscale", f.origWindowScale);
        nullable(sb, "resp_wscale", f.respWindowScale);
        sb.append(",\"orig_sack_permitted\":").append(f.origSackPermitted);
        sb.append(",\"resp_sack_permitted\":").append(f.respSackPermitted);
        field(sb, "orig_retransmits", f.origRetransmits);
        field(sb, "resp_retransmits", f.respRetransmits);
        nullable(sb, "vlan", f.vlan);
        if (f.tunnelParentCount > 0)
        {
            // Inside tunnels (present only then): Zeek's tunnel_parents, and the innermost tunnel's type and id.
            sb.append(",\"tunnel_parents\":[");
            for (int i = 0; i < f.tunnelParentCount; i++)
            {
                sb.append(i == 0 ? "\"" : ",\"");
                FlowRecord.appendUid(sb, f.uidSeed, f.tunnelParents[i]).append('"');
            }
            sb.append("],\"tunnel\":{\"type\":\"").append(flowdemux.decode.Tunnel.name(f.tunnelType)).append('"');
            nullable(sb, "id", f.tunnelId);
            sb.append('}');
        }
        sb.append(",\"end\":\"").append(f.endReason.name().toLowerCase(Locale.ROOT)).append("\"}");
    }

    /** What detection kept, as "service_detail": {"server_name": ..., "alpn": ..., "ja4": ...}, escaped; nothing if none. */
    private static void appendNote(final AsciiLine sb, final FlowRecord f)
    {
        final int kind = f.noteKind();
        if (kind == flowdemux.service.ServiceNotes.NONE)
        {
            return;
        }
        final String[] names = flowdemux.service.ServiceNotes.fieldNames(kind);
        boolean first = true;
        sb.append(",\"service_detail\":{");
        for (int i = 0; i < flowdemux.service.ServiceNotes.FIELDS; i++)
        {
            final String value = f.noteText(i);
            if (names[i] != null && value != null)
            {
                sb.append(first ? "\"" : ",\"").append(names[i]).append("\":\"");
                Escapes.json(sb, value).append('"');
                first = false;
            }
        }
        sb.append('}');
    }

    private static void field(final AsciiLine sb, final String name, final long value)
    {
        sb.append(",\"").append(name).append("\":").append(value);
    }

    private static void nullable(final AsciiLine sb, final String name, final long value)
    {
        sb.append(",\"").append(name).append("\":");
        if (value < 0)
        {
            sb.append("null");
        }
        else
        {
            sb.append(value);
        }
    }
}
