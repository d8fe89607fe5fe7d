package flowdemux.host;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the socket table and --netns need, through JNA's direct mapping (which the live capture
 * already loads): native methods bound once, without the reflective proxy of an interface mapping, whose overhead
 * would be most of an exact socket lookup.
 */
final class LibC
{
    static final int AF_NETLINK = 16;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_INET_DIAG = 4;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;

    static
    {
        Native.register("c");
    }

    private LibC()
    {
    }

    static native int socket(int domain, int type, int protocol);

    static native int setsockopt(int fd, int level, int name, byte[] value, int length);

    static native long send(int fd, Pointer buffer, long length, int flags);

    static native long recv(int fd, Pointer buffer, long length, int flags);

    static native int close(int fd);

    static native int open(String path, int flags);

    static native int setns(int fd, int nstype);

    static native String strerror(int errno);
}
