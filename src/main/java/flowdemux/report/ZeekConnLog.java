package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.flow.FlowRecord;
import flowdemux.service.ServiceId;
import flowdemux.util.Addresses;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** A conn.log in Zeek's TSV layout: its header lines, field order and unset marks. */
public final class ZeekConnLog implements ReportFormat, RecordLine
{
    public static final String FIELDS = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
        + "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
        + "resp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto";
    public static final String TYPES = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
        + "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss").withZone(ZoneOffset.UTC);

    /** Columns beyond Zeek's, with --zeek-extra. */
    public static final String EXTRA_FIELDS = "\tts_ns\tduration_ns\trtt_syn_synack\trtt_synack_ack\torig_retransmits"
        + "\tresp_retransmits\torig_mss\tresp_mss\torig_wscale\tresp_wscale\torig_sack\tresp_sack\tja4\tja3";
    public static final String EXTRA_TYPES = "\tcount\tcount\tinterval\tinterval\tcount\tcount\tcount\tcount\tcount"
        + "\tcount\tbool\tbool\tstring\tstring";

    private final LocalNets localNets;
    private final boolean extra;
    private final boolean communityId;

    public ZeekConnLog(final LocalNets localNets, final boolean extra)
    {
        this(localNets, extra, false);
    }

    /** {@code communityId}: the column Zeek's policy community-id-logging adds after its own (--community-id). */
    public ZeekConnLog(final LocalNets localNets, final boolean extra, final boolean communityId)
    {
        this.localNets = localNets;
        this.extra = extra;
        this.communityId = communityId;
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
        // Zeek stamps #open/#close with wall time; capture time keeps the output reproducible.
        final long openNanos = r.stats.packets > 0 ? r.stats.firstNanos : 0;
        final long closeNanos = r.stats.packets > 0 ? r.stats.lastNanos : 0;
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n");
        out.write("#open\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(openNanos, 1_000_000_000L))) + "\n");
        out.write("#fields\t" + FIELDS + (communityId ? "\tcommunity_id" : "") + (extra ? EXTRA_FIELDS : "") + "\n");
        out.write("#types\t" + TYPES + (communityId ? "\tstring" : "") + (extra ? EXTRA_TYPES : "") + "\n");
        writeLines(r, out);
        writeClose(out, closeNanos);
    }

    @Override
    public void append(final FlowRecord f, final AsciiLine sb)
    {
        final boolean hasDuration = f.durationNanos() > 0;
        Formats.appendEpochSeconds(sb, f.firstNanos, 6).append('\t');
        FlowRecord.appendUid(sb, f.uidSeed, f.serial).append('\t');
        Addresses.append(sb, f.origHi, f.origLo).append('\t').append(f.origPort).append('\t');
        Addresses.append(sb, f.respHi, f.respLo).append('\t').append(f.respPort).append('\t')
            .append(f.protocolName()).append('\t');
        ServiceId.append(sb, f.services, "-").append('\t');
        if (hasDuration)
        {
            Formats.appendZeekInterval(sb, f.durationNanos()).append('\t')
                .append(f.origBytes).append('\t').append(f.respBytes).append('\t');
        }
        else
        {
            sb.append("-\t-\t-\t");
        }
        sb.append(f.connState).append('\t')
            .append(localNets.contains(f.origHi, f.origLo) ? 'T' : 'F').append('\t')
            .append(localNets.contains(f.respHi, f.respLo) ? 'T' : 'F').append('\t')
            .append(f.missedBytes).append('\t')
            .append(f.history.isEmpty() ? "-" : f.history).append('\t')
            .append(f.origPackets).append('\t').append(f.origIpBytes).append('\t')
            .append(f.respPackets).append('\t').append(f.respIpBytes).append('\t');
        f.appendTunnelParents(sb).append('\t').append(f.protocol);
        if (communityId)
        {
            flowdemux.flow.CommunityId.append(sb.append('\t'), f, f.communityIdSeed);
        }
        if (extra)
        {
            sb.append('\t').append(f.firstNanos).append('\t').append(f.durationNanos()).append('\t');
            interval(sb, f.rttSynAckNanos);
            interval(sb, f.rttAckNanos);
            sb.append(f.origRetransmits).append('\t').append(f.respRetransmits).append('\t');
            count(sb, f.origMss);
            count(sb, f.respMss);
            count(sb, f.origWindowScale);
            count(sb, f.respWindowScale);
            sb.append(f.origSackPermitted ? 'T' : 'F').append('\t').append(f.respSackPermitted ? 'T' : 'F');
            // The TLS client's fingerprints (hex and ASCII by construction, nothing to escape).
            final boolean tls = f.noteKind() == flowdemux.service.ServiceNotes.TLS;
            final String ja4 = tls ? f.noteText(2) : null;
            final String ja3 = tls ? f.noteText(3) : null;
            sb.append('\t').append(ja4 == null ? "-" : ja4).append('\t').append(ja3 == null ? "-" : ja3);
        }
    }

    private static void interval(final AsciiLine sb, final long nanos)
    {
        if (nanos < 0)
        {
            sb.append('-');
        }
        else
        {
            Formats.appendZeekInterval(sb, nanos);
        }
        sb.append('\t');
    }

    private static void count(final AsciiLine sb, final long value)
    {
        if (value < 0)
        {
            sb.append('-');
        }
        else
        {
            sb.append(value);
        }
        sb.append('\t');
    }

    private static void writeClose(final Writer out, final long closeNanos) throws IOException
    {
        out.write("#close\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(closeNanos, 1_000_000_000L))) + "\n");
        out.flush();
    }
}
