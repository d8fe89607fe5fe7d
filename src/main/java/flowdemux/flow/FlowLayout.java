package flowdemux.flow;

/**
 * Where each field of a flow lives in its slot of the flow store: {@link #STRIDE} longs per flow, so one flow's
 * fields share a few cache lines and nothing is boxed. Two 32-bit values share a long where a field is per
 * direction and 32 bits suffice ("O" = originator in the low half, "R" = responder in the high half). Hot fields
 * first: the key, then everything an ordinary data or ACK packet of an established connection reads or writes
 * (timers, counters, sequence space, history) in the first 24 longs, then what only handshakes, closes, resets,
 * options and rare events touch. Only HISTORY_0-2 must stay adjacent, and the key at the start (FlowTable.touch).
 */
public final class FlowLayout
{
    // Line 0-2 (the first 24 longs): what a packet of an established connection reads or writes.
    /** Canonical key: endpoint A (the lower address/port pair) and endpoint B, 128-bit addresses. */
    public static final int A_HI = 0;
    public static final int A_LO = 1;
    public static final int B_HI = 2;
    public static final int B_LO = 3;
    /** portA << 24 | portB << 8 | protocol, with {@link #OCCUPIED} set. */
    public static final int PORTS_PROTO = 4;
    /** Roles, endpoint states, closes, TCP flags seen: see {@link FlowFlags}. */
    public static final int FLAGS = 5;
    /** Zeek's last_time (not advanced once both sides closed), nanoseconds. */
    public static final int LAST_TS = 6;
    /** Packets counted (Zeek's ConnSize: valid-checksum packets, reassembled datagrams): O | R << 32. */
    public static final int PKTS = 7;
    public static final int IP_BYTES_ORIG = 8;
    public static final int IP_BYTES_RESP = 9;
    public static final int PAYLOAD_ORIG = 10;
    public static final int PAYLOAD_RESP = 11;
    /** Once-only history bits, window scales, history length, VLAN: see {@link FlowFlags}. */
    public static final int META = 12;
    /** Zeek's connection-delete timer: when the connection goes (ns), 0 = not armed. */
    public static final int DELETE_AT = 13;
    /** Each side's last sequence (u32) and its wraps (high 32). */
    public static final int LAST_SEQ_ORIG = 14;
    public static final int LAST_SEQ_RESP = 15;
    /** Highest ack the peer sent for each side's data (u32) and wraps. */
    public static final int ACK_SEQ_ORIG = 16;
    public static final int ACK_SEQ_RESP = 17;
    /** Each side's start sequence number (Zeek's start_seq): O | R << 32. */
    public static final int START_SEQ = 18;
    /** Highest relative sequence checked for gaps per side: O | R << 32. */
    public static final int GAP_MARK = 19;
    /** History letters, 5 bits each, 12 per long, in order of occurrence. */
    public static final int HISTORY_0 = 20;
    public static final int HISTORY_1 = 21;
    public static final int HISTORY_2 = 22;
    /** When the last interim record was written (--active-timeout), ns; 0 = none yet. */
    public static final int INTERIM_AT = 23;
    /** Bytes the peers acknowledged that were never seen (content gaps), Zeek's missed_bytes. */
    public static final int MISSED_BYTES = 24;
    /** Log-scaled history counters, O | R << 32: retransmissions (T), zero windows (W), checksums (C), gaps (G). */
    public static final int COUNT_T = 25;
    public static final int COUNT_W = 26;
    /** Zeek's extra expire timer from a half close: first tick (ns), 0 = none. */
    public static final int EXPIRE_FROM = 27;
    /** TCP options: MSS orig (bits 0-15), MSS resp (16-31), wscale orig + 1 (32-39), wscale resp + 1 (40-47), SACK. */
    public static final int OPTIONS = 28;
    /** Relative sequence of the last SYN (low 32) and FIN (high 32) per side, for Zeek's repeat rule. */
    public static final int HIST_SEQ_ORIG = 29;
    public static final int HIST_SEQ_RESP = 30;
    /** Relative sequence of the last RST: O | R << 32. */
    public static final int HIST_RST = 31;
    // Behind them: what the handshake, closes, resets, options and rarer events touch.
    public static final int COUNT_C = 32;
    public static final int COUNT_G = 33;
    /** Time of the originator's first SYN (ns); the attempt timer runs from it. */
    public static final int SYN_TS = 34;
    /** SYN to SYN-ACK (low 32) and SYN-ACK to ACK (high 32), ns + 1; 0 = not seen. */
    public static final int HANDSHAKE = 35;
    /** First packet, nanoseconds. */
    public static final int FIRST_TS = 36;
    /** Serial of the flow: index of its first packet in the input, which orders output deterministically. */
    public static final int SERIAL = 37;
    /** Service detection's state and its hints (owned by service.ServiceInspector); looked at only while undecided. */
    public static final int SERVICE = 38;
    public static final int SERVICE_HINTS = 39;
    public static final int STRIDE = 40;

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

    /** The originator's (low) or responder's (high) 32-bit half of a paired field. */
    public static long half(final long field, final boolean orig)
    {
        return orig ? field & 0xFFFF_FFFFL : field >>> 32;
    }

    public static long withHalf(final long field, final boolean orig, final long value)
    {
        return orig ? (field & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL)
            : (field & 0xFFFF_FFFFL) | (value << 32);
    }
}
