package flowdemux.live;

import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rolling reports of a live capture on lo, with two workers and read's options: a connection that completes
 * (SF, which Zeek keeps a few seconds for late packets) counts as ended once, never as open; the last interval
 * comes at the end; --local-nets reaches the final conn.log.
 */
class LiveIntervalTest
{
    @Test
    void aCompletedConnectionCountsAsEndedOnce(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        final InetAddress lo = InetAddress.getByName("127.0.0.1");
        final Path log = tmp.resolve("conn.log");
        final Cli[] capture = new Cli[1];
        try (ServerSocket server = new ServerSocket(0, 10, lo))
        {
            final Thread acceptor = new Thread(() ->
            {
                try (Socket s = server.accept())
                {
                    final InputStream in = s.getInputStream();
                    in.read(new byte[64]);
                    final OutputStream out = s.getOutputStream();
                    out.write("ok".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    in.readAllBytes();
                }
                catch (java.io.IOException e)
                {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            final Thread t = new Thread(() -> capture[0] = Cli.run("capture", "-i", "lo", "-f", "tcp port "
                + server.getLocalPort(), "--interval", "1", "--duration", "3.5", "--workers", "2", "--local-nets",
                "10.0.0.0/8", "--format", "zeek", "-o", log.toString()));
            t.start();
            Thread.sleep(1300);
            try (Socket s = new Socket(lo, server.getLocalPort()))
            {
                s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
            }
            t.join(20_000);
            assertNotNull(capture[0]);
            assertEquals(0, capture[0].exitCode, capture[0].err);
        }
        final String out = capture[0].out;
        final List<String> whole = out.lines().filter(l -> l.startsWith("whole run: ")).collect(Collectors.toList());
        assertTrue(whole.size() >= 3, out);
        // Once the connection is done it is ended, not open, and counted once however many intervals follow.
        final String last = whole.get(whole.size() - 1);
        assertTrue(last.contains(", 0 connections open, 1 ended;"), out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("interval: ") && l.contains(", 1 connection ended;"))
            .count(), out);
        assertTrue(out.lines().noneMatch(l -> l.contains(" 1 connection open,")), "a closed connection is never "
            + "open in the same interval it ended: " + out);
        // The rolling view names the program behind the connection: this JVM holds both ends (its server socket
        // at least, which stands in for an accepted socket closed before the lookup).
        final String self = "[" + ProcessHandle.current().pid() + "]";
        assertTrue(out.lines().anyMatch(l -> l.startsWith("top programs") && l.contains(self)), out);
        // The last interval ends at the end of the capture (3.5 s), after the whole seconds.
        final List<String> heads = out.lines().filter(l -> l.startsWith("--- ")).collect(Collectors.toList());
        assertTrue(heads.get(heads.size() - 1).matches("--- 3\\.0 s to 3\\.[5-9] s of the capture ---"), out);
        final List<String> rows = Files.readAllLines(log).stream().filter(l -> !l.startsWith("#"))
            .collect(Collectors.toList());
        assertEquals(1, rows.size(), rows.toString());
        final String[] f = rows.get(0).split("\t");
        assertEquals("SF", f[11]);
        assertEquals("F", f[12], "127.0.0.1 is not in --local-nets 10.0.0.0/8");
        assertEquals("F", f[13]);
    }
}
