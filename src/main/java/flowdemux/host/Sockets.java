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
