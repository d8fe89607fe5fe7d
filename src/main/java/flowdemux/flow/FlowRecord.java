package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Addresses;
import flowdemux.util.Hashing;


/**
 * A finished connection, copied out of the flow table when it leaves it: made once per flow, never per packet.
 * "orig" is the originator (Zeek's id.orig_h/id.orig_p), "resp" the responder.
 */
public final class FlowRecord
{
    public final long serial;
    /** The run's uid seed (ConnectionConfig.uidSeed). */
    public final long uidSeed;
    public final long origHi;
    public final long origLo;
    public final int origPort;
    public final long respHi;
    public final long respLo;
    public final int respPort;
    public final int protocol;
    public final long firstNanos;
    public final long lastNanos;
    public final long origPackets;
    public final long respPackets;
    public final long origIpBytes;
    public final long respIpBytes;
    public final long origPayload;
    public final long respPayload;
    /** Zeek's orig_bytes / resp_bytes: sequence space for TCP, UDP payload otherwise. */
    public final long origBytes;
    public final long respBytes;
    public final String connState;
    public final String history;
    public final int origTcpFlags;
    public final int respTcpFlags;
    /** SYN to SYN-ACK and SYN-ACK to ACK, nanoseconds; -1 when the handshake was not seen. */
    public final long rttSynAckNanos;
    public final long rttAckNanos;
    public final int origMss;
    public final int respMss;
    public final int origWindowScale;
    public final int respWindowScale;
    public final boolean origSackPermitted;
    public final boolean respSackPermitted;
    public final long origRetransmits;
    public final long respRetransmits;
    public final int vlan;
    public final boolean flipped;
    public final EndReason endReason;

    /** Bytes acknowledged but never seen (Zeek's missed_bytes). */
    public final long missedBytes;

    private FlowRecord(final FlowTable table, final int flow, final EndReason endReason)
    {
        final long[] s = table.page(flow);
        final int b = FlowTable.base(flow);
        this.uidSeed = table.uidSeed;
        final long flags = s[b + FlowLayout.FLAGS];
        final boolean origIsA = (flags & FlowFlags.ORIG_IS_A) != 0;
        final long portsProto = s[b + FlowLayout.PORTS_PROTO];
        this.serial = s[b + FlowLayout.SERIAL];
        this.origHi = s[b + (origIsA ? FlowLayout.A_HI : FlowLayout.B_HI)];
        this.origLo = s[b + (origIsA ? FlowLayout.A_LO : FlowLayout.B_LO)];
        this.respHi = s[b + (origIsA ? FlowLayout.B_HI : FlowLayout.A_HI)];
        this.respLo = s[b + (origIsA ? FlowLayout.B_LO : FlowLayout.A_LO)];
        this.origPort = origIsA ? FlowLayout.portA(portsProto) : FlowLayout.portB(portsProto);
        this.respPort = origIsA ? FlowLayout.portB(portsProto) : FlowLayout.portA(portsProto);
        this.protocol = FlowLayout.protocol(portsProto);
        this.firstNanos = s[b + FlowLayout.FIRST_TS];
        this.lastNanos = s[b + FlowLayout.LAST_TS];
        this.origPackets = FlowLayout.half(s[b + FlowLayout.PKTS], true);
        this.respPackets = FlowLayout.half(s[b + FlowLayout.PKTS], false);
        this.origIpBytes = s[b + FlowLayout.IP_BYTES_ORIG];
        this.respIpBytes = s[b + FlowLayout.IP_BYTES_RESP];
        this.origPayload = s[b + FlowLayout.PAYLOAD_ORIG];
        this.respPayload = s[b + FlowLayout.PAYLOAD_RESP];
        this.origTcpFlags = FlowFlags.tcpFlags(flags, true);
        this.respTcpFlags = FlowFlags.tcpFlags(flags, false);
        this.history = History.toString(s, b);
        final boolean tcp = protocol == DecodedPacket.PROTO_TCP;
        this.origBytes = tcp ? TcpTracking.size(s, b, true) : origPayload;
        this.respBytes = tcp ? TcpTracking.size(s, b, false) : respPayload;
        this.connState = ConnState.of(protocol, FlowFlags.state(flags, true), FlowFlags.state(flags, false),
            origBytes, respBytes, history, (flags & FlowFlags.ACTIVE_ORIG) != 0, (flags & FlowFlags.ACTIVE_RESP) != 0);
        final long handshake = s[b + FlowLayout.HANDSHAKE];
        this.rttSynAckNanos = FlowLayout.half(handshake, true) - 1;
        this.rttAckNanos = FlowLayout.half(handshake, false) - 1;
        final long o = s[b + FlowLayout.OPTIONS];
        this.origMss = (int)(o & 0xFFFF) == 0 ? -1 : (int)(o & 0xFFFF);
        this.respMss = (int)((o >>> 16) & 0xFFFF) == 0 ? -1 : (int)((o >>> 16) & 0xFFFF);
        this.origWindowScale = (int)((o >>> 32) & 0xFF) - 1;
        this.respWindowScale = (int)((o >>> 40) & 0xFF) - 1;
        this.origSackPermitted = (o & (1L << 48)) != 0;
        this.respSackPermitted = (o & (1L << 49)) != 0;
        this.origRetransmits = FlowLayout.half(s[b + FlowLayout.COUNT_T], true);
        this.respRetransmits = FlowLayout.half(s[b + FlowLayout.COUNT_T], false);
        this.vlan = (int)((s[b + FlowLayout.META] >>> FlowFlags.VLAN_SHIFT) & 0x1FFF) - 1;
        this.flipped = (flags & FlowFlags.FLIPPED) != 0;
        this.missedBytes = s[b + FlowLayout.MISSED_BYTES];
        this.endReason = endReason;
    }

    public static FlowRecord of(final FlowTable table, final int flow, final EndReason endReason)
    {
        return new FlowRecord(table, flow, endReason);
    }

    /**
     * A Zeek-like connection id ("C" + 17 base62 characters), deterministic: derived from the run's seed and the
     * flow's serial (the index of its first packet).
     */
    public static String uid(final long seed, final long serial)
    {
        return appendUid(new StringBuilder(18), seed, serial).toString();
    }

    /** {@link #uid(long, long)} appended to a line: no string per connection. */
    public static StringBuilder appendUid(final StringBuilder sb, final long seed, final long serial)
    {
        final String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        long a = Hashing.mix((serial + 0x5DEECE66DL) ^ Hashing.mix(seed));
        long c = Hashing.mix(a ^ 0x2545F4914F6CDD1DL);
        sb.append('C');
        for (int i = 0; i < 17; i++)
        {
            final long source = i < 9 ? a : c;
            sb.append(alphabet.charAt((int)Long.remainderUnsigned(source, 62)));
            if (i < 9)
            {
                a = Long.divideUnsigned(a, 62);
            }
            else
            {
                c = Long.divideUnsigned(c, 62);
            }
        }
        return sb;
    }

    /** The connection's Zeek-style uid (computed when asked: most records are only counted). */
    public String uid()
    {
        return uid(uidSeed, serial);
    }

    public String origAddress()
    {
        return Addresses.format(origHi, origLo);
    }

    public String respAddress()
    {
        return Addresses.format(respHi, respLo);
    }

    public boolean isIpv4()
    {
        return Addresses.isIpv4(origHi, origLo);
    }

    public String protocolName()
    {
        return protocolName(protocol);
    }

    /** Zeek's transport names: tcp, udp, icmp (ICMPv6 too), unknown_transport. */
    public static String protocolName(final int protocol)
    {
        switch (protocol)
        {
            case DecodedPacket.PROTO_TCP: return "tcp";
            case DecodedPacket.PROTO_UDP: return "udp";
            case DecodedPacket.PROTO_ICMP:
            case DecodedPacket.PROTO_ICMPV6: return "icmp";
            default: return "unknown_transport";
        }
    }

    /**
     * ICMP: whether the responder's "port" is the counterpart type of the originator's type (echo 8 and reply 0),
     * rather than the code of a one-way message (Zeek's key, IcmpKeys).
     */
    public boolean icmpResponderIsType()
    {
        final boolean v6 = protocol == DecodedPacket.PROTO_ICMPV6;
        return IcmpKeys.counterpart(v6, origPort) == respPort;
    }

    public boolean hasPorts()
    {
        final String p = protocolName();
        return !"unknown_transport".equals(p);
    }

    public long durationNanos()
    {
        return lastNanos - firstNanos;
    }

    public long packets()
    {
        return origPackets + respPackets;
    }

    public long ipBytes()
    {
        return origIpBytes + respIpBytes;
    }

    /** A server answered: a SYN-ACK for TCP, any reply for UDP. */
    public boolean responderAnswered()
    {
        return respPackets > 0 && (protocol != DecodedPacket.PROTO_TCP || (respTcpFlags & DecodedPacket.SYN) != 0
            || !"REJ".equals(connState));
    }
}
