package flowdemux.flow;

import flowdemux.service.ServiceId;
import flowdemux.service.ServiceInspector;
import flowdemux.service.ServiceNotes;

import flowdemux.util.AsciiLine;
import flowdemux.decode.DecodedPacket;
import flowdemux.util.Addresses;
import flowdemux.util.Hashing;

import java.nio.charset.StandardCharsets;


/**
 * A finished connection, copied out of the flow table when it leaves it: made once per flow, never per packet.
 * "orig" is the originator (Zeek's id.orig_h/id.orig_p), "resp" the responder.
 */
public final class FlowRecord implements Cloneable
{
    public long serial;
    /** The run's uid seed (ConnectionConfig.uidSeed). */
    public long uidSeed;
    /** The run's Community ID seed (ConnectionConfig.communityIdSeed). */
    public int communityIdSeed;
    public long origHi;
    public long origLo;
    public int origPort;
    public long respHi;
    public long respLo;
    public int respPort;
    public int protocol;
    public long firstNanos;
    public long lastNanos;
    public long origPackets;
    public long respPackets;
    public long origIpBytes;
    public long respIpBytes;
    public long origPayload;
    public long respPayload;
    /** Zeek's orig_bytes / resp_bytes: sequence space for TCP, UDP payload otherwise. */
    public long origBytes;
    public long respBytes;
    public String connState;
    /** {@link #connState} as its code ({@link ConnState#SF}, ...), which is what is counted. */
    public int connStateCode;
    public String history;
    public int origTcpFlags;
    public int respTcpFlags;
    /** SYN to SYN-ACK and SYN-ACK to ACK, nanoseconds; -1 when the handshake was not seen. */
    public long rttSynAckNanos;
    public long rttAckNanos;
    public int origMss;
    public int respMss;
    public int origWindowScale;
    public int respWindowScale;
    public boolean origSackPermitted;
    public boolean respSackPermitted;
    public long origRetransmits;
    public long respRetransmits;
    public int vlan;
    public boolean flipped;
    public EndReason endReason;

    /** Bytes acknowledged but never seen (Zeek's missed_bytes). */
    public long missedBytes;
    /** Services detected from payload (service.ServiceId bits), 0 = none. */
    public int services;
    /**
     * For a connection inside tunnels: the serials (uid keys) of the tunnels its packets came in, Zeek's tunnel_parents,
     * the first {@link #tunnelParentCount} of {@link #tunnelParents}; the immediate tunnel's type and identifier
     * (decode.Tunnel; VNI, TEID, GRE key or ERSPAN session, -1 for none). 0 parents and Tunnel.NONE otherwise.
     */
    public long[] tunnelParents = new long[2];
    public int tunnelParentCount;
    public int tunnelType;
    public long tunnelId;
    /**
     * Who owns the originator's and the responder's endpoint on this host (a live capture's process attribution, or
     * read back from the pcapng it wrote); null where the endpoint is not local or attribution is off.
     */
    public flowdemux.host.Owner origOwner;
    public flowdemux.host.Owner respOwner;
    /** What detection kept (a copy of its ServiceNotes slot), meaningful when {@link #noteKind} is not NONE. */
    private byte[] note = new byte[ServiceNotes.SLOT];

    /** Strings of the histories seen, when this record is refilled for every connection (else null). */
    private final History.Names historyNames;
    /** The view of the slot being copied out. */
    private FlowSlot slot = new FlowSlot();

    private FlowRecord(final History.Names historyNames)
    {
        this.historyNames = historyNames;
    }

    /**
     * A record to {@link #fill} again for every connection a worker ends: nothing is allocated per connection but
     * the history text of a history not seen before. Whoever keeps a connection beyond the call keeps a {@link #copy}.
     */
    public static FlowRecord reusable()
    {
        return new FlowRecord(new History.Names());
    }

    /**
     * The serial of tunnel {@code instance}, once: Zeek's tunnel_parents names the innermost tunnel of each packet
     * (conn/main.zeek adds {@code c$tunnel[|c$tunnel| - 1]$uid}), not the ones around it.
     */
    private void addTunnels(final TunnelRegistry tunnels, final int instance)
    {
        if (instance == 0)
        {
            return;
        }
        final long serial = tunnels.serial(instance);
        for (int i = 0; i < tunnelParentCount; i++)
        {
            if (tunnelParents[i] == serial)
            {
                return;
            }
        }
        if (tunnelParentCount < tunnelParents.length)
        {
            tunnelParents[tunnelParentCount++] = serial;
        }
    }

    /** Zeek's tunnel_parents: the uids of the tunnels around the connection, comma-separated; "-" for none. */
    public AsciiLine appendTunnelParents(final AsciiLine sb)
    {
        if (tunnelParentCount == 0)
        {
            return sb.append('-');
        }
        for (int i = 0; i < tunnelParentCount; i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            appendUid(sb, uidSeed, tunnelParents[i]);
        }
        return sb;
    }

    /** A copy to keep (the fields are values and immutable strings). */
    public FlowRecord copy()
    {
        try
        {
            final FlowRecord copy = (FlowRecord)clone();
            copy.note = note.clone();
            copy.tunnelParents = tunnelParents.clone();
            copy.slot = new FlowSlot();
            return copy;
        }
        catch (CloneNotSupportedException e)
        {
            throw new AssertionError(e);
        }
    }

    /** Copies the connection out of its slot into this record. */
    public FlowRecord fill(final FlowTable table, final int flow, final EndReason endReason)
    {
        final FlowSlot f = slot.wrap(table, flow);
        uidSeed = table.uidSeed;
        communityIdSeed = table.communityIdSeed;
        final long flags = f.flags();
        serial = f.serial();
        origOwner = null;
        respOwner = null;
        origHi = f.addressHi(true);
        origLo = f.addressLo(true);
        respHi = f.addressHi(false);
        respLo = f.addressLo(false);
        origPort = f.port(true);
        respPort = f.port(false);
        protocol = f.protocol();
        firstNanos = f.firstTs();
        lastNanos = f.lastTs();
        origPackets = f.packets(true);
        respPackets = f.packets(false);
        origIpBytes = f.ipBytes(true);
        respIpBytes = f.ipBytes(false);
        origPayload = f.payloadBytes(true);
        respPayload = f.payloadBytes(false);
        origTcpFlags = FlowFlags.tcpFlags(flags, true);
        respTcpFlags = FlowFlags.tcpFlags(flags, false);
        history = historyNames != null ? historyNames.of(f) : History.toString(f);
        final boolean tcp = protocol == DecodedPacket.PROTO_TCP;
        origBytes = tcp ? TcpSequence.size(f, true) : origPayload;
        respBytes = tcp ? TcpSequence.size(f, false) : respPayload;
        connStateCode = ConnState.of(protocol, FlowFlags.state(flags, true), FlowFlags.state(flags, false),
            origBytes, respBytes, history, (flags & FlowFlags.ACTIVE_ORIG) != 0, (flags & FlowFlags.ACTIVE_RESP) != 0);
        connState = ConnState.name(connStateCode);
        rttSynAckNanos = f.synAckDelay();
        rttAckNanos = f.ackDelay();
        origMss = f.mss(true);
        respMss = f.mss(false);
        origWindowScale = f.windowScaleOption(true);
        respWindowScale = f.windowScaleOption(false);
        origSackPermitted = f.sackPermitted(true);
        respSackPermitted = f.sackPermitted(false);
        origRetransmits = f.events(History.T, true);
        respRetransmits = f.events(History.T, false);
        vlan = (int)((f.meta() >>> FlowFlags.VLAN_SHIFT) & 0x1FFF) - 1;
        flipped = (flags & FlowFlags.FLIPPED) != 0;
        missedBytes = f.missedBytes();
        final long service = f.serviceState();
        services = ServiceInspector.services(service);
        final int slot = ServiceInspector.note(service);
        if (slot >= 0)
        {
            table.serviceNotes().copy(slot, note);
        }
        else
        {
            note[0] = ServiceNotes.NONE;
        }
        this.endReason = endReason;
        tunnelParentCount = 0;
        tunnelType = 0;
        tunnelId = -1;
        final long parents = table.tunnelParents(flow, flags);
        if (parents != 0 && table.tunnels != null)
        {
            final TunnelRegistry tunnels = table.tunnels;
            final int first = (int)parents;
            tunnelType = tunnels.type(first);
            tunnelId = tunnels.id(first);
            addTunnels(tunnels, first);
            addTunnels(tunnels, (int)(parents >>> 32));
        }
        return this;
    }

    /** The services as Zeek writes them ("ftp,ssl"), or null. */
    public String serviceNames()
    {
        return ServiceId.names(services);
    }

    /** The kind of what detection kept (ServiceNotes.TLS, HTTP, SSH, DNS, GREETING) or NONE. */
    public int noteKind()
    {
        return ServiceNotes.kind(note);
    }

    /** Field A or B of what detection kept (untrusted bytes, one char each), or null. */
    public String noteText(final boolean a)
    {
        return noteText(a ? 0 : 1);
    }

    /** Field {@code field} (0-3, ServiceNotes.fieldNames) of what detection kept, or null. */
    public String noteText(final int field)
    {
        return noteKind() == ServiceNotes.NONE ? null : ServiceNotes.text(note, field);
    }

    public static FlowRecord of(final FlowTable table, final int flow, final EndReason endReason)
    {
        return new FlowRecord(null).fill(table, flow, endReason);
    }

    /**
     * A Zeek-like connection id ("C" + 17 base62 characters), deterministic: derived from the run's seed and the
     * flow's serial (the index of its first packet).
     */
    public static String uid(final long seed, final long serial)
    {
        return appendUid(new AsciiLine(18), seed, serial).toString();
    }

    /** Zeek's uid alphabet: base-62 digits. */
    private static final byte[] ALPHABET =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
    /** Two base-62 digits for each remainder below 62 * 62, low digit first, so that a uid takes 9 divisions, not 17. */
    private static final byte[] DIGIT_PAIRS = new byte[2 * 62 * 62];

    static
    {
        for (int r = 0; r < 62 * 62; r++)
        {
            DIGIT_PAIRS[2 * r] = ALPHABET[r % 62];
            DIGIT_PAIRS[2 * r + 1] = ALPHABET[r / 62];
        }
    }

    /** {@link #uid(long, long)} appended to a line: no string per connection. */
    public static AsciiLine appendUid(final AsciiLine sb, final long seed, final long serial)
    {
        final long a = Hashing.mix((serial + 0x5DEECE66DL) ^ Hashing.mix(seed));
        final long c = Hashing.mix(a ^ 0x2545F4914F6CDD1DL);
        sb.append('C');
        appendBase62(sb, a, 9);
        appendBase62(sb, c, 8);
        return sb;
    }

    /**
     * The lowest {@code digits} (at least 2) base-62 digits of {@code v} read as unsigned, lowest first, two a
     * division. The first quotient is unsigned (v = 2m + b gives v / 3844 = m / 1922, as 2(m mod 1922) + b is at most
     * 3843), after which every value is non-negative; JDK 17's divideUnsigned makes two BigIntegers for a dividend
     * with its top bit set.
     */
    static void appendBase62(final AsciiLine sb, final long v, final int digits)
    {
        long q = (v >>> 1) / 1922;
        int r = (int)(v - q * 3844);
        sb.append((char)DIGIT_PAIRS[2 * r]).append((char)DIGIT_PAIRS[2 * r + 1]);
        long rest = q;
        int left = digits - 2;
        for (; left >= 2; left -= 2)
        {
            q = rest / 3844;
            r = (int)(rest - q * 3844);
            sb.append((char)DIGIT_PAIRS[2 * r]).append((char)DIGIT_PAIRS[2 * r + 1]);
            rest = q;
        }
        if (left == 1)
        {
            sb.append((char)ALPHABET[(int)(rest % 62)]);
        }
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
            || connStateCode != ConnState.REJ);
    }
}
