package flowdemux.host;

/**
 * One socket of the kernel's table, as sock_diag or /proc/net reports it: addresses as the decoder stores them
 * (IPv4 as IPv4-mapped IPv6, so an IPv4-mapped IPv6 socket and an IPv4 one compare alike), ports, the owner's uid
 * and the socket's inode (0 for a socket no file holds: TIME_WAIT, a SYN_RECV request, an orphan).
 */
public record SocketEntry(int protocol, int state, long localHi, long localLo, int localPort, long remoteHi,
    long remoteLo, int remotePort, int uid, long inode)
{
    /** TCP states as the kernel numbers them (include/net/tcp_states.h). */
    public static final int ESTABLISHED = 1;
    public static final int SYN_SENT = 2;
    public static final int SYN_RECV = 3;
    public static final int TIME_WAIT = 6;
    /** TCP_CLOSE: also every UDP socket that is not connected. */
    public static final int CLOSE = 7;
    public static final int LISTEN = 10;

    /** A TCP listener, or a UDP socket bound without a peer: what {@code sockets} lists. */
    public boolean listening()
    {
        return protocol == Sockets.TCP ? state == LISTEN : remotePort == 0 && isUnspecified(remoteHi, remoteLo);
    }

    /** 0.0.0.0 (as ::ffff:0.0.0.0) or ::. */
    static boolean isUnspecified(final long hi, final long lo)
    {
        return hi == 0 && (lo == 0 || lo == 0x0000_FFFF_0000_0000L);
    }
}
