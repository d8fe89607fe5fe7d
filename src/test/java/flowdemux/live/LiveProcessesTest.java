package flowdemux.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process attribution on this host, on loopback and in a network namespace the test makes: servers in child
 * processes with known pids (python's http.server, a TCP echo that keeps each connection, a UDP echo, a listener
 * that never gets traffic), clients in this JVM; every connection's owners must be the pids that made them, the idle
 * listener must be listed as idle, {@code ss -tulnp} taken at the same moment must agree with {@code sockets --format
 * json} socket for socket, and what {@code --write F.pcapng} kept must read back alike.
 */
class LiveProcessesTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long a client keeps its socket after its exchange: longer than libpcap's block timeout (0.1 s) and the
     * lookup's first round (20 ms) with room for a busy machine, so that its own socket is what is found.
     */
    private static final int HOLD_MILLIS = 600;
    /** A TCP echo server that keeps each connection until the client closes it; prints its port. */
    private static final String TCP_ECHO = String.join("\n",
        "import socket, sys, threading",
        "fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)",
        "s.bind((sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)); s.listen(16)",
        "print(s.getsockname()[1], flush=True)",
        "def serve(c):",
        "    while True:",
        "        d = c.recv(4096)",
        "        if not d: break",
        "        c.sendall(d)",
        "    c.close()",
        "while True:",
        "    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()");
    private static final String UDP_ECHO = String.join("\n",
        "import socket, sys",
        "fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0)); print(s.getsockname()[1], flush=True)",
        "while True:",
        "    d, a = s.recvfrom(4096); s.sendto(d, a)");
    /** Connects, says one byte and exits at once: the short-lived client. */
    private static final String SHORT_CLIENT = "import socket, sys; s = socket.create_connection((sys.argv[1], "
        + "int(sys.argv[2]))); s.sendall(b'x'); s.close()";

    @Test
    void everyLocalConnectionIsItsProgramsAndSsAgrees(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        LiveRequirement.requireTool("ss");
        LiveRequirement.requireTool("python3");
        final List<Child> children = new ArrayList<>();
        try
        {
            final Child http4 = Child.httpServer("127.0.0.1", children);
            final Child http6 = Child.httpServer("::1", children);
            final Child echo4 = Child.python(TCP_ECHO, children, "127.0.0.1");
            final Child echo6 = Child.python(TCP_ECHO, children, "::1");
            final Child udp4 = Child.python(UDP_ECHO, children, "127.0.0.1");
            final Child udp6 = Child.python(UDP_ECHO, children, "::1");
            final Child idle = Child.python(TCP_ECHO, children, "127.0.0.1");
            // A dual-stack server (::, taking IPv4 as IPv4-mapped addresses) and a SO_REUSEPORT group of two.
            final Child dual = Child.python(TCP_ECHO, children, "::");
            final Child group1 = Child.python(TCP_ECHO, children, "127.0.0.1");
            final Child group2 = Child.start(List.of("python3", "-u", "-c", TCP_ECHO, "127.0.0.1",
                Integer.toString(group1.port)), "127.0.0.1", children);
            final List<Child> servers = List.of(http4, http6, echo4, echo6, udp4, udp6, idle, dual, group1, group2);
            final StringBuilder filter = new StringBuilder();
            for (final Child c : servers)
            {
                filter.append(filter.length() == 0 ? "" : " or ").append("port ").append(c.port);
            }
            final Path json = tmp.resolve("capture.json");
            final Path saved = tmp.resolve("capture.pcapng");
            final Capture capture = Capture.start("lo", filter.toString(), 9, tmp, "--format", "json", "--top", "all",
                "-o", json.toString(), "--write", saved.toString());

            // The same moment: ss and sockets.
            final Map<String, Set<Long>> ss = ssListening();
            final JsonNode listed = JSON.readTree(run("sockets", "--format", "json"));
            assertEquals(ss, socketsListening(listed), "ss -tulnp and sockets --format json");
            for (final Child c : servers)
            {
                assertTrue(ss.values().stream().anyMatch(pids -> pids.contains(c.pid)), "ss sees " + c.pid);
            }
            assertEquals(Set.of(group1.pid, group2.pid), ss.get("tcp 127.0.0.1:" + group1.port), "a SO_REUSEPORT group: two sockets on one address and port, a process each");

            final Process shortLived = new ProcessBuilder("python3", "-c", SHORT_CLIENT, echo4.host,
                Integer.toString(echo4.port)).start();
            assertTrue(shortLived.waitFor(10, TimeUnit.SECONDS));
            final long shortPid = shortLived.pid();
            final long self = ProcessHandle.current().pid();
            final Map<Integer, Long> expectedServer = new HashMap<>();
            for (final Child http : List.of(http4, http6))
            {
                try (Socket s = new Socket(http.host, http.port))
                {
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().readAllBytes();
                    expectedServer.put(s.getLocalPort(), http.pid);
                    Thread.sleep(HOLD_MILLIS); // held (CLOSE_WAIT): the lookup finds this side's socket
                }
            }
            for (final Child echo : List.of(echo4, echo6))
            {
                try (Socket s = new Socket(echo.host, echo.port))
                {
                    s.getOutputStream().write(new byte[] {1, 2, 3});
                    s.getInputStream().readNBytes(3);
                    expectedServer.put(s.getLocalPort(), echo.pid);
                    Thread.sleep(HOLD_MILLIS);
                }
            }
            // IPv4 to the dual-stack server; and to the group, whose member that accepted it owns it.
            final Map<Integer, Set<Long>> eitherOf = new HashMap<>();
            for (final Child to : List.of(dual, group1))
            {
                try (Socket s = new Socket("127.0.0.1", to.port))
                {
                    s.getOutputStream().write(new byte[] {1, 2, 3});
                    s.getInputStream().readNBytes(3);
                    eitherOf.put(s.getLocalPort(), to == dual ? Set.of(dual.pid) : Set.of(group1.pid, group2.pid));
                    Thread.sleep(HOLD_MILLIS);
                }
            }
            for (final Child udp : List.of(udp4, udp6))
            {
                try (DatagramSocket d = new DatagramSocket(0, InetAddress.getByName(udp.host)))
                {
                    d.send(new DatagramPacket(new byte[] {4, 5, 6}, 3, InetAddress.getByName(udp.host), udp.port));
                    d.setSoTimeout(3000);
                    d.receive(new DatagramPacket(new byte[64], 64));
                    expectedServer.put(d.getLocalPort(), udp.pid);
                    Thread.sleep(HOLD_MILLIS);
                }
            }
            assertEquals(0, capture.finish(), capture.err());

            final JsonNode report = JSON.readTree(json.toFile());
            final Map<String, String> owners = new TreeMap<>();
            int jvmConnections = 0;
            boolean shortSeen = false;
            for (final JsonNode c : report.get("connections"))
            {
                final int origPort = c.get("orig_p").asInt();
                final JsonNode orig = c.get("orig_process");
                final JsonNode resp = c.get("resp_process");
                assertNotNull(orig, c.toString());
                assertNotNull(resp, c.toString());
                owners.put(c.get("uid").asText(), orig + " " + resp);
                if (eitherOf.containsKey(origPort))
                {
                    assertEquals(self, orig.path("pid").asLong(), "the JVM made it: " + c);
                    assertTrue(eitherOf.get(origPort).contains(resp.path("pid").asLong()), "its server: " + c);
                    assertFalse(resp.has("via"), "the accepted socket itself was found: " + c);
                }
                else if (expectedServer.containsKey(origPort))
                {
                    jvmConnections++;
                    assertEquals(self, orig.path("pid").asLong(), "the JVM made it: " + c);
                    assertEquals((long)expectedServer.get(origPort), resp.path("pid").asLong(), "its server: " + c);
                }
                else
                {
                    // The short-lived client: its own pid, or honestly gone; never another program.
                    shortSeen = true;
                    assertEquals(echo4.port, c.get("resp_p").asInt(), c.toString());
                    assertEquals(echo4.pid, resp.path("pid").asLong(), c.toString());
                    if (orig.has("pid"))
                    {
                        assertEquals(shortPid, orig.get("pid").asLong(), c.toString());
                    }
                    else
                    {
                        assertTrue(Set.of("ended before lookup", "no socket at lookup").contains(orig.get("state")
                            .asText()), c.toString());
                    }
                }
            }
            assertEquals(6, jvmConnections, report.get("connections").toString());
            assertTrue(shortSeen, "the short-lived client's connection");

            // The idle listener is listed as idle, with its program; the others as listening here.
            boolean idleListed = false;
            for (final JsonNode l : report.get("listening_idle"))
            {
                if (l.get("port").asInt() == idle.port)
                {
                    idleListed = true;
                    assertEquals(idle.pid, l.get("processes").get(0).get("pid").asLong());
                }
                assertFalse(servers.stream().anyMatch(c -> c != idle && c.port == l.get("port").asInt()), l.toString());
            }
            assertTrue(idleListed, report.get("listening_idle").toString());
            for (final JsonNode s : report.get("servers"))
            {
                assertEquals("listening", s.get("on_host").asText(), s.toString());
            }
            final Set<Long> programs = new TreeSet<>();
            for (final JsonNode p : report.get("processes"))
            {
                programs.add(p.get("pid").asLong());
            }
            assertTrue(programs.containsAll(List.of(self, http4.pid, http6.pid, echo4.pid, echo6.pid, udp4.pid,
                udp6.pid)), programs.toString());

            // What the pcapng kept reads back to the same owners, uid for uid.
            final JsonNode back = JSON.readTree(run("read", saved.toString(), "--format", "json", "--top", "all"));
            final Map<String, String> again = new TreeMap<>();
            for (final JsonNode c : back.get("connections"))
            {
                again.put(c.get("uid").asText(), c.get("orig_process") + " " + c.get("resp_process"));
            }
            assertEquals(owners, again);
            assertEquals(report.get("processes"), back.get("processes"));
        }
        finally
        {
            for (final Child c : children)
            {
                c.process.destroyForcibly();
            }
        }
    }

    /**
     * A server inside a network namespace the test makes, reached over a veth pair and captured on this side: "other
     * namespace" by default, its own pid with --netns; and the namespace's sockets listed by sockets --netns.
     */
    @Test
    void aServerInAnotherNamespaceIsSaidSoAndFoundWithNetns(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        LiveRequirement.requireTool("ip");
        LiveRequirement.requireTool("python3");
        final String tag = Long.toString(ProcessHandle.current().pid() % 100000);
        final String ns = "fdproc" + tag;
        final String here = "fdp" + tag + "a";
        final String there = "fdp" + tag + "b";
        if (!sh("ip", "netns", "add", ns))
        {
            if (Boolean.getBoolean("flowdemux.requireLive"))
            {
                throw new AssertionError("cannot make a network namespace here");
            }
            Assumptions.abort("cannot make a network namespace here (ip netns add failed)");
        }
        final List<Child> children = new ArrayList<>();
        try
        {
            assertTrue(sh("ip", "link", "add", here, "type", "veth", "peer", "name", there));
            assertTrue(sh("ip", "link", "set", there, "netns", ns));
            assertTrue(sh("ip", "addr", "add", "10.199.77.1/30", "dev", here));
            assertTrue(sh("ip", "link", "set", here, "up"));
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "addr", "add", "10.199.77.2/30", "dev", there));
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "set", there, "up"));
            assertTrue(sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
            final Child server = Child.start(List.of("ip", "netns", "exec", ns, "python3", "-u", "-c",
                TCP_ECHO + "\n", "10.199.77.2"), "10.199.77.2", children);
            Thread.sleep(1500); // the veth's carrier

            for (final boolean withNetns : new boolean[] {false, true})
            {
                final Path json = tmp.resolve("capture-" + withNetns + ".json");
                final List<String> extra = new ArrayList<>(List.of("--format", "json", "--top", "all", "-o",
                    json.toString()));
                if (withNetns)
                {
                    extra.add("--netns");
                    extra.add("/run/netns/" + ns);
                }
                final Capture capture = Capture.start(here, "port " + server.port, 3, tmp, extra.toArray(new String[0]));
                try (Socket s = new Socket("10.199.77.2", server.port))
                {
                    s.getOutputStream().write(new byte[] {7, 8, 9});
                    s.getInputStream().readNBytes(3);
                    Thread.sleep(HOLD_MILLIS);
                }
                assertEquals(0, capture.finish(), capture.err());
                final JsonNode c = JSON.readTree(json.toFile()).get("connections").get(0);
                if (withNetns)
                {
                    assertEquals(server.pid, c.get("resp_process").get("pid").asLong(), c.toString());
                    assertTrue(c.get("orig_process") == null, "this side is not of that namespace: " + c);
                }
                else
                {
                    assertEquals("other namespace", c.get("resp_process").get("state").asText(), c.toString());
                    assertEquals(ProcessHandle.current().pid(), c.get("orig_process").get("pid").asLong(), c.toString());
                }
            }
            final JsonNode listed = JSON.readTree(run("sockets", "--format", "json", "--netns", "/run/netns/" + ns));
            boolean found = false;
            for (final JsonNode s : listed.get("sockets"))
            {
                found |= s.get("port").asInt() == server.port && s.get("processes").get(0).get("pid").asLong()
                    == server.pid;
            }
            assertTrue(found, listed.toString());
        }
        finally
        {
            for (final Child c : children)
            {
                c.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            sh("ip", "link", "del", here);
            sh("ip", "netns", "del", ns);
        }
    }

    /** The user "nobody" cannot read root's /proc/PID/fd: sockets lists the socket with its user and says why. */
    @Test
    void withoutRightsTheUserIsGivenAndTheReasonSaidOnce(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        LiveRequirement.requireTool("runuser");
        LiveRequirement.requireTool("python3");
        final List<Child> children = new ArrayList<>();
        try
        {
            final Child idle = Child.python(TCP_ECHO, children, "127.0.0.1");
            final String classPath = LiveRequirement.classPathForNobody(tmp);
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final Process p = new ProcessBuilder("runuser", "-u", "nobody", "--", java, "-cp", classPath,
                "flowdemux.cli.Main", "sockets", "--format", "json").start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err + out);
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains("could not be read") && err.contains("root"), err);
            boolean found = false;
            for (final JsonNode s : JSON.readTree(out).get("sockets"))
            {
                if (s.get("port").asInt() == idle.port)
                {
                    found = true;
                    assertEquals("root", s.get("user").asText(), s.toString());
                    assertEquals(0, s.get("processes").size(), "not guessed: " + s);
                }
            }
            assertTrue(found, out);
        }
        finally
        {
            for (final Child c : children)
            {
                c.process.destroyForcibly();
            }
        }
    }

    /** ss -tulnpH: "proto address:port" to the pids holding it. */
    private static Map<String, Set<Long>> ssListening() throws Exception
    {
        final Process p = new ProcessBuilder("ss", "-tulnpH").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        final Map<String, Set<Long>> sockets = new TreeMap<>();
        final Pattern pid = Pattern.compile("pid=(\\d+)");
        for (final String line : out.split("\n"))
        {
            final String[] f = line.trim().split("\\s+");
            if (f.length < 5)
            {
                continue;
            }
            String local = f[4];
            final int colon = local.lastIndexOf(':');
            String address = local.substring(0, colon).replaceAll("%.*", "");
            if (address.equals("*") || address.equals("[::]"))
            {
                address = "::";
            }
            address = address.replace("[", "").replace("]", "");
            final Set<Long> pids = sockets.computeIfAbsent(f[0] + " " + address + ":" + local.substring(colon + 1),
                k -> new TreeSet<>());
            final Matcher m = pid.matcher(line);
            while (m.find())
            {
                pids.add(Long.parseLong(m.group(1)));
            }
        }
        return sockets;
    }

    private static Map<String, Set<Long>> socketsListening(final JsonNode listed)
    {
        final Map<String, Set<Long>> sockets = new TreeMap<>();
        for (final JsonNode s : listed.get("sockets"))
        {
            final Set<Long> pids = new TreeSet<>();
            for (final JsonNode p : s.get("processes"))
            {
                pids.add(p.get("pid").asLong());
            }
            final String address = s.get("address").asText();
            sockets.put(s.get("proto").asText() + " " + address + ":" + s.get("port").asInt(), pids);
        }
        return sockets;
    }

    private static String run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args), err.toString());
        return out.toString();
    }

    private static boolean sh(final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** A capture running in this JVM, on a thread of its own. */
    private static final class Capture
    {
        private final Thread thread;
        private final StringWriter err = new StringWriter();
        private final int[] exit = {-1};

        private Capture(final String[] args)
        {
            thread = new Thread(() ->
            {
                final CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(new StringWriter(), true));
                cl.setErr(new PrintWriter(err, true));
                exit[0] = cl.execute(args);
            }, "test-capture");
        }

        static Capture start(final String device, final String filter, final int seconds, final Path tmp,
            final String... extra) throws Exception
        {
            final List<String> args = new ArrayList<>(List.of("capture", "-i", device, "-f", filter, "--duration",
                Integer.toString(seconds)));
            args.addAll(List.of(extra));
            final Capture c = new Capture(args.toArray(new String[0]));
            c.thread.start();
            LoopbackPeers.waitFor(c.err, "capturing on " + device);
            Thread.sleep(300);
            return c;
        }

        int finish() throws InterruptedException
        {
            thread.join(30_000);
            return exit[0];
        }

        String err()
        {
            return err.toString();
        }
    }

    /** A server in a child process: its pid, host and the port it printed. */
    private static final class Child
    {
        final Process process;
        final long pid;
        final String host;
        final int port;

        private Child(final Process process, final String host, final int port)
        {
            this.process = process;
            this.pid = process.pid();
            this.host = host;
            this.port = port;
        }

        static Child python(final String script, final List<Child> all, final String host) throws Exception
        {
            return start(List.of("python3", "-u", "-c", script, host), host, all);
        }

        /** python3 -m http.server on a port of the kernel's choosing (it prints "... port N ..."). */
        static Child httpServer(final String host, final List<Child> all) throws Exception
        {
            return start(List.of("python3", "-u", "-m", "http.server", "0", "--bind", host), host, all);
        }

        static Child start(final List<String> command, final String host, final List<Child> all) throws Exception
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            final String line = r.readLine();
            assertNotNull(line, "no port from " + command);
            final Matcher m = Pattern.compile("(?:port )?(\\d+)").matcher(line.contains("port ")
                ? line.substring(line.indexOf("port ")) : line);
            assertTrue(m.find(), line);
            final Child c = new Child(p, host, Integer.parseInt(m.group(1)));
            all.add(c);
            final Thread drain = new Thread(() ->
            {
                try
                {
                    while (r.readLine() != null)
                    {
                        // http.server logs each request
                    }
                }
                catch (java.io.IOException e)
                {
                    // ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            return c;
        }
    }
}
