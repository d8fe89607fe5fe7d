package flowdemux.live;

import flowdemux.Nfcapd;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live capture on the loopback interface only: a TCP server opened by three clients at once (the three tabs), a
 * refused connection to a closed port, and a UDP request/response, while {@code capture -i lo} runs with a BPF
 * filter for those ports. Needs root and libpcap; skipped with the reason otherwise, unless the system property
 * {@code flowdemux.requireLive} is true (CI), which turns the skip into a failure.
 */
class LiveCaptureTest
{
    @Test
    void threeTabsRefusedAndUdpOverIpv4(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        run(InetAddress.getByName("127.0.0.1"), tmp);
    }

    @Test
    void threeTabsRefusedAndUdpOverIpv6(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        run(InetAddress.getByName("::1"), tmp);
    }

    private static void run(final InetAddress host, final Path tmp) throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 10, host); DatagramSocket udpServer = new DatagramSocket(0, host);
            Nfcapd collector = Nfcapd.start(tmp.resolve("nfcapd")))
        {
            final int serverPort = server.getLocalPort();
            final int closedPort = freePort(host);
            final int udpPort = udpServer.getLocalPort();
            final Thread acceptor = new Thread(() -> LoopbackPeers.serve(server), "test-server");
            acceptor.setDaemon(true);
            acceptor.start();
            final Thread udpEcho = new Thread(() -> LoopbackPeers.echo(udpServer), "test-udp");
            udpEcho.setDaemon(true);
            udpEcho.start();

            final Path log = tmp.resolve("conn.log");
            final Path pcap = tmp.resolve("live.pcap");
            final String filter = "port " + serverPort + " or port " + closedPort + " or port " + udpPort;
            final StringWriter err = new StringWriter();
            final int[] exit = new int[1];
            final Thread capture = new Thread(() ->
            {
                final CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(new StringWriter(), true));
                cl.setErr(new PrintWriter(err, true));
                exit[0] = cl.execute("capture", "-i", "lo", "-f", filter, "--duration", "5", "--format", "zeek",
                    "-o", log.toString(), "--write", pcap.toString(), "--ipfix", "127.0.0.1:" + collector.port);
            }, "test-capture");
            capture.start();
            LoopbackPeers.waitFor(err, "capturing on lo");
            Thread.sleep(300);

            // Three tabs: three connections open at once, then each makes a request and reads the response.
            final List<Socket> tabs = new ArrayList<>();
            final TreeSet<Integer> clientPorts = new TreeSet<>();
            for (int i = 0; i < 3; i++)
            {
                final Socket s = new Socket(host, serverPort);
                tabs.add(s);
                clientPorts.add(s.getLocalPort());
            }
            for (final Socket s : tabs)
            {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                s.getInputStream().readAllBytes();
                s.close();
            }
            final int refusedPort;
            try (Socket refused = new Socket())
            {
                refused.bind(new InetSocketAddress(host, 0));
                refusedPort = refused.getLocalPort();
                assertThrows(ConnectException.class, () -> refused.connect(new InetSocketAddress(host, closedPort), 2000));
            }
            int udpClientPort;
            try (DatagramSocket client = new DatagramSocket(0, host))
            {
                udpClientPort = client.getLocalPort();
                client.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, host, udpPort));
                client.setSoTimeout(2000);
                client.receive(new DatagramPacket(new byte[64], 64));
            }
            capture.join(15_000);
            assertEquals(0, exit[0], err.toString());
            assertTrue(err.toString().contains("IPFIX to udp://127.0.0.1:" + collector.port + ": 5 records sent"),
                err.toString());
            Thread.sleep(300);
            // The same five connections reached the IPFIX collector, with the same counts and times.
            final TreeMap<String, Integer> exported = collector.stopAndRead();
            assertEquals(Nfcapd.fromConnLog(Files.readString(log), exported), exported, "conn.log = nfdump");

            final List<Map<String, String>> rows = rows(Files.readString(log));
            final Map<String, long[]> counts = countWithPcap4j(pcap, host);
            final TreeSet<Integer> tabPorts = new TreeSet<>();
            for (final Map<String, String> r : rows)
            {
                final int respPort = Integer.parseInt(r.get("id.resp_p"));
                final int origPort = Integer.parseInt(r.get("id.orig_p"));
                final String key = r.get("proto") + " " + Math.min(origPort, respPort) + " " + Math.max(origPort, respPort);
                if (respPort == serverPort)
                {
                    assertEquals("SF", r.get("conn_state"), r.toString());
                    // A request and a response on a port of the kernel's choosing: HTTP by its bytes.
                    assertEquals("http", r.get("service"), r.toString());
                    tabPorts.add(Integer.parseInt(r.get("id.orig_p")));
                }
                else if (respPort == closedPort)
                {
                    assertEquals("REJ", r.get("conn_state"), r.toString());
                    assertEquals(String.valueOf(refusedPort), r.get("id.orig_p"));
                    assertEquals("-", r.get("service"), r.toString());
                }
                else
                {
                    assertEquals(udpPort, respPort, r.toString());
                    assertEquals("SF", r.get("conn_state"), r.toString());
                    assertEquals(String.valueOf(udpClientPort), r.get("id.orig_p"));
                }
                // Packet counts per direction agree with libpcap's own reading of the saved capture.
                final long[] c = counts.get(key);
                assertTrue(c != null, "pcap4j finds " + key);
                final boolean origIsLower = origPort < respPort;
                assertEquals(c[origIsLower ? 0 : 1], Long.parseLong(r.get("orig_pkts")), key + " orig_pkts");
                assertEquals(c[origIsLower ? 1 : 0], Long.parseLong(r.get("resp_pkts")), key + " resp_pkts");
            }
            assertEquals(5, rows.size(), "three tabs, one refused, one UDP exchange: " + rows);
            assertEquals(clientPorts, tabPorts, "the tabs differ only in their client ports");

            // What --write saved reads back to the same connections.
            final StringWriter out = new StringWriter();
            final CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(new StringWriter(), true));
            assertEquals(0, cl.execute("read", pcap.toString(), "--format", "zeek"));
            assertEquals(strip(Files.readString(log)), strip(out.toString()));
        }
    }

    /** The conn.log rows, without the header lines that name the input. */
    private static String strip(final String log)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String line : log.split("\n"))
        {
            if (!line.startsWith("#"))
            {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<Map<String, String>> rows(final String log)
    {
        return flowdemux.ConnLogRows.parse(log);
    }

    /**
     * Packets per connection as libpcap reads the saved file, keyed "proto lowerPort higherPort": {from the lower
     * port, from the higher port}.
     */
    private static Map<String, long[]> countWithPcap4j(final Path pcap, final InetAddress host) throws Exception
    {
        final Map<String, long[]> counts = new HashMap<>();
        final PcapHandle h = Pcaps.openOffline(pcap.toString());
        try
        {
            while (true)
            {
                final org.pcap4j.packet.Packet p;
                try
                {
                    p = h.getNextPacketEx();
                }
                catch (java.io.EOFException e)
                {
                    break;
                }
                final org.pcap4j.packet.TcpPacket tcp = p.get(org.pcap4j.packet.TcpPacket.class);
                final org.pcap4j.packet.UdpPacket udp = p.get(org.pcap4j.packet.UdpPacket.class);
                final int src;
                final int dst;
                final String proto;
                if (tcp != null)
                {
                    src = tcp.getHeader().getSrcPort().valueAsInt();
                    dst = tcp.getHeader().getDstPort().valueAsInt();
                    proto = "tcp";
                }
                else if (udp != null)
                {
                    src = udp.getHeader().getSrcPort().valueAsInt();
                    dst = udp.getHeader().getDstPort().valueAsInt();
                    proto = "udp";
                }
                else
                {
                    continue;
                }
                final String key = proto + " " + Math.min(src, dst) + " " + Math.max(src, dst);
                counts.computeIfAbsent(key, k -> new long[2])[src < dst ? 0 : 1]++;
            }
        }
        finally
        {
            h.close();
        }
        return counts;
    }

    private static int freePort(final InetAddress host) throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, host))
        {
            return s.getLocalPort();
        }
    }
}
