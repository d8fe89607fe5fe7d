package flowdemux.flow;

/**
 * Where each field of a flow lives in its slot of the flow store: {@link #STRIDE} longs per flow, struct-of-arrays
 * by page, so one flow's hot fields share a few cache lines and nothing is boxed.
 */
public final class FlowLayout
{
    /** Canonical key: endpoint A (the lower address/port pair) and endpoint B, 128-bit addresses. */
    public static final int A_HI = 0;
    public static final int A_LO = 1;
    public static final int B_HI = 2;
    public static final int B_LO = 3;
    /** portA << 24 | portB << 8 | protocol, with {@link #OCCUPIED} set. */
    public static final int PORTS_PROTO = 4;
    public static final int FIRST_TS = 5;
    public static final int LAST_TS = 6;
    public static final int PKTS_ORIG = 7;
    public static final int PKTS_RESP = 8;
    public static final int IP_BYTES_ORIG = 9;
    public static final int IP_BYTES_RESP = 10;
    public static final int PAYLOAD_ORIG = 11;
    public static final int PAYLOAD_RESP = 12;
    /** Bit flags, endpoint states, TCP flags seen and once-only history letters: see {@link FlowFlags}. */
    public static final int FLAGS = 13;
    public static final int SYN_TS = 14;
    public static final int SYN_ACK_TS = 15;
    public static final int ACK_TS = 16;
    /** First sequence number of each side (low 32 bits) with bit 32 set once known. */
    public static final int ISN_ORIG = 17;
    public static final int ISN_RESP = 18;
    /** Highest sequence end (seq + len + SYN + FIN) relative to the ISN, as a 64-bit count. */
    public static final int SEQ_END_ORIG = 19;
    public static final int SEQ_END_RESP = 20;
    /** TCP options: MSS orig (bits 0-15), MSS resp (16-31), wscale orig (32-39), wscale resp (40-47), SACK bits. */
    public static final int OPTIONS = 21;
    /** Serial of the flow: index of its first packet in the input, which orders output deterministically. */
    public static final int SERIAL = 22;
    /** History letters, 5 bits each, 12 per long, in order of occurrence. */
    public static final int HISTORY_0 = 23;
    public static final int HISTORY_1 = 24;
    /** Retransmitted or out-of-order segments: orig (low 32), resp (high 32). */
    public static final int RETRANSMITS = 25;
    /** Number of history letters (low 8 bits); VLAN id + 1 (bits 8-20). */
    public static final int META = 26;
    /** Highest acknowledgment the peer sent for this side's data, relative to this side's ISN (Zeek's ack_seq). */
    public static final int ACKED_ORIG = 27;
    public static final int ACKED_RESP = 28;
    /** Last SYN / FIN / RST sequence numbers are Zeek's repeat rule for S, F, R; kept for the Zeek issue. */
    public static final int SPARE = 29;
    public static final int STRIDE = 30;

    public static final long OCCUPIED = 1L << 62;

    private FlowLayout()
    {
    }

    public static long portsProto(final int portA, final int portB, final int protocol)
    {
        return OCCUPIED | ((long)portA << 24) | ((long)portB << 8) | protocol;
    }

    public static int portA(final long portsProto)
    {
        return (int)(portsProto >>> 24) & 0xFFFF;
    }

    public static int portB(final long portsProto)
    {
        return (int)(portsProto >>> 8) & 0xFFFF;
    }

    public static int protocol(final long portsProto)
    {
        return (int)portsProto & 0xFF;
    }
}
