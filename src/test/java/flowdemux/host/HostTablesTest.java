package flowdemux.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket table, the process index and the records a pcapng keeps, on inputs made here (a /proc tree in a
 * temporary folder, lines as the kernel prints them) and on this machine's own tables (netlink against /proc/net).
 */
class HostTablesTest
{
    private static final long V4 = 0x0000_FFFF_0000_0000L;

    @Test
    void procNetLinesParseAsTheKernelPrintsThem()
    {
        // 127.0.0.1:8000 listening, uid 1000, inode 34567 (x86: the address word printed in host order).
        final SocketEntry v4 = ProcNetSockets.parse("   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 "
            + "00000000  1000        0 34567 1 0000000000000000 100 0 0 10 0", Sockets.TCP);
        assertNotNull(v4);
        assertEquals(V4 | 0x7F000001L, v4.localLo());
        assertEquals(0, v4.localHi());
        assertEquals(8000, v4.localPort());
        assertEquals(SocketEntry.LISTEN, v4.state());
        assertEquals(1000, v4.uid());
        assertEquals(34567, v4.inode());
        assertTrue(v4.listening());
        // ::1:443 established to ::1:51000.
        final SocketEntry v6 = ProcNetSockets.parse("   1: 00000000000000000000000001000000:01BB "
            + "00000000000000000000000001000000:C738 01 00000000:00000000 00:00000000 00000000     0        0 991 1",
            Sockets.TCP);
        assertNotNull(v6);
        assertEquals(0, v6.localHi());
        assertEquals(1, v6.localLo());
        assertEquals(443, v6.localPort());
        assertEquals(51000, v6.remotePort());
        assertFalse(v6.listening());
        assertNull(ProcNetSockets.parse("  sl  local_address rem_address   st tx_queue", Sockets.TCP));
        assertNull(ProcNetSockets.parse("   0: 0100007F 00000000:0000 0A 0 0 0 0 0 0 0", Sockets.TCP));
    }

    @Test
    void netlinkAndProcNetListTheSameListeningSockets() throws Exception
    {
        try (java.net.ServerSocket tcp = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"));
            java.net.DatagramSocket udp = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("::1")))
        {
            final Sockets netlink = Sockets.open(Path.of("/proc/thread-self/net"));
            assertEquals("sock_diag", netlink.source(), "netlink sock_diag answers on Linux");
            final Sockets files = new ProcNetSockets(Path.of("/proc/thread-self/net"));
            for (final int protocol : new int[] {Sockets.TCP, Sockets.UDP})
            {
                assertEquals(listening(files.read(protocol)), listening(netlink.read(protocol)),
                    "protocol " + protocol);
            }
            assertTrue(listening(netlink.read(Sockets.TCP)).contains("0:" + Long.toHexString(V4 | 0x7F000001L) + ":"
                + tcp.getLocalPort()), "the test's own listener");
            assertTrue(listening(netlink.read(Sockets.UDP)).contains("0:1:" + udp.getLocalPort()));
            // The JVM holds both: the process index names this very process.
            final Programs programs = Programs.system();
            final long pid = ProcessHandle.current().pid();
            for (final SocketEntry e : netlink.read(Sockets.TCP))
            {
                if (e.listening() && e.localPort() == tcp.getLocalPort())
                {
                    assertEquals(pid, programs.holder(e.inode()).pid());
                }
            }
        }
    }

    /** The kernel's answer for one four-tuple: an open connection's socket with its inode, a closed one's TIME_WAIT. */
    @Test
    void exactLookupsFindOpenAndTimeWaitSocketsOverIpv4AndIpv6() throws Exception
    {
        final Sockets netlink = Sockets.open(Path.of("/proc/thread-self/net"));
        assertTrue(netlink.exactLookups());
        for (final String host : new String[] {"127.0.0.1", "::1"})
        {
            final java.net.InetAddress a = java.net.InetAddress.getByName(host);
            final long hi = 0;
            final long lo = host.contains(":") ? 1 : V4 | 0x7F000001L;
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, a))
            {
                final java.net.Socket client = new java.net.Socket(a, server.getLocalPort());
                final java.net.Socket accepted = server.accept();
                final int cp = client.getLocalPort();
                final int sp = server.getLocalPort();
                final List<SocketEntry> open = netlink.exact(Sockets.TCP, hi, lo, cp, hi, lo, sp);
                assertEquals(1, open.size(), host + " " + open);
                assertEquals(SocketEntry.ESTABLISHED, open.get(0).state());
                assertEquals(ProcessHandle.current().pid(), Programs.system().holder(open.get(0).inode()).pid());
                assertEquals(1, netlink.exact(Sockets.TCP, hi, lo, sp, hi, lo, cp).size(), "the accepted side");
                // The client closes first: its side waits in TIME_WAIT, which no file holds.
                client.close();
                accepted.getInputStream().read();
                accepted.close();
                Thread.sleep(50);
                final List<SocketEntry> closed = netlink.exact(Sockets.TCP, hi, lo, cp, hi, lo, sp);
                assertEquals(1, closed.size(), host + " " + closed);
                assertEquals(SocketEntry.TIME_WAIT, closed.get(0).state());
                assertEquals(0, closed.get(0).inode());
                assertEquals(List.of(), netlink.exact(Sockets.TCP, hi, lo, cp + 1 == sp ? cp + 2 : cp + 1, hi, lo, sp),
                    "no such socket");
            }
        }
    }

    private static Set<String> listening(final List<SocketEntry> entries)
    {
        final Set<String> out = new TreeSet<>();
        for (final SocketEntry e : entries)
        {
            if (e.listening())
            {
                out.add(Long.toHexString(e.localHi()) + ":" + Long.toHexString(e.localLo()) + ":" + e.localPort()
                    + (e.inode() == 0 ? "" : ""));
            }
        }
        return out;
    }

    @Test
    void theProcessIndexNamesTheHolderAndNeverAStalePid(@TempDir final Path tmp) throws Exception
    {
        final Path proc = tmp.resolve("proc");
        process(proc, 100, "nginx", 33, "0::/system.slice/nginx.service\n", 7, 555);
        process(proc, 101, "nginx", 33, "0::/system.slice/nginx.service\n", 4, 555); // a forked worker
        process(proc, 200, "sshd", 0, "12:pids:/x\n1:name=systemd:/system.slice/ssh.service\n", 3, 777);
        final Path passwd = tmp.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
        final Programs programs = new Programs(proc, passwd);
        assertEquals(new Program(100, "nginx", "www-data", "/system.slice/nginx.service"), programs.holder(555));
        assertEquals(List.of(100, 101), programs.holders(555).stream().map(Program::pid).toList());
        assertEquals(new Program(200, "sshd", "root", "/system.slice/ssh.service"), programs.holder(777));
        assertEquals(1, programs.scans(), "one scan for both");
        assertNull(programs.holder(999), "an inode no process holds");
        assertEquals(1, programs.scans(), "a miss rescans at most once a round");
        // pid 200 ends and its number goes to another program holding another socket: 777 is not its.
        Files.delete(proc.resolve("200/fd/3"));
        Files.createSymbolicLink(proc.resolve("200/fd/3"), Path.of("socket:[888]"));
        Files.writeString(proc.resolve("200/comm"), "evil\n");
        programs.newRound();
        assertNull(programs.holder(777));
        assertEquals("evil", programs.holder(888).name());
    }

    private static void process(final Path proc, final int pid, final String name, final int uid, final String cgroup,
        final int fd, final long inode) throws Exception
    {
        final Path dir = proc.resolve(Integer.toString(pid));
        Files.createDirectories(dir.resolve("fd"));
        Files.writeString(dir.resolve("comm"), name + "\n");
        Files.writeString(dir.resolve("status"), "Name:\t" + name + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t"
            + uid + "\n");
        Files.writeString(dir.resolve("cgroup"), cgroup);
        Files.createSymbolicLink(dir.resolve("fd/" + fd), Path.of("socket:[" + inode + "]"));
        Files.createSymbolicLink(dir.resolve("fd/" + (fd + 1)), Path.of("pipe:[" + (inode + 1) + "]"));
    }

    @Test
    void recordsKeptInACaptureReadBackAlike()
    {
        final Attribution from = new Attribution(null, false);
        final Program odd = new Program(4242, "we\tird\\name\n", "us er", "/user.slice/x");
        final LocalConnection c = new LocalConnection(77, Sockets.TCP, 0, V4 | 0x7F000001L, 40000, 0, 1, 8080, 123_456_789L)
            .owners(Owner.of(odd, true), Owner.none(Owner.Kind.NO_ACCESS, "postgres"));
        final Attribution to = new Attribution(null, false);
        final byte[] block = HostRecords.connection(c);
        assertTrue(HostRecords.read(block, 0, block.length, to));
        assertEquals(Owner.of(odd, true), to.owner(77, 0, V4 | 0x7F000001L, 40000));
        assertEquals(Owner.none(Owner.Kind.NO_ACCESS, "postgres"), to.owner(77, 0, 1, 8080));
        assertNull(to.owner(77, 0, 1, 8081), "not an endpoint of it");
        assertNull(to.owner(78, 0, 1, 8080), "not a connection of it");
        final Listener l = new Listener(Sockets.UDP, 0, 0, 53, 101, "systemd-resolve",
            List.of(new Program(9, "systemd-resolve", "systemd-resolve", "/system.slice/systemd-resolved.service")));
        final byte[] listening = HostRecords.listening("end", List.of(l));
        assertTrue(HostRecords.read(listening, 0, listening.length, to));
        assertEquals(List.of(l), to.listenersAtEnd());
        final byte[] addresses = HostRecords.addresses(new long[] {0, V4 | 0x0A000001L, 0x20010DB8_00000000L, 5});
        assertTrue(HostRecords.read(addresses, 0, addresses.length, to));
        assertTrue(to.isLocalAddress(0, V4 | 0x0A000001L));
        assertTrue(to.isLocalAddress(0x20010DB8_00000000L, 5));
        assertTrue(to.isLocalAddress(0, V4 | 0x7F000005L), "127/8 is local whole");
        assertFalse(to.isLocalAddress(0, V4 | 0x0A000002L));
        // Another tool's block, or a damaged one, is skipped.
        final byte[] other = "wireshark\tsomething".getBytes(StandardCharsets.UTF_8);
        assertFalse(HostRecords.read(other, 0, other.length, to));
        final byte[] cut = java.util.Arrays.copyOf(block, block.length / 2);
        assertFalse(HostRecords.read(cut, 0, cut.length, from));
        assertNull(from.owner(77, 0, 1, 8080));
    }

    /** A capture's blocks are untrusted: every cut and mutation of valid ones is read or skipped, never thrown. */
    @Test
    void damagedRecordsAreSkippedNotThrown()
    {
        final LocalConnection c = new LocalConnection(5, Sockets.UDP, 0, V4 | 0x7F000001L, 1, 0, 1, 2, 3)
            .owners(Owner.of(new Program(1, "a", "b", "c"), false), Owner.none(Owner.Kind.ENDED, null));
        final List<byte[]> blocks = List.of(HostRecords.connection(c), HostRecords.addresses(new long[] {0, 1, 2, 3}),
            HostRecords.listening("start", List.of(new Listener(Sockets.TCP, 0, 0, 80, 0, "root",
                List.of(new Program(1, "a", "b", "c"))))));
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        final Attribution into = new Attribution(null, false);
        int read = 0;
        for (final byte[] block : blocks)
        {
            for (int n = 0; n <= block.length; n++)
            {
                read += HostRecords.read(block, 0, n, into) ? 1 : 0;
            }
            for (int i = 0; i < 2000; i++)
            {
                final byte[] m = block.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++)
                {
                    m[random.nextInt(m.length)] = (byte)(random.nextBoolean() ? '\t' : random.nextInt(256));
                }
                read += HostRecords.read(m, 0, m.length, into) ? 1 : 0;
            }
        }
        assertTrue(read > 0, "some survive");
    }

    @Test
    void networksMatchByPrefix()
    {
        final long[] nets = {0, V4 | 0x0AC70000L, 96 + 30, 0x20010DB8_00010000L, 0, 48};
        assertTrue(LocalAddresses.inNets(nets, 0, V4 | 0x0AC70002L));
        assertFalse(LocalAddresses.inNets(nets, 0, V4 | 0x0AC70004L));
        assertTrue(LocalAddresses.inNets(nets, 0x20010DB8_0001FFFFL, 7));
        assertFalse(LocalAddresses.inNets(nets, 0x20010DB8_00020000L, 7));
    }
}
