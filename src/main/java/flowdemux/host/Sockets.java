package flowdemux.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's socket table of one network namespace: through netlink sock_diag where it answers (what {@code ss}
 * uses: one dump, the socket's inode and uid), else /proc/net/{tcp,tcp6,udp,udp6}.
 */
public interface Sockets
{
    int TCP = 6;
    int UDP = 17;

    /** Every socket of {@code protocol} (TCP or UDP), IPv4 and IPv6, in every state. */
    List<SocketEntry> read(int protocol) throws IOException;

    /** The sockets of {@code protocol} whose state is in {@code states} (1 << state each; -1: all). */
    default List<SocketEntry> read(final int protocol, final int states) throws IOException
    {
        final List<SocketEntry> all = read(protocol);
        if (states == -1)
        {
            return all;
        }
        final List<SocketEntry> some = new java.util.ArrayList<>();
        for (final SocketEntry e : all)
        {
            if ((states & (1 << e.state())) != 0)
            {
                some.add(e);
            }
        }
        return some;
    }

    /** Whether {@link #exact} asks the kernel for one four-tuple (else it is not offered: read everything). */
    default boolean exactLookups()
    {
        return false;
    }

    /** The sockets of exactly this endpoint and peer, TIME_WAIT included. */
    default List<SocketEntry> exact(final int protocol, final long localHi, final long localLo, final int localPort,
        final long remoteHi, final long remoteLo, final int remotePort) throws IOException
    {
        throw new UnsupportedOperationException("no exact lookups from " + source());
    }

    /** Opens (or closes) one handle for the calls in between: a round of lookups shares it. */
    default void session(final boolean open) throws IOException
    {
    }

    /** "sock_diag" or "/proc/net". */
    String source();

    /**
     * The table of the calling thread's network namespace: netlink when a first dump works, else the files of
     * {@code procNet} (/proc/thread-self/net: the thread's namespace, which {@code --netns} changes).
     */
    static Sockets open(final Path procNet)
    {
        try
        {
            final NetlinkSockets netlink = new NetlinkSockets();
            netlink.read(TCP);
            return netlink;
        }
        catch (IOException | RuntimeException | LinkageError e)
        {
            return new ProcNetSockets(procNet);
        }
    }
}
