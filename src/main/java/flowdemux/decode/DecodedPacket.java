package flowdemux.decode;

/**
 * What the decoder found in one packet, as plain fields: one instance is reused for every packet, so decoding
 * allocates nothing. Addresses are 128-bit as two longs; IPv4 is stored IPv4-mapped ({@code ::ffff:a.b.c.d}) so
 * both families share one key layout.
 */
public final class DecodedPacket
{
    public static final long IPV4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;

    public long timestampNanos;
    /** Capture time as the reader sees it: the latest timestamp so far (timers run on it, never backwards). */
    public long captureNow;
    /** Captured frames this packet stands for: 1, or the fragments of a reassembled datagram. */
    public int frames;
    public long packetIndex;
    public int wireLength;
    /** Outermost 802.1Q/802.1ad VLAN id, or -1. */
    public int vlanId;

    public int ipVersion;
    public int ipOffset;
    public int ipHeaderLength;
    /** IP datagram length from its header (IPv6: 40 + payload length), what Zeek counts as ip_bytes. */
    public int ipTotalLength;
    public int protocol;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int ttl;

    public boolean fragment;
    public boolean laterFragment;
    public boolean moreFragments;
    public int fragmentOffset;
    public long fragmentId;

    /** Source and destination port; ICMP type and code; 0 for protocols without ports. */
    public int srcPort;
    public int dstPort;
    public boolean hasPorts;
    /** Transport payload bytes per the headers (not the captured bytes; Ethernet padding excluded). */
    public int payloadLength;
    public int payloadOffset;
    /** Payload bytes actually captured (snaplen may cut the rest). */
    public int capturedPayload;

    public int tcpFlags;
    public long seq;
    public long ack;
    public int window;
    /** TCP options; -1 when absent. */
    public int mss;
    public int windowScale;
    public boolean sackPermitted;
    public boolean hasTimestamps;

    /** What became of a checksum: not examined, verified, taken as filled in later by the NIC, or wrong. */
    public static final int CHECKSUM_NONE = 0;
    public static final int CHECKSUM_VERIFIED = 1;
    public static final int CHECKSUM_OFFLOADED = 2;
    public static final int CHECKSUM_BAD = 3;

    /** The TCP/UDP/ICMP checksum was verified and is wrong (only when verification is on). */
    public boolean checksumBad;
    /** The TCP/UDP/ICMP checksum: one of the CHECKSUM_ values. */
    public int checksum;
    /** The IPv4 header checksum: one of the CHECKSUM_ values. */
    public int ipChecksum;
    /** A bad TCP/UDP checksum that holds what a sending host leaves for its NIC (--checksums offload takes it). */
    public boolean checksumUnfilled;

    public int icmpType;
    public int icmpCode;
    public int udpLength;

    /**
     * The connection key, set once per packet by the flow stage's FlowKeys.key (on the reader's thread, so the worker
     * that owns the connection does not work it out again): the two endpoints in canonical order (A is the lower
     * address, then port), their ports and the protocol packed, and the one hash used both to pick the worker and to
     * probe its flow table.
     */
    public boolean keySrcIsA;
    public long keyAHi;
    public long keyALo;
    public long keyBHi;
    public long keyBLo;
    public long keyPortsProto;
    public long keyHash;

    /** The bytes {@link #inspectOffset} indexes: the record's buffer, or this descriptor's own copy of a prefix. */
    public byte[] inspectBytes;
    public int inspectOffset;
    /** Payload bytes there for service detection: captured and within the datagram (0 for reassembled fragments). */
    public int inspectLength;
    /** A service the new connection of this packet was announced as (FTP's data connections), plus one; 0 = none. */
    public int expectedService;

    /** How many tunnels this packet was found inside: 0 for the captured packet itself. */
    public int depth;
    /** The tunnel ({@link Tunnel}) whose header follows this packet's own headers, or {@link Tunnel#NONE}. */
    public int carries;
    /** With {@link #carries}: the tunnel's identifier (as {@link #tunnelId}), what follows its header, and where. */
    public long carriedId;
    int innerKind;
    int innerOffset;
    /**
     * Inside a tunnel (depth above 0): the tunnel's type, its identifier (VXLAN/Geneve VNI, GTP TEID, GRE key,
     * ERSPAN session, PPTP call id; -1 for none), and its instance in the reader's tunnel registry (0 for none).
     */
    public int tunnelType;
    public long tunnelId;
    public int tunnelInstance;

    void reset()
    {
        frames = 1;
        vlanId = -1;
        depth = 0;
        tunnelType = Tunnel.NONE;
        tunnelId = -1;
        tunnelInstance = 0;
        resetLayer();
    }

    /** Resets what a layer's headers set: all but the record's own fields and the tunnels around the packet. */
    void resetLayer()
    {
        carries = Tunnel.NONE;
        ipVersion = 0;
        ipOffset = 0;
        ipHeaderLength = 0;
        ipTotalLength = 0;
        protocol = 0;
        srcHi = 0;
        srcLo = 0;
        dstHi = 0;
        dstLo = 0;
        ttl = 0;
        fragment = false;
        laterFragment = false;
        moreFragments = false;
        fragmentOffset = 0;
        fragmentId = 0;
        srcPort = 0;
        dstPort = 0;
        hasPorts = false;
        payloadLength = 0;
        payloadOffset = 0;
        capturedPayload = 0;
        tcpFlags = 0;
        seq = 0;
        ack = 0;
        window = 0;
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        icmpType = -1;
        icmpCode = -1;
        udpLength = 0;
        checksumBad = false;
        checksum = CHECKSUM_NONE;
        ipChecksum = CHECKSUM_NONE;
        checksumUnfilled = false;
        inspectLength = 0;
        expectedService = 0;
    }

    public boolean isIpv4()
    {
        return ipVersion == 4;
    }

    public boolean isTcp()
    {
        return protocol == PROTO_TCP;
    }
}
