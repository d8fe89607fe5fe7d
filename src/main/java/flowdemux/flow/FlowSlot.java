package flowdemux.flow;

import flowdemux.service.ServiceInspector;

/**
 * A view of one connection's slot in the flow store, in the style of Agrona's flyweights: {@link #wrap} points it at
 * a slot of a {@link FlowTable} page, and named accessors read and write the fields there, so one instance serves
 * every packet without allocating. This is the only class that knows where a field lives; the bits inside FLAGS and
 * META are {@link FlowFlags}'. Per-direction fields take {@code orig}: the originator's or the responder's.
 * <p>
 * Layout, {@link #STRIDE} longs a connection. Hot fields first: the key, then everything an ordinary data or ACK
 * packet of an established connection reads or writes (timers, counters, sequence space, history) in the first 24
 * longs, then what only handshakes, closes, resets, options and rarer events touch. Two 32-bit values share a long
 * where a per-direction field fits in 32 bits: the originator's in the low half, the responder's in the high half.
 */
public final class FlowSlot
{
    // Line 0-2 (the first 24 longs): what a packet of an established connection reads or writes.
    /** Canonical key: endpoint A (the lower address/port pair) and endpoint B, 128-bit addresses. */
    private static final int A_HI = 0;
    private static final int A_LO = 1;
    private static final int B_HI = 2;
    private static final int B_LO = 3;
    /** FlowKeys.portsProto: portA << 24 | portB << 8 | protocol, with {@link #OCCUPIED} set; 0 = a free slot. */
    private static final int PORTS_PROTO = 4;
    /** Roles, endpoint states, closes, TCP flags seen: see {@link FlowFlags}. */
    private static final int FLAGS = 5;
    /** Zeek's last_time (not advanced once both sides closed), nanoseconds. */
    private static final int LAST_TS = 6;
    /** Packets counted (Zeek's ConnSize: valid-checksum packets, reassembled datagrams): paired. */
    private static final int PKTS = 7;
    private static final int IP_BYTES_ORIG = 8;
    private static final int IP_BYTES_RESP = 9;
    private static final int PAYLOAD_ORIG = 10;
    private static final int PAYLOAD_RESP = 11;
    /** Once-only history bits, window scales, history length, VLAN: see {@link FlowFlags}. */
    private static final int META = 12;
    /** Zeek's connection-delete timer: when the connection goes (ns), 0 = not armed. */
    private static final int DELETE_AT = 13;
    /** Each side's last sequence (u32) and its wraps (high 32). */
    private static final int LAST_SEQ_ORIG = 14;
    private static final int LAST_SEQ_RESP = 15;
    /** Highest ack the peer sent for each side's data (u32) and wraps. */
    private static final int ACK_SEQ_ORIG = 16;
    private static final int ACK_SEQ_RESP = 17;
    /** Each side's start sequence number (Zeek's start_seq): paired. */
    private static final int START_SEQ = 18;
    /** Highest relative sequence checked for gaps per side: paired. */
    private static final int GAP_MARK = 19;
    /** History letters, 5 bits each, 12 per long, in order of occurrence; must stay adjacent. */
    private static final int HISTORY_0 = 20;
    /** When the last interim record was written (--active-timeout), ns; 0 = none yet. */
    private static final int INTERIM_AT = 23;
    /** Bytes the peers acknowledged that were never seen (content gaps), Zeek's missed_bytes. */
    private static final int MISSED_BYTES = 24;
    /** Log-scaled history counters, paired: retransmissions (T), zero windows (W); C and G are further back. */
    private static final int COUNT_T = 25;
    private static final int COUNT_W = 26;
    /** Zeek's extra expire timer from a half close: first tick (ns), 0 = none. */
    private static final int EXPIRE_FROM = 27;
    /** TCP options: MSS orig (bits 0-15), MSS resp (16-31), wscale orig + 1 (32-39), wscale resp + 1 (40-47), SACK
     * permitted (48 orig, 49 resp), timestamps (50, 51). */
    private static final int OPTIONS = 28;
    /** Relative sequence of the last SYN (low 32) and FIN (high 32) per side, for Zeek's repeat rule. */
    private static final int HIST_SEQ_ORIG = 29;
    private static final int HIST_SEQ_RESP = 30;
    /** Relative sequence of the last RST: paired. */
    private static final int HIST_RST = 31;
    // Behind them: what the handshake, closes, resets, options and rarer events touch.
    private static final int COUNT_C = 32;
    private static final int COUNT_G = 33;
    /** Time of the originator's first SYN (ns); the attempt timer runs from it. */
    private static final int SYN_TS = 34;
    /** SYN to SYN-ACK (low 32) and SYN-ACK to ACK (high 32), ns + 1; 0 = not seen. */
    private static final int HANDSHAKE = 35;
    /** First packet, nanoseconds. */
    private static final int FIRST_TS = 36;
    /** Serial of the flow: index of its first packet in the input, which orders output deterministically. */
    private static final int SERIAL = 37;
    /** Service detection's state and its hints (service.ServiceInspector's); looked at only while undecided. */
    private static final int SERVICE = 38;
    private static final int SERVICE_HINTS = 39;
    /** Longs a connection. */
    public static final int STRIDE = 40;

    /** Set in every occupied slot's PORTS_PROTO, so that a live slot is never 0 there. */
    static final long OCCUPIED = 1L << 62;
    private static final long LOW = 0xFFFF_FFFFL;

    private long[] s;
    private int b;
    private int flow;

    /** Points this view at a connection of {@code table}; returns it. */
    public FlowSlot wrap(final FlowTable table, final int flow)
    {
        this.s = table.page(flow);
        this.b = FlowTable.base(flow);
        this.flow = flow;
        return this;
    }

    /** The connection's number in its table. */
    public int flow()
    {
        return flow;
    }

    // The slot as the table sees it: key, occupancy, eviction age. Static over a page, for the probe loops.

    /** Makes a free slot a connection with this key and every other field zero. */
    static void init(final long[] page, final int base, final long aHi, final long aLo, final long bHi, final long bLo,
        final long portsProto)
    {
        java.util.Arrays.fill(page, base, base + STRIDE, 0L);
        page[base + A_HI] = aHi;
        page[base + A_LO] = aLo;
        page[base + B_HI] = bHi;
        page[base + B_LO] = bLo;
        page[base + PORTS_PROTO] = portsProto;
    }

    static boolean keyEquals(final long[] page, final int base, final long aHi, final long aLo, final long bHi,
        final long bLo, final long portsProto)
    {
        return page[base + A_LO] == aLo && page[base + B_LO] == bLo && page[base + PORTS_PROTO] == portsProto
            && page[base + A_HI] == aHi && page[base + B_HI] == bHi;
    }

    /** The first word of the slot, which the batch lookahead loads to bring the key's cache line in. */
    static long firstWord(final long[] page, final int base)
    {
        return page[base];
    }

    static long keyHash(final long[] page, final int base)
    {
        return FlowKeys.hash(page[base + A_HI], page[base + A_LO], page[base + B_HI], page[base + B_LO],
            page[base + PORTS_PROTO]);
    }

    static boolean occupied(final long[] page, final int base)
    {
        return page[base + PORTS_PROTO] != 0;
    }

    static void vacate(final long[] page, final int base)
    {
        page[base + PORTS_PROTO] = 0;
    }

    static long lastTs(final long[] page, final int base)
    {
        return page[base + LAST_TS];
    }

    static long serviceState(final long[] page, final int base)
    {
        return page[base + SERVICE];
    }

    // Key.

    public long aHi()
    {
        return s[b + A_HI];
    }

    public long aLo()
    {
        return s[b + A_LO];
    }

    public long bHi()
    {
        return s[b + B_HI];
    }

    public long bLo()
    {
        return s[b + B_LO];
    }

    public long portsProto()
    {
        return s[b + PORTS_PROTO];
    }

    public int protocol()
    {
        return FlowKeys.protocol(s[b + PORTS_PROTO]);
    }

    /** Whether the originator is endpoint A of the key. */
    public boolean origIsA()
    {
        return (s[b + FLAGS] & FlowFlags.ORIG_IS_A) != 0;
    }

    /** The originator's ({@code orig}) or the responder's port (ICMP: type or code, as in the key). */
    public int port(final boolean orig)
    {
        final long pp = s[b + PORTS_PROTO];
        return orig == origIsA() ? FlowKeys.portA(pp) : FlowKeys.portB(pp);
    }

    /** High and low 64 bits of the originator's or the responder's address. */
    public long addressHi(final boolean orig)
    {
        return s[b + (orig == origIsA() ? A_HI : B_HI)];
    }

    public long addressLo(final boolean orig)
    {
        return s[b + (orig == origIsA() ? A_LO : B_LO)];
    }

    // Bit fields (FlowFlags).

    public long flags()
    {
        return s[b + FLAGS];
    }

    public void flags(final long flags)
    {
        s[b + FLAGS] = flags;
    }

    public void setFlags(final long bits)
    {
        s[b + FLAGS] |= bits;
    }

    public void clearFlags(final long bits)
    {
        s[b + FLAGS] &= ~bits;
    }

    public long meta()
    {
        return s[b + META];
    }

    public void meta(final long meta)
    {
        s[b + META] = meta;
    }

    // Times.

    public long firstTs()
    {
        return s[b + FIRST_TS];
    }

    public void firstTs(final long nanos)
    {
        s[b + FIRST_TS] = nanos;
    }

    public long lastTs()
    {
        return s[b + LAST_TS];
    }

    /** Moves Zeek's last_time on to {@code nanos} unless it is later already. */
    public void advanceLastTs(final long nanos)
    {
        s[b + LAST_TS] = Math.max(s[b + LAST_TS], nanos);
    }

    public long serial()
    {
        return s[b + SERIAL];
    }

    public void serial(final long serial)
    {
        s[b + SERIAL] = serial;
    }

    public long deleteAt()
    {
        return s[b + DELETE_AT];
    }

    public void deleteAt(final long nanos)
    {
        s[b + DELETE_AT] = nanos;
    }

    public long expireFrom()
    {
        return s[b + EXPIRE_FROM];
    }

    public void expireFrom(final long nanos)
    {
        s[b + EXPIRE_FROM] = nanos;
    }

    public long synTs()
    {
        return s[b + SYN_TS];
    }

    public void synTs(final long nanos)
    {
        s[b + SYN_TS] = nanos;
    }

    public long interimAt()
    {
        return s[b + INTERIM_AT];
    }

    public void interimAt(final long nanos)
    {
        s[b + INTERIM_AT] = nanos;
    }

    /** SYN to SYN-ACK in nanoseconds, or -1 when not seen (kept as ns + 1 in the low half, saturating at 4.29 s). */
    public long synAckDelay()
    {
        return half(s[b + HANDSHAKE], true) - 1;
    }

    public void synAckDelay(final long nanos)
    {
        s[b + HANDSHAKE] = withHalf(s[b + HANDSHAKE], true, storedDelay(nanos));
    }

    /** SYN-ACK to ACK in nanoseconds, or -1 when not seen (the high half, as {@link #synAckDelay}). */
    public long ackDelay()
    {
        return half(s[b + HANDSHAKE], false) - 1;
    }

    public void ackDelay(final long nanos)
    {
        s[b + HANDSHAKE] = withHalf(s[b + HANDSHAKE], false, storedDelay(nanos));
    }

    /** A delay as kept: ns + 1 (0 means unknown), saturating at 32 bits. */
    private static long storedDelay(final long nanos)
    {
        return Math.min(Math.max(nanos, 0) + 1, LOW);
    }

    // Counters.

    /** Counts one packet of a side with its IP and payload bytes. */
    public void count(final boolean orig, final int ipBytes, final int payloadBytes)
    {
        s[b + PKTS] += orig ? 1 : 1L << 32;
        s[b + (orig ? IP_BYTES_ORIG : IP_BYTES_RESP)] += ipBytes;
        s[b + (orig ? PAYLOAD_ORIG : PAYLOAD_RESP)] += payloadBytes;
    }

    public long packets(final boolean orig)
    {
        return half(s[b + PKTS], orig);
    }

    public long ipBytes(final boolean orig)
    {
        return s[b + (orig ? IP_BYTES_ORIG : IP_BYTES_RESP)];
    }

    public long payloadBytes(final boolean orig)
    {
        return s[b + (orig ? PAYLOAD_ORIG : PAYLOAD_RESP)];
    }

    public long missedBytes()
    {
        return s[b + MISSED_BYTES];
    }

    public void addMissedBytes(final long bytes)
    {
        s[b + MISSED_BYTES] += bytes;
    }

    /** A side's count of the log-scaled history event {@code letter}: History.T, W, C or G. */
    public long events(final int letter, final boolean orig)
    {
        return half(s[b + counter(letter)], orig);
    }

    public void events(final int letter, final boolean orig, final long count)
    {
        final int at = b + counter(letter);
        s[at] = withHalf(s[at], orig, count);
    }

    private static int counter(final int letter)
    {
        switch (letter)
        {
            case History.T:
                return COUNT_T;
            case History.W:
                return COUNT_W;
            case History.C:
                return COUNT_C;
            case History.G:
                return COUNT_G;
            default:
                throw new IllegalArgumentException("no counter for history code " + letter);
        }
    }

    // History letters.

    /** The {@code i}th long of history letters (0-2). */
    public long historyWord(final int i)
    {
        return s[b + HISTORY_0 + i];
    }

    public void historyWord(final int i, final long word)
    {
        s[b + HISTORY_0 + i] = word;
    }

    /** Relative sequence of a side's last SYN and FIN, and of its last RST (Zeek's repeat rule for S/H, F, R). */
    public long lastSynSeq(final boolean orig)
    {
        return half(s[b + (orig ? HIST_SEQ_ORIG : HIST_SEQ_RESP)], true);
    }

    public void lastSynSeq(final boolean orig, final long rel32)
    {
        final int at = b + (orig ? HIST_SEQ_ORIG : HIST_SEQ_RESP);
        s[at] = withHalf(s[at], true, rel32);
    }

    public long lastFinSeq(final boolean orig)
    {
        return half(s[b + (orig ? HIST_SEQ_ORIG : HIST_SEQ_RESP)], false);
    }

    public void lastFinSeq(final boolean orig, final long rel32)
    {
        final int at = b + (orig ? HIST_SEQ_ORIG : HIST_SEQ_RESP);
        s[at] = withHalf(s[at], false, rel32);
    }

    public long lastRstSeq(final boolean orig)
    {
        return half(s[b + HIST_RST], orig);
    }

    public void lastRstSeq(final boolean orig, final long rel32)
    {
        s[b + HIST_RST] = withHalf(s[b + HIST_RST], orig, rel32);
    }

    // Sequence space (TcpSequence).

    /** A side's last sequence number: u32 in the low half, its wraps in the high half. */
    public long lastSeqWord(final boolean orig)
    {
        return s[b + (orig ? LAST_SEQ_ORIG : LAST_SEQ_RESP)];
    }

    public void lastSeqWord(final boolean orig, final long word)
    {
        s[b + (orig ? LAST_SEQ_ORIG : LAST_SEQ_RESP)] = word;
    }

    /** The highest acknowledgement the peer sent for a side's data: u32 and wraps, as {@link #lastSeqWord}. */
    public long ackSeqWord(final boolean orig)
    {
        return s[b + (orig ? ACK_SEQ_ORIG : ACK_SEQ_RESP)];
    }

    public void ackSeqWord(final boolean orig, final long word)
    {
        s[b + (orig ? ACK_SEQ_ORIG : ACK_SEQ_RESP)] = word;
    }

    public long startSeq(final boolean orig)
    {
        return half(s[b + START_SEQ], orig);
    }

    public void startSeq(final boolean orig, final long u32)
    {
        s[b + START_SEQ] = withHalf(s[b + START_SEQ], orig, u32);
    }

    /** Where a side's in-order data ends, as a relative sequence number (0 = not yet set). */
    public long gapMark(final boolean orig)
    {
        return half(s[b + GAP_MARK], orig);
    }

    public void gapMark(final boolean orig, final long rel32)
    {
        s[b + GAP_MARK] = withHalf(s[b + GAP_MARK], orig, rel32);
    }

    // TCP options of the SYNs.

    /** Records what a side's SYN announced: MSS and window scale (-1 = absent), SACK permitted, timestamps. */
    public void options(final boolean orig, final int mss, final int windowScale, final boolean sackPermitted,
        final boolean timestamps)
    {
        long o = s[b + OPTIONS];
        if (mss >= 0)
        {
            final int shift = orig ? 0 : 16;
            o = (o & ~(0xFFFFL << shift)) | ((long)mss << shift);
        }
        if (windowScale >= 0)
        {
            final int shift = orig ? 32 : 40;
            o = (o & ~(0xFFL << shift)) | ((long)(windowScale + 1) << shift);
        }
        if (sackPermitted)
        {
            o |= orig ? 1L << 48 : 1L << 49;
        }
        if (timestamps)
        {
            o |= orig ? 1L << 50 : 1L << 51;
        }
        s[b + OPTIONS] = o;
    }

    /** The MSS a side announced, or -1. */
    public int mss(final boolean orig)
    {
        final int mss = (int)(s[b + OPTIONS] >>> (orig ? 0 : 16)) & 0xFFFF;
        return mss == 0 ? -1 : mss;
    }

    /** The window scale option a side announced, or -1. */
    public int windowScaleOption(final boolean orig)
    {
        return ((int)(s[b + OPTIONS] >>> (orig ? 32 : 40)) & 0xFF) - 1;
    }

    public boolean sackPermitted(final boolean orig)
    {
        return (s[b + OPTIONS] & (orig ? 1L << 48 : 1L << 49)) != 0;
    }

    // Service detection.

    public long serviceState()
    {
        return s[b + SERVICE];
    }

    public void serviceState(final long state)
    {
        s[b + SERVICE] = state;
    }

    /**
     * Hands a packet's first payload bytes to service detection, over this slot's two longs of its state; a TCP
     * segment with its offset in the sender's stream (0: the byte after the SYN, as Zeek numbers it) and how far the
     * sender's stream went before it ({@code sentBefore}: its last sequence number then).
     */
    public boolean inspect(final ServiceInspector inspector, final boolean fromA, final boolean orig,
        final boolean tcp, final long seq, final long sentBefore, final byte[] bytes, final int offset,
        final int length, final int payloadLength)
    {
        final long start = startSeq(orig) + 1;
        final long at = tcp ? (seq - start) & LOW : seq;
        final long sent = tcp ? (sentBefore - start) & LOW : 0;
        return inspector.inspect(s, b + SERVICE, b + SERVICE_HINTS, fromA, orig, tcp, at, sent >= 1L << 31 ? 0 : sent,
            bytes, offset, length, payloadLength);
    }

    /** Has service detection, if undecided, read the first messages it was still putting together (at the end). */
    static void settleService(final long[] page, final int base, final ServiceInspector inspector)
    {
        final long flags = page[base + FLAGS];
        // Rare: most turns are read before their connection ends, and the call stays out of the packet path's code.
        if (ServiceInspector.pending(page[base + SERVICE]) && (flags & FlowFlags.SERVICE_DONE) == 0)
        {
            inspector.settle(page, base + SERVICE, base + SERVICE_HINTS, (flags & FlowFlags.ORIG_IS_A) != 0);
        }
    }

    // Role flip.

    /**
     * Swaps every per-direction field between the sides (Connection::FlipRoles): counters, sequence space, history
     * sequence marks, event counts, gap marks and options. The bits of FLAGS and META are the caller's.
     */
    void swapSides()
    {
        swapHalves(PKTS);
        swap(IP_BYTES_ORIG, IP_BYTES_RESP);
        swap(PAYLOAD_ORIG, PAYLOAD_RESP);
        swapHalves(START_SEQ);
        swap(LAST_SEQ_ORIG, LAST_SEQ_RESP);
        swap(ACK_SEQ_ORIG, ACK_SEQ_RESP);
        swap(HIST_SEQ_ORIG, HIST_SEQ_RESP);
        swapHalves(HIST_RST);
        swapHalves(COUNT_T);
        swapHalves(COUNT_W);
        swapHalves(COUNT_C);
        swapHalves(COUNT_G);
        swapHalves(GAP_MARK);
        final long o = s[b + OPTIONS];
        s[b + OPTIONS] = (o & ~0x000F_FFFF_FFFF_FFFFL) | ((o & 0xFFFF) << 16) | ((o >>> 16) & 0xFFFF)
            | (((o >>> 32) & 0xFF) << 40) | (((o >>> 40) & 0xFF) << 32)
            | (((o >>> 48) & 1) << 49) | (((o >>> 49) & 1) << 48) | (((o >>> 50) & 1) << 51) | (((o >>> 51) & 1) << 50);
    }

    private void swap(final int x, final int y)
    {
        final long t = s[b + x];
        s[b + x] = s[b + y];
        s[b + y] = t;
    }

    private void swapHalves(final int field)
    {
        final long v = s[b + field];
        s[b + field] = (v >>> 32) | (v << 32);
    }

    /** The originator's (low) or responder's (high) 32-bit half of a paired field. */
    private static long half(final long field, final boolean orig)
    {
        return orig ? field & LOW : field >>> 32;
    }

    private static long withHalf(final long field, final boolean orig, final long value)
    {
        return orig ? (field & ~LOW) | (value & LOW) : (field & LOW) | (value << 32);
    }
}
