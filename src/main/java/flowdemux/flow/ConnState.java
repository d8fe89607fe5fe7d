package flowdemux.flow;

import flowdemux.decode.DecodedPacket;

/** Zeek's conn_state, derived when a connection is logged (ZEEK-CONN.md section 2). */
public final class ConnState
{

    private ConnState()
    {
    }

    /**
     * @param origActive for UDP: the originator sent a packet with a valid checksum (likewise respActive)
     */
    public static String of(final int protocol, final int origState, final int respState, final long origSize,
        final long respSize, final String history, final boolean origActive, final boolean respActive)
    {
        if (protocol == DecodedPacket.PROTO_UDP)
        {
            if (origActive)
            {
                return respActive ? "SF" : "S0";
            }
            return respActive ? "SHR" : "OTH";
        }
        if (protocol != DecodedPacket.PROTO_TCP)
        {
            return "OTH";
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
                return "REJ";
            }
            return origInactive ? "RSTRH" : "RSTR";
        }
        if (os == EndpointState.RESET)
        {
            if (respInactive)
            {
                return synThenReset(history) ? "RSTOS0" : "OTH";
            }
            return "RSTO";
        }
        if (os == EndpointState.CLOSED && rs == EndpointState.CLOSED)
        {
            return "SF";
        }
        if (os == EndpointState.CLOSED)
        {
            return respInactive ? "SH" : "S2";
        }
        if (rs == EndpointState.CLOSED)
        {
            return origInactive ? "SHR" : "S3";
        }
        if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE)
        {
            return "S0";
        }
        if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED)
        {
            return "S1";
        }
        return "OTH";
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

    /** The outcome group the ports and servers reports count by. */
    public static String outcome(final String connState)
    {
        switch (connState)
        {
            case "SF":
                return "completed";
            case "REJ":
                return "rejected";
            case "RSTO":
            case "RSTR":
            case "RSTOS0":
            case "RSTRH":
                return "reset";
            case "S0":
            case "SH":
            case "SHR":
                return "half-open";
            case "S1":
            case "S2":
            case "S3":
                return "in progress";
            default:
                return "other";
        }
    }
}
