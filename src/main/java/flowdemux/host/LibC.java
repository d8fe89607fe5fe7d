package flowdemux.host;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls the socket table and --netns need, through JNA (which the live capture already loads). */
interface LibC extends Library
{
    LibC C = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_INET_DIAG = 4;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int name, byte[] value, int length);

    long send(int fd, byte[] buffer, long length, int flags);

    long recv(int fd, byte[] buffer, long length, int flags);

    int close(int fd);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    String strerror(int errno);
}
