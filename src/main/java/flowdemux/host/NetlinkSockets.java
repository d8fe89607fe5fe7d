package flowdemux.host;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * sock_diag (NETLINK_INET_DIAG, linux/inet_diag.h): dumps per address family and protocol, and exact lookups of one
 * four-tuple (what the kernel answers from its hash tables, TIME_WAIT sockets included, without walking every
 * socket). A netlink socket is opened per use, on the calling thread, so that it belongs to that thread's network
 * namespace.
 */
final class NetlinkSockets implements Sockets
{
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int ENOENT = 2;
    /** TCPF_LISTEN: 1 << TCP_LISTEN. */
    static final int LISTENING_ONLY = 1 << SocketEntry.LISTEN;
    /** nlmsghdr (16) + inet_diag_req_v2 (56). */
    private static final int REQUEST_LENGTH = 72;
    /** inet_diag_msg: family .. inode. */
    private static final int MESSAGE_LENGTH = 72;

    private final byte[] buffer = new byte[1 << 16];
    /**
     * The native side of {@link #buffer} and of requests: JNA would copy a whole Java array both ways on every call,
     * 64 KiB for a lookup whose answer is 88 bytes.
     */
    private final com.sun.jna.Memory nativeBuffer = new com.sun.jna.Memory(1 << 16);
    private int sequence;
    /** The open netlink socket of a {@link #session}, or -1. */
    private int fd = -1;

    @Override
    public String source()
    {
        return "sock_diag";
    }

    @Override
    public List<SocketEntry> read(final int protocol) throws IOException
    {
        return read(protocol, -1);
    }

    @Override
    public boolean exactLookups()
    {
        return true;
    }

    /** Every socket of {@code protocol} whose state is in {@code states} (1 << state each; -1 for all). */
    @Override
    public List<SocketEntry> read(final int protocol, final int states) throws IOException
    {
        final List<SocketEntry> entries = new ArrayList<>();
        final boolean own = fd < 0;
        if (own)
        {
            open();
        }
        try
        {
            request(AF_INET, protocol, states, true, 0, 0, 0, 0, 0, 0, entries);
            request(AF_INET6, protocol, states, true, 0, 0, 0, 0, 0, 0, entries);
        }
        finally
        {
            if (own)
            {
                close();
            }
        }
        return entries;
    }

    @Override
    public List<SocketEntry> exact(final int protocol, final long localHi, final long localLo, final int localPort,
        final long remoteHi, final long remoteLo, final int remotePort) throws IOException
    {
        final List<SocketEntry> entries = new ArrayList<>(1);
        final boolean own = fd < 0;
        if (own)
        {
            open();
        }
        try
        {
            final boolean v4 = isMapped(localHi, localLo) && isMapped(remoteHi, remoteLo);
            if (v4)
            {
                request(AF_INET, protocol, -1, false, localHi, localLo, localPort, remoteHi, remoteLo, remotePort,
                    entries);
            }
            if (entries.isEmpty())
            {
                // An IPv6 socket, or an IPv4 connection to a dual-stack one (its addresses IPv4-mapped).
                request(AF_INET6, protocol, -1, false, localHi, localLo, localPort, remoteHi, remoteLo, remotePort,
                    entries);
            }
        }
        finally
        {
            if (own)
            {
                close();
            }
        }
        return entries;
    }

    @Override
    public void session(final boolean open) throws IOException
    {
        if (open && fd < 0)
        {
            open();
        }
        else if (!open && fd >= 0)
        {
            close();
        }
    }

    private void open() throws IOException
    {
        fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.NETLINK_INET_DIAG);
        if (fd < 0)
        {
            throw new IOException("netlink socket: " + LibC.strerror(Native.getLastError()));
        }
        // An answer the kernel does not finish within two seconds is given up, not waited for.
        final byte[] timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(2).putLong(0).array();
        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout, timeout.length);
    }

    private void close()
    {
        LibC.close(fd);
        fd = -1;
    }

    private static boolean isMapped(final long hi, final long lo)
    {
        return hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == 0x0000_FFFF_0000_0000L;
    }

    private void request(final int family, final int protocol, final int states, final boolean dump,
        final long localHi, final long localLo, final int localPort, final long remoteHi, final long remoteLo,
        final int remotePort, final List<SocketEntry> into) throws IOException
    {
        final int seq = ++sequence;
        final ByteBuffer req = ByteBuffer.allocate(REQUEST_LENGTH).order(ByteOrder.nativeOrder());
        req.putInt(REQUEST_LENGTH).putShort((short)SOCK_DIAG_BY_FAMILY)
            .putShort((short)(dump ? NLM_F_REQUEST | NLM_F_DUMP : NLM_F_REQUEST)).putInt(seq).putInt(0);
        req.put((byte)family).put((byte)protocol).put((byte)0).put((byte)0).putInt(states);
        if (!dump)
        {
            // inet_diag_sockid: ports and addresses in network order, any interface, INET_DIAG_NOCOOKIE.
            final ByteBuffer id = req.duplicate().order(ByteOrder.BIG_ENDIAN);
            id.position(24);
            id.putShort((short)localPort).putShort((short)remotePort);
            putAddress(id, family, localHi, localLo);
            putAddress(id, family, remoteHi, remoteLo);
            id.putInt(0).putInt(-1).putInt(-1);
        }
        nativeBuffer.write(0, req.array(), 0, REQUEST_LENGTH);
        if (LibC.send(fd, nativeBuffer, REQUEST_LENGTH, 0) != REQUEST_LENGTH)
        {
            throw new IOException("netlink send: " + LibC.strerror(Native.getLastError()));
        }
        while (true)
        {
            final long n = LibC.recv(fd, nativeBuffer, buffer.length, 0);
            if (n <= 0)
            {
                throw new IOException("netlink receive: " + (n == 0 ? "closed" : LibC.strerror(Native.getLastError())));
            }
            nativeBuffer.read(0, buffer, 0, (int)n);
            final ByteBuffer b = ByteBuffer.wrap(buffer, 0, (int)n).order(ByteOrder.nativeOrder());
            int p = 0;
            while (p + 16 <= n)
            {
                final int length = b.getInt(p);
                final int type = b.getShort(p + 4) & 0xFFFF;
                if (length < 16 || p + length > n)
                {
                    throw new IOException("netlink: a message of " + length + " bytes in " + n);
                }
                if (b.getInt(p + 8) == seq)
                {
                    if (type == NLMSG_DONE)
                    {
                        return;
                    }
                    if (type == NLMSG_ERROR)
                    {
                        final int errno = -b.getInt(p + 16);
                        if (!dump && errno == ENOENT)
                        {
                            return; // no such socket
                        }
                        throw new IOException("sock_diag: " + LibC.strerror(errno));
                    }
                    if (type == SOCK_DIAG_BY_FAMILY && length >= 16 + MESSAGE_LENGTH)
                    {
                        into.add(entry(b, p + 16, protocol));
                        if (!dump)
                        {
                            return; // an exact lookup answers with one message, no DONE
                        }
                    }
                }
                p += (length + 3) & ~3;
            }
        }
    }

    private static void putAddress(final ByteBuffer id, final int family, final long hi, final long lo)
    {
        if (family == AF_INET)
        {
            id.putInt((int)lo).putInt(0).putLong(0);
        }
        else
        {
            id.putLong(hi).putLong(lo);
        }
    }

    private static SocketEntry entry(final ByteBuffer b, final int m, final int protocol)
    {
        final ByteBuffer network = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        final boolean v4 = (b.get(m) & 0xFF) == AF_INET;
        final long[] local = address(network, m + 8, v4);
        final long[] remote = address(network, m + 24, v4);
        return new SocketEntry(protocol, b.get(m + 1) & 0xFF, local[0], local[1],
            Short.toUnsignedInt(network.getShort(m + 4)), remote[0], remote[1],
            Short.toUnsignedInt(network.getShort(m + 6)), b.getInt(m + 64), b.getInt(m + 68) & 0xFFFF_FFFFL);
    }

    /** 16 bytes in network order (IPv4 in the first 4) as the decoder's hi/lo. */
    private static long[] address(final ByteBuffer be, final int at, final boolean v4)
    {
        if (v4)
        {
            return new long[] {0, 0x0000_FFFF_0000_0000L | (be.getInt(at) & 0xFFFF_FFFFL)};
        }
        return new long[] {be.getLong(at), be.getLong(at + 8)};
    }
}
