package flowdemux.flow;

/** Bits of a flow slot's FLAGS and META words ({@link FlowSlot#flags}, {@link FlowSlot#meta}). */
public final class FlowFlags
{
    // FLAGS
    /** The originator is endpoint A of the canonical key. */
    public static final long ORIG_IS_A = 1L;
    /** Zeek's heuristics swapped the roles at some point ("^" in history). */
    public static final long FLIPPED = 1L << 1;
    /** The attempt timer is armed (the originator's SYN was seen while it was inactive). */
    public static final long ATTEMPT_ARMED = 1L << 2;
    /** An endpoint has left the handshake states: TCP inactivity is now tcp_inactivity_timeout. */
    public static final long PAST_HANDSHAKE = 1L << 3;
    public static final int STATE_ORIG_SHIFT = 4;
    public static final int STATE_RESP_SHIFT = 8;
    public static final int PREV_STATE_ORIG_SHIFT = 12;
    public static final int PREV_STATE_RESP_SHIFT = 16;
    public static final int TCP_FLAGS_ORIG_SHIFT = 20;
    public static final int TCP_FLAGS_RESP_SHIFT = 28;
    public static final long DID_CLOSE_ORIG = 1L << 36;
    public static final long DID_CLOSE_RESP = 1L << 37;
    public static final long FIN_ORIG = 1L << 38;
    public static final long FIN_RESP = 1L << 39;
    public static final long SEQ_KNOWN_ORIG = 1L << 40;
    public static final long SEQ_KNOWN_RESP = 1L << 41;
    /** A packet with a valid checksum was counted from this side (UDP "active"). */
    public static final long ACTIVE_ORIG = 1L << 42;
    public static final long ACTIVE_RESP = 1L << 43;
    /** The connection's first packet came from its originator as it stands now. */
    public static final long SEEN_ORIG = 1L << 44;
    /** TCP: the connection was picked up after its handshake (Zeek's partial); which sides were seen. */
    public static final long PARTIAL = 1L << 45;
    public static final long FIRST_SEEN_ORIG = 1L << 46;
    public static final long FIRST_SEEN_RESP = 1L << 47;
    /** Service detection is over for this connection (or off): its packets skip it without reading its state. */
    public static final long SERVICE_DONE = 1L << 48;
    /** SSH or FTP was recognised: Zeek's analyzer_inactivity_timeouts give the connection --long-timeout. */
    public static final long LONG_INACTIVITY = 1L << 49;
    /**
     * The connection's tunnel parents (FlowTable.tunnelParent): 0 for none, the instance of its only one when that is
     * below {@link #TUNNELS_FULL}, else where the flow table's map of parents holds them; the packets that need not
     * change them (most) read nothing else.
     */
    public static final int TUNNEL_SHIFT = 50;
    public static final long TUNNEL_BITS = 0x3FFFL << TUNNEL_SHIFT;
    /** Two parents, in the map: a connection keeps no third, so its later packets change nothing. */
    public static final int TUNNELS_FULL = 0x3FFE;
    /** One parent, in the map (its instance does not fit here). */
    public static final int TUNNELS_IN_MAP = 0x3FFF;

    // META
    /** Once-only history bits per direction: orig at bits 0-15, resp at 16-31 (one bit per History code). */
    public static final int SEEN_RESP_SHIFT = 16;
    public static final int WSCALE_ORIG_SHIFT = 32;
    public static final int WSCALE_RESP_SHIFT = 36;
    public static final int HISTORY_LENGTH_SHIFT = 40;
    public static final int VLAN_SHIFT = 48;

    private FlowFlags()
    {
    }

    public static int state(final long flags, final boolean orig)
    {
        return (int)(flags >>> (orig ? STATE_ORIG_SHIFT : STATE_RESP_SHIFT)) & 0xF;
    }

    public static int prevState(final long flags, final boolean orig)
    {
        return (int)(flags >>> (orig ? PREV_STATE_ORIG_SHIFT : PREV_STATE_RESP_SHIFT)) & 0xF;
    }

    public static int tcpFlags(final long flags, final boolean orig)
    {
        return (int)(flags >>> (orig ? TCP_FLAGS_ORIG_SHIFT : TCP_FLAGS_RESP_SHIFT)) & 0xFF;
    }

    public static long didClose(final boolean orig)
    {
        return orig ? DID_CLOSE_ORIG : DID_CLOSE_RESP;
    }

    public static long fin(final boolean orig)
    {
        return orig ? FIN_ORIG : FIN_RESP;
    }

    public static long seqKnown(final boolean orig)
    {
        return orig ? SEQ_KNOWN_ORIG : SEQ_KNOWN_RESP;
    }

    public static long active(final boolean orig)
    {
        return orig ? ACTIVE_ORIG : ACTIVE_RESP;
    }

    /** Swaps every per-direction bit pair: used when roles flip. */
    public static long swapDirections(final long flags)
    {
        long f = flags & ~(0xFFFFL << STATE_ORIG_SHIFT) & ~(0xFFFFL << TCP_FLAGS_ORIG_SHIFT)
            & ~(DID_CLOSE_ORIG | DID_CLOSE_RESP | FIN_ORIG | FIN_RESP | SEQ_KNOWN_ORIG | SEQ_KNOWN_RESP
            | ACTIVE_ORIG | ACTIVE_RESP);
        f |= (long)state(flags, true) << STATE_RESP_SHIFT | (long)state(flags, false) << STATE_ORIG_SHIFT;
        f |= (long)prevState(flags, true) << PREV_STATE_RESP_SHIFT
            | (long)prevState(flags, false) << PREV_STATE_ORIG_SHIFT;
        f |= (long)tcpFlags(flags, true) << TCP_FLAGS_RESP_SHIFT | (long)tcpFlags(flags, false) << TCP_FLAGS_ORIG_SHIFT;
        f |= swapPair(flags, DID_CLOSE_ORIG, DID_CLOSE_RESP) | swapPair(flags, FIN_ORIG, FIN_RESP)
            | swapPair(flags, SEQ_KNOWN_ORIG, SEQ_KNOWN_RESP) | swapPair(flags, ACTIVE_ORIG, ACTIVE_RESP);
        return f ^ ORIG_IS_A;
    }

    private static long swapPair(final long flags, final long a, final long b)
    {
        return ((flags & a) != 0 ? b : 0) | ((flags & b) != 0 ? a : 0);
    }
}
