package flowdemux.host;

import java.util.List;

/**
 * A listening TCP socket or a bound UDP one, with the programs holding it (several for a SO_REUSEPORT group or
 * a socket inherited by forked workers; none when they could not be read or had ended).
 */
public record Listener(int protocol, long hi, long lo, int port, int uid, String user, List<Program> programs)
{
    public boolean ipv4()
    {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == 0x0000_FFFF_0000_0000L;
    }

    /** 0.0.0.0 or ::: every address of the host. */
    public boolean anyAddress()
    {
        return SocketEntry.isUnspecified(hi, lo);
    }

    /** 127.0.0.0/8 or ::1: reachable from this host only. */
    public boolean loopbackOnly()
    {
        return ipv4() ? (lo >>> 24 & 0xFF) == 127 : hi == 0 && lo == 1;
    }

    /** Whether a connection to {@code addrHi/addrLo:port} reaches this socket. */
    public boolean accepts(final int protocol, final long addrHi, final long addrLo, final int port)
    {
        if (protocol != this.protocol || port != this.port)
        {
            return false;
        }
        if (hi == addrHi && lo == addrLo)
        {
            return true;
        }
        final boolean v4 = addrHi == 0 && (addrLo & 0xFFFF_FFFF_0000_0000L) == 0x0000_FFFF_0000_0000L;
        // 0.0.0.0 takes IPv4; :: takes IPv6 and, dual-stack (Linux's default), IPv4 too.
        return lo == 0 && hi == 0 || v4 && anyAddress();
    }

    /** "nginx[812]" or "nginx[812], nginx[813]" or "-". */
    public String owners()
    {
        if (programs.isEmpty())
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder();
        for (final Program p : programs)
        {
            if (sb.length() > 0)
            {
                sb.append(", ");
            }
            sb.append(p.name()).append('[').append(p.pid()).append(']');
        }
        return sb.toString();
    }
}
