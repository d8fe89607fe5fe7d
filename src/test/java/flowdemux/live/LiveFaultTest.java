package flowdemux.live;

import flowdemux.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live capture faults, loopback only: a BPF filter that does not compile, and SIGTERM during a capture. */
class LiveFaultTest
{
    @Test
    void badFilterIsOneLineAndExitTwo()
    {
        LiveRequirement.require();
        final Cli r = Cli.run("capture", "-i", "lo", "-f", "port port port", "--duration", "1");
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("flowdemux: cannot capture on lo"), r.err);
        assertFalse(r.err.contains("Exception"), r.err);
    }

    @Test
    void missingInterfaceIsOneLineAndExitTwo()
    {
        LiveRequirement.require();
        final Cli r = Cli.run("capture", "-i", "no-such-device0", "--duration", "1");
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void sigtermFlushesTheFinalReportAndTheWrittenCapture(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        final InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket sink = new DatagramSocket(0, lo); DatagramSocket client = new DatagramSocket(0, lo))
        {
            final int port = sink.getLocalPort();
            final Path report = tmp.resolve("conn.log");
            final Path pcap = tmp.resolve("live.pcap");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "flowdemux.cli.Main",
                "capture", "-i", "lo", "-f", "udp port " + port, "--format", "zeek", "-o", report.toString(),
                "--write", pcap.toString()).start();
            final StringBuilder err = new StringBuilder();
            final Thread pump = new Thread(() -> pump(p.getErrorStream(), err));
            pump.start();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (!contains(err, "capturing on lo"))
            {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "capture did not start: " + err);
                Thread.sleep(20);
            }
            Thread.sleep(300);
            for (int i = 0; i < 5; i++)
            {
                client.send(new DatagramPacket(new byte[] {1}, 1, lo, port));
            }
            Thread.sleep(500);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the capture ended");
            assertEquals(0, p.exitValue(), "a stop after the final report is a normal end, as tcpdump's: " + err);
            pump.join(5000);
            assertFalse(contains(err, "Exception"), err.toString());
            final String log = Files.readString(report);
            assertTrue(log.contains("\t" + port + "\tudp\t"), log);
            assertTrue(log.contains("#close"), "the report is complete: " + log);
            final Cli back = Cli.run("read", pcap.toString(), "--format", "zeek", "--ignore-checksums");
            assertEquals(0, back.exitCode, back.err);
            assertTrue(back.out.contains("\t" + port + "\tudp\t") && back.out.contains("\t5\t"), back.out);
        }
    }

    /**
     * An interface that disappears during the capture: a veth interface in a network namespace this test makes
     * (never the machine's own interfaces), deleted while the capture runs. The capture ends with one line and
     * exit 2, after the final report.
     */
    @Test
    void interfaceThatDisappearsEndsWithOneLineAndTheReport(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        final String ns = "flowdemux-test-" + ProcessHandle.current().pid();
        if (!sh("ip", "netns", "add", ns))
        {
            if (Boolean.getBoolean("flowdemux.requireLive"))
            {
                throw new AssertionError("cannot make a network namespace here");
            }
            Assumptions.abort("cannot make a network namespace here (ip netns add failed)");
        }
        try
        {
            // A veth pair (the dummy driver is not everywhere), both ends inside the namespace.
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "add", "fdt0", "type", "veth", "peer", "name", "fdt1"));
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "set", "fdt0", "up"));
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "set", "fdt1", "up"));
            final Path report = tmp.resolve("report.txt");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process p = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp",
                System.getProperty("java.class.path"), "flowdemux.cli.Main", "capture", "-i", "fdt0", "--duration", "20",
                "-o", report.toString()).start();
            final StringBuilder err = new StringBuilder();
            final Thread pump = new Thread(() -> pump(p.getErrorStream(), err));
            pump.start();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (!contains(err, "capturing on fdt0"))
            {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "capture did not start: " + err);
                Thread.sleep(20);
            }
            Thread.sleep(300);
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "del", "fdt0"));
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the capture noticed");
            pump.join(5000);
            final String e = err.toString().replace("flowdemux: capturing on fdt0; Ctrl-C to stop", "").strip();
            assertEquals(2, p.exitValue(), e);
            assertEquals(1, e.lines().count(), e);
            assertFalse(e.contains("Exception"), e);
            assertTrue(Files.readString(report).startsWith("flowdemux report: live capture on fdt0"));
        }
        finally
        {
            sh("ip", "netns", "del", ns);
        }
    }

    /**
     * Without permission to capture: the analyzer run as the unprivileged user "nobody" (on a copy of its class
     * path that nobody can read) gives one line that says to use sudo or grant the capture capabilities.
     */
    @Test
    void withoutPermissionOneLineSaysWhatToDo(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
            "runuser is not installed");
        final String classPath = LiveRequirement.classPathForNobody(tmp);
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", java, "-cp", classPath.toString(),
            "flowdemux.cli.Main", "capture", "-i", "lo", "--duration", "1").start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err + out);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("sudo") && err.contains("setcap cap_net_raw,cap_net_admin=eip"), err);
        assertFalse(err.contains("Exception"), err);
    }

    private static boolean sh(final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static boolean contains(final StringBuilder sb, final String text)
    {
        synchronized (sb)
        {
            return sb.indexOf(text) >= 0;
        }
    }

    private static void pump(final InputStream in, final StringBuilder sink)
    {
        final byte[] buf = new byte[4096];
        try
        {
            int n;
            while ((n = in.read(buf)) > 0)
            {
                synchronized (sink)
                {
                    sink.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            }
        }
        catch (java.io.IOException e)
        {
            // the process ended
        }
    }
}
