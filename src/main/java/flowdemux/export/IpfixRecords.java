package flowdemux.export;

import flowdemux.decode.Tunnel;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.util.AsciiLine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * IPFIX (RFC 7011) templates and data records of connections, as biflows (RFC 5103): forward is originator to
 * responder. Four templates: IPv4 and IPv6 with ports (TCP, UDP, other), and ICMP for each with its type and code.
 * Besides the standard elements, Zeek's view of the connection goes in enterprise elements of {@link #pen}, with
 * the tunnels around it (tunnel_parents, the immediate tunnel's type and identifier; a VXLAN segment also as IANA's
 * layer2SegmentId).
 * Writes into the caller's buffer; allocates nothing but the bytes of a history or uid string.
 */
final class IpfixRecords
{
    static final int TEMPLATE_IPV4 = 256;
    static final int TEMPLATE_IPV6 = 257;
    static final int TEMPLATE_ICMPV4 = 258;
    static final int TEMPLATE_ICMPV6 = 259;
    /** RFC 5103's reverse information elements live under this Private Enterprise Number. */
    static final int REVERSE_PEN = 29305;
    /** The placeholder PEN for flowdemux's own elements: RFC 5612's number for documentation and examples. */
    static final int EXAMPLE_PEN = 32473;
    static final int VARIABLE = 65535;

    // IANA information elements.
    static final int OCTET_DELTA_COUNT = 1;
    static final int PACKET_DELTA_COUNT = 2;
    static final int PROTOCOL_IDENTIFIER = 4;
    static final int TCP_CONTROL_BITS = 6;
    static final int SOURCE_TRANSPORT_PORT = 7;
    static final int SOURCE_IPV4_ADDRESS = 8;
    static final int DESTINATION_TRANSPORT_PORT = 11;
    static final int DESTINATION_IPV4_ADDRESS = 12;
    static final int SOURCE_IPV6_ADDRESS = 27;
    static final int DESTINATION_IPV6_ADDRESS = 28;
    static final int ICMP_TYPE_CODE_IPV4 = 32;
    static final int FLOW_END_REASON = 136;
    static final int ICMP_TYPE_CODE_IPV6 = 139;
    static final int FLOW_START_MILLISECONDS = 152;
    static final int FLOW_END_MILLISECONDS = 153;
    static final int FLOW_START_NANOSECONDS = 156;
    static final int FLOW_END_NANOSECONDS = 157;
    static final int BIFLOW_DIRECTION = 239;
    /** The overlay segment: the encapsulation in the top byte (1 VXLAN, 2 NVGRE), its segment id below; 0 none. */
    static final int LAYER2_SEGMENT_ID = 351;
    static final long SEGMENT_VXLAN = 1L << 56;

    // flowdemux's elements (under the settable PEN).
    static final int CONN_STATE = 1;
    static final int HISTORY = 2;
    static final int ORIG_PAYLOAD_BYTES = 3;
    static final int RESP_PAYLOAD_BYTES = 4;
    static final int MISSED_BYTES = 5;
    static final int RTT_SYN_SYNACK_NANOS = 6;
    static final int RTT_SYNACK_ACK_NANOS = 7;
    static final int UID = 8;
    /** Zeek's tunnel_parents: the uids of the tunnels around the connection, comma-separated; empty for none. */
    static final int TUNNEL_PARENTS = 9;
    /** The immediate tunnel's type as tunnel.log names it (Tunnel::VXLAN ...); empty for none. */
    static final int TUNNEL_TYPE = 10;
    /** The immediate tunnel's identifier (VNI, TEID, GRE key, ERSPAN session); all ones for none. */
    static final int TUNNEL_ID = 11;

    // flowEndReason values (IANA).
    static final int IDLE_TIMEOUT = 1;
    static final int ACTIVE_TIMEOUT = 2;
    static final int END_OF_FLOW_DETECTED = 3;
    static final int FORCED_END = 4;
    static final int LACK_OF_RESOURCES = 5;

    /** Seconds from the NTP epoch (1900) to the Unix epoch, for dateTimeNanoseconds. */
    private static final long NTP_OFFSET_SECONDS = 2_208_988_800L;
    /** RTT not measured: all ones. */
    static final long UNKNOWN = -1L;

    private final int pen;

    IpfixRecords(final int pen)
    {
        this.pen = pen;
    }

    /** Which template a connection is written with. */
    static int templateOf(final FlowRecord r)
    {
        final boolean icmp = r.protocol == 1 || r.protocol == 58;
        if (r.isIpv4())
        {
            return icmp ? TEMPLATE_ICMPV4 : TEMPLATE_IPV4;
        }
        return icmp ? TEMPLATE_ICMPV6 : TEMPLATE_IPV6;
    }

    /** The fields of a template: {element id, length, enterprise number or 0} each. */
    int[][] fields(final int template)
    {
        final boolean v4 = template == TEMPLATE_IPV4 || template == TEMPLATE_ICMPV4;
        final boolean icmp = template == TEMPLATE_ICMPV4 || template == TEMPLATE_ICMPV6;
        final java.util.List<int[]> f = new java.util.ArrayList<>();
        f.add(new int[] {v4 ? SOURCE_IPV4_ADDRESS : SOURCE_IPV6_ADDRESS, v4 ? 4 : 16, 0});
        f.add(new int[] {v4 ? DESTINATION_IPV4_ADDRESS : DESTINATION_IPV6_ADDRESS, v4 ? 4 : 16, 0});
        if (icmp)
        {
            f.add(new int[] {v4 ? ICMP_TYPE_CODE_IPV4 : ICMP_TYPE_CODE_IPV6, 2, 0});
        }
        else
        {
            f.add(new int[] {SOURCE_TRANSPORT_PORT, 2, 0});
            f.add(new int[] {DESTINATION_TRANSPORT_PORT, 2, 0});
        }
        f.add(new int[] {PROTOCOL_IDENTIFIER, 1, 0});
        f.add(new int[] {TCP_CONTROL_BITS, 2, 0});
        f.add(new int[] {FLOW_START_MILLISECONDS, 8, 0});
        f.add(new int[] {FLOW_END_MILLISECONDS, 8, 0});
        f.add(new int[] {FLOW_START_NANOSECONDS, 8, 0});
        f.add(new int[] {FLOW_END_NANOSECONDS, 8, 0});
        f.add(new int[] {OCTET_DELTA_COUNT, 8, 0});
        f.add(new int[] {PACKET_DELTA_COUNT, 8, 0});
        f.add(new int[] {OCTET_DELTA_COUNT, 8, REVERSE_PEN});
        f.add(new int[] {PACKET_DELTA_COUNT, 8, REVERSE_PEN});
        f.add(new int[] {FLOW_END_REASON, 1, 0});
        f.add(new int[] {BIFLOW_DIRECTION, 1, 0});
        f.add(new int[] {ORIG_PAYLOAD_BYTES, 8, pen});
        f.add(new int[] {RESP_PAYLOAD_BYTES, 8, pen});
        f.add(new int[] {MISSED_BYTES, 8, pen});
        f.add(new int[] {RTT_SYN_SYNACK_NANOS, 8, pen});
        f.add(new int[] {RTT_SYNACK_ACK_NANOS, 8, pen});
        f.add(new int[] {CONN_STATE, VARIABLE, pen});
        f.add(new int[] {HISTORY, VARIABLE, pen});
        f.add(new int[] {UID, VARIABLE, pen});
        f.add(new int[] {LAYER2_SEGMENT_ID, 8, 0});
        f.add(new int[] {TUNNEL_ID, 8, pen});
        f.add(new int[] {TUNNEL_TYPE, VARIABLE, pen});
        f.add(new int[] {TUNNEL_PARENTS, VARIABLE, pen});
        return f.toArray(new int[0][]);
    }

    /** A template set with all four templates. */
    void writeTemplateSet(final ByteBuffer out)
    {
        final int start = out.position();
        out.putShort((short)2).putShort((short)0);
        for (final int t : new int[] {TEMPLATE_IPV4, TEMPLATE_IPV6, TEMPLATE_ICMPV4, TEMPLATE_ICMPV6})
        {
            final int[][] fields = fields(t);
            out.putShort((short)t).putShort((short)fields.length);
            for (final int[] f : fields)
            {
                if (f[2] == 0)
                {
                    out.putShort((short)f[0]).putShort((short)f[1]);
                }
                else
                {
                    out.putShort((short)(0x8000 | f[0])).putShort((short)f[1]).putInt(f[2]);
                }
            }
        }
        out.putShort(start + 2, (short)(out.position() - start));
    }

    /** The largest template set: what a message must have room for besides its data. */
    int templateSetLength()
    {
        final ByteBuffer b = ByteBuffer.allocate(4096);
        writeTemplateSet(b);
        return b.position();
    }

    /**
     * Writes one data record (without a set header).
     *
     * @param octets  {forward octets, forward packets, reverse octets, reverse packets} to send (deltas)
     */
    void writeRecord(final ByteBuffer out, final FlowRecord r, final long[] counts, final byte[] connState,
        final byte[] history, final byte[] uid, final byte[] tunnelType, final byte[] tunnelParents)
    {
        final int template = templateOf(r);
        final boolean v4 = template == TEMPLATE_IPV4 || template == TEMPLATE_ICMPV4;
        final boolean icmp = template == TEMPLATE_ICMPV4 || template == TEMPLATE_ICMPV6;
        if (v4)
        {
            out.putInt((int)r.origLo).putInt((int)r.respLo);
        }
        else
        {
            out.putLong(r.origHi).putLong(r.origLo).putLong(r.respHi).putLong(r.respLo);
        }
        if (icmp)
        {
            // Zeek keys ICMP by type and, as the responder's "port", the code or the counterpart type (echo).
            final int code = r.icmpResponderIsType() ? 0 : r.respPort;
            out.putShort((short)((r.origPort & 0xff) << 8 | code & 0xff));
        }
        else
        {
            out.putShort((short)r.origPort).putShort((short)r.respPort);
        }
        out.put((byte)r.protocol);
        out.putShort((short)((r.origTcpFlags | r.respTcpFlags) & 0xfff));
        out.putLong(Math.floorDiv(r.firstNanos, 1_000_000L));
        out.putLong(Math.floorDiv(r.lastNanos, 1_000_000L));
        out.putLong(ntp(r.firstNanos));
        out.putLong(ntp(r.lastNanos));
        out.putLong(counts[0]).putLong(counts[1]).putLong(counts[2]).putLong(counts[3]);
        out.put((byte)endReason(r));
        out.put((byte)1); // biflowDirection: initiator (the originator is the forward direction)
        out.putLong(r.origPayload).putLong(r.respPayload).putLong(r.missedBytes);
        out.putLong(r.rttSynAckNanos < 0 ? UNKNOWN : r.rttSynAckNanos);
        out.putLong(r.rttAckNanos < 0 ? UNKNOWN : r.rttAckNanos);
        putVariable(out, connState);
        putVariable(out, history);
        putVariable(out, uid);
        final boolean vxlan = r.tunnelType == Tunnel.VXLAN && r.tunnelId >= 0;
        out.putLong(vxlan ? SEGMENT_VXLAN | r.tunnelId & 0xff_ffffL : 0);
        out.putLong(r.tunnelType == Tunnel.NONE || r.tunnelId < 0 ? UNKNOWN : r.tunnelId);
        putVariable(out, tunnelType);
        putVariable(out, tunnelParents);
    }

    /** tunnel.log's name of the connection's immediate tunnel, nothing for none. */
    static byte[] tunnelType(final FlowRecord r)
    {
        return r.tunnelType == Tunnel.NONE ? new byte[0] : ascii(Tunnel.zeekName(r.tunnelType));
    }

    /** The uids of the connection's tunnel parents, comma-separated, nothing for none. */
    static byte[] tunnelParents(final FlowRecord r)
    {
        if (r.tunnelParentCount == 0)
        {
            return new byte[0];
        }
        final AsciiLine line = new AsciiLine(64);
        r.appendTunnelParents(line);
        return ascii(line.toString());
    }

    /** The most bytes {@link #writeRecord} writes for a connection with these strings. */
    static int recordLength(final byte[] connState, final byte[] history, final byte[] uid, final byte[] tunnelType,
        final byte[] tunnelParents)
    {
        return 16 + 16 + 4 + 1 + 2 + 32 + 32 + 2 + 40 + variableLength(connState) + variableLength(history)
            + variableLength(uid) + 16 + variableLength(tunnelType) + variableLength(tunnelParents);
    }

    static byte[] ascii(final String s)
    {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 7011's flowEndReason for why (and how) the connection ended. */
    static int endReason(final FlowRecord r)
    {
        final EndReason reason = r.endReason;
        if (reason == EndReason.ACTIVE)
        {
            return ACTIVE_TIMEOUT;
        }
        if (reason == EndReason.EVICTED)
        {
            return LACK_OF_RESOURCES;
        }
        if (reason == EndReason.END_OF_INPUT)
        {
            return FORCED_END;
        }
        if (reason == EndReason.REUSE)
        {
            return END_OF_FLOW_DETECTED;
        }
        final String s = r.connState;
        final boolean closed = "SF".equals(s) || "REJ".equals(s) || (s != null && s.startsWith("RST"));
        return closed && r.protocol == 6 ? END_OF_FLOW_DETECTED : IDLE_TIMEOUT;
    }

    /** dateTimeNanoseconds: NTP time, seconds since 1900 in the high half and a binary fraction in the low half. */
    static long ntp(final long unixNanos)
    {
        final long seconds = Math.floorDiv(unixNanos, 1_000_000_000L);
        final long nanos = Math.floorMod(unixNanos, 1_000_000_000L);
        // Rounded up, so that a reader truncating the fraction back to nanoseconds gets the same nanosecond.
        final long fraction = ((nanos << 32) + 999_999_999L) / 1_000_000_000L;
        return (seconds + NTP_OFFSET_SECONDS) << 32 | fraction;
    }

    private static void putVariable(final ByteBuffer out, final byte[] value)
    {
        if (value.length < 255)
        {
            out.put((byte)value.length);
        }
        else
        {
            out.put((byte)255).putShort((short)value.length);
        }
        out.put(value);
    }

    private static int variableLength(final byte[] value)
    {
        return (value.length < 255 ? 1 : 3) + value.length;
    }
}
