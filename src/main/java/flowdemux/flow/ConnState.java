package flowdemux.flow;

import flowdemux.decode.DecodedPacket;

/** Zeek's conn_state, derived when a connection is logged (ZEEK-CONN.md section 2). */
public final class ConnState
{
    /** The states, by their code: what a connection's record carries, so that counting one compares no text. */
    public static final int SF = 0;
    public static final int S0 = 1;
    public static final int S1 = 2;
    public static final int S2 = 3;
    public static final int S3 = 4;
    public static final int SH = 5;
    public static final int SHR = 6;
    public static final int REJ = 7;
    public static final int RSTO = 8;
    public static final int RSTR = 9;
    public static final int RSTOS0 = 10;
    public static final int RSTRH = 11;
    public static final int OTH = 12;
    public static final int COUNT = 13;
    private static final String[] NAMES = {"SF", "S0", "S1", "S2", "S3", "SH", "SHR", "REJ", "RSTO", "RSTR", "RSTOS0",
        "RSTRH", "OTH"};
    /** The outcome groups of the ports and servers reports, and each state's group. */
    public static final String[] OUTCOMES = {"completed", "rejected", "reset", "half-open", "in progress", "other"};
    private static final int[] OUTCOME_OF = {0, 3, 4, 4, 4, 3, 3, 1, 2, 2, 2, 2, 5};

    private ConnState()
    {
    }

    /**
     * @param origActive for UDP: the originator sent a packet with a valid checksum (likewise respActive)
     */
    public static int of(final int protocol, final int origState, final int respState, final long origSize,
        final long respSize, final String history, final boolean origActive, final boolean respActive)
    {
        if (protocol == DecodedPacket.PROTO_UDP)
        {
            if (origActive)
            {
                return respActive ? SF : S0;
            }
            return respActive ? SHR : OTH;
        }
        if (protocol != DecodedPacket.PROTO_TCP)
        {
            return OTH;
        }
        final int os = origState;
        final int rs = respState;
        final boolean origInactive = EndpointState.inactive(os);
        final boolean respInactive = EndpointState.inactive(rs);
        if (rs == EndpointState.RESET)
        {
            if (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT
                || (os == EndpointState.RESET && origSize == 0 && respSize == 0))
            {
                return REJ;
            }
            return origInactive ? RSTRH : RSTR;
        }
        if (os == EndpointState.RESET)
        {
            if (respInactive)
            {
                return synThenReset(history) ? RSTOS0 : OTH;
            }
            return RSTO;
        }
        if (os == EndpointState.CLOSED && rs == EndpointState.CLOSED)
        {
            return SF;
        }
        if (os == EndpointState.CLOSED)
        {
            return respInactive ? SH : S2;
        }
        if (rs == EndpointState.CLOSED)
        {
            return origInactive ? SHR : S3;
        }
        if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE)
        {
            return S0;
        }
        if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED)
        {
            return S1;
        }
        return OTH;
    }

    /**
     * Zeek's RSTOS0 test, the pattern {@code ^?S[^HAFGIQ]*R.*} matched by hand (no matcher per connection): an
     * originator SYN, then an originator RST before any SYN-ACK, ACK, FIN, gap, inconsistency or multi-flag packet.
     */
    static boolean synThenReset(final String history)
    {
        int i = !history.isEmpty() && history.charAt(0) == '^' ? 1 : 0;
        if (i >= history.length() || history.charAt(i) != 'S')
        {
            return false;
        }
        for (i++; i < history.length(); i++)
        {
            final char c = history.charAt(i);
            if (c == 'R')
            {
                return true;
            }
            if ("HAFGIQ".indexOf(c) >= 0)
            {
                return false;
            }
        }
        return false;
    }

    /** Zeek's name of a state. */
    public static String name(final int code)
    {
        return NAMES[code];
    }

    /** The index in {@link #OUTCOMES} of the group a state counts under. */
    public static int outcome(final int code)
    {
        return OUTCOME_OF[code];
    }
}
