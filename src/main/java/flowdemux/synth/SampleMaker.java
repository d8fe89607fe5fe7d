package flowdemux.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the project's own sample captures: {@code three-tabs.pcap} (one client, three connections to one HTTPS
 * server, differing only in the client's source port) and {@code mixed.pcapng} (HTTP, SSH, DNS, a refused
 * connection, a reset, an unanswered SYN, IPv6 on a second interface with nanosecond timestamps, an ICMP echo), with
 * real first bytes (DNS, HTTP, SSH banners, TLS hellos) for service detection.
 * Deterministic: the same bytes on every run.
 */
public final class SampleMaker
{
    private static final long MS = 1_000_000L;
    /** 2024-03-01 12:00:00 UTC. */
    private static final long T0 = 1_709_294_400L * 1_000_000_000L;

    private SampleMaker()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path folder = Path.of(args.length > 0 ? args[0] : "samples");
        Files.createDirectories(folder);
        try (OutputStream out = Files.newOutputStream(folder.resolve("three-tabs.pcap")))
        {
            threeTabs(out);
        }
        try (OutputStream out = Files.newOutputStream(folder.resolve("mixed.pcapng")))
        {
            mixed(out);
        }
    }

    public static void threeTabs(final OutputStream out) throws IOException
    {
        final byte[] client = PacketBuilder.ipv4("192.168.1.5");
        final byte[] server = PacketBuilder.ipv4("93.184.216.34");
        try (PcapWriter w = new PcapWriter(out, 1, false))
        {
            final TcpConversation[] tabs = new TcpConversation[3];
            for (int i = 0; i < 3; i++)
            {
                tabs[i] = new TcpConversation(w, 0, client, 51234 + i, server, 443, 1_000_000L * (i + 1),
                    3_000_000_000L + 7_000_000L * i);
            }
            // The tabs open 2 ms apart and interleave, as a browser's would.
            for (int i = 0; i < 3; i++)
            {
                tabs[i].syn(T0 + i * 2 * MS);
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].synAck(T0 + (20 + i * 2 + i) * MS);
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].ack(T0 + (21 + i * 3) * MS, true);
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].data(T0 + (22 + i * 3) * MS, true,
                    Payloads.tlsClientHello("www.example.com", new String[] {"h2", "http/1.1"}, 517));
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].data(T0 + (45 + i * 3) * MS, false, Payloads.tlsServerHello(), 4000 + 1000 * i);
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].ack(T0 + (46 + i * 3) * MS, true);
            }
            for (int i = 0; i < 3; i++)
            {
                tabs[i].close(T0 + (1000 + i * 10) * MS, 20 * MS);
            }
        }
    }

    public static void mixed(final OutputStream out) throws IOException
    {
        final byte[] client = PacketBuilder.ipv4("10.0.0.2");
        final byte[] web = PacketBuilder.ipv4("10.0.0.80");
        final byte[] ssh = PacketBuilder.ipv4("10.0.0.22");
        final byte[] dns = PacketBuilder.ipv4("10.0.0.53");
        final byte[] db = PacketBuilder.ipv4("10.0.0.99");
        final byte[] gateway = PacketBuilder.ipv4("10.0.0.1");
        final byte[] client6 = PacketBuilder.ipv6(0x2001_0db8_0000_0000L, 0x2L);
        final byte[] server6 = PacketBuilder.ipv6(0x2001_0db8_0000_0000L, 0x80L);
        try (PcapngWriter w = new PcapngWriter(out, ByteOrder.LITTLE_ENDIAN))
        {
            final int eth0 = w.addInterface(1, 6);
            final int eth1 = w.addInterface(1, 9);
            final PacketBuilder b = new PacketBuilder();

            // DNS lookup over UDP, answered.
            b.payload(Payloads.dnsQuery(0x1a2b, "www.example.com")).udp(client, 53_001, dns, 53, 33);
            w.write(T0, b.frame(), b.length(), eth0);
            b.payload(Payloads.dnsResponse(0x1a2b, "www.example.com", web)).udp(dns, 53, client, 53_001, 49);
            w.write(T0 + 3 * MS, b.frame(), b.length(), eth0);

            // HTTP: full connection with a request and a response.
            final TcpConversation http = new TcpConversation(w, eth0, client, 40_000, web, 80, 100, 9_000);
            http.handshake(T0 + 10 * MS, 1 * MS);
            http.data(T0 + 12 * MS, true, Payloads.httpRequest("GET", "www.example.com", "curl/8.5.0", 120));
            http.data(T0 + 15 * MS, false, Payloads.httpResponse(1200));
            http.ack(T0 + 16 * MS, true);
            http.close(T0 + 20 * MS, MS);

            // SSH: a longer session with data both ways.
            final TcpConversation sshSession = new TcpConversation(w, eth0, client, 40_001, ssh, 22, 5_000, 77_000);
            sshSession.handshake(T0 + 30 * MS, 2 * MS);
            for (int i = 0; i < 4; i++)
            {
                final byte[] banner = i == 0 ? Payloads.ascii("SSH-2.0-OpenSSH_9.6\r\n")
                    : i == 1 ? Payloads.ascii("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n") : new byte[0];
                sshSession.data(T0 + (40 + i * 10) * MS, i % 2 == 0, banner, 48 + i * 16);
            }
            sshSession.close(T0 + 100 * MS, 2 * MS);

            // Refused: SYN to a closed port answered by RST-ACK.
            final TcpConversation refused = new TcpConversation(w, eth0, client, 40_002, web, 8080, 300, 0);
            refused.syn(T0 + 110 * MS);
            refused.rst(T0 + 111 * MS, false, true);

            // Reset: the server aborts an established connection.
            final TcpConversation reset = new TcpConversation(w, eth0, client, 40_003, web, 80, 400, 12_000);
            reset.handshake(T0 + 120 * MS, MS);
            reset.data(T0 + 122 * MS, true, Payloads.httpRequest("GET", "10.0.0.80", "curl/8.5.0", 64), 64);
            reset.rst(T0 + 123 * MS, false, true);

            // Unanswered SYN to a database port.
            final TcpConversation unanswered = new TcpConversation(w, eth0, client, 40_004, db, 3306, 500, 0);
            unanswered.syn(T0 + 130 * MS);

            // IPv6 HTTPS connection, captured on the second interface with nanosecond timestamps.
            final TcpConversation v6 = new TcpConversation(w, eth1, client6, 40_005, server6, 443, 600, 44_000);
            v6.handshake(T0 + 140 * MS + 123, 3 * MS + 456);
            v6.data(T0 + 150 * MS, true, Payloads.tlsClientHello("ipv6.example.net", new String[] {"h2"}, 300));
            v6.data(T0 + 155 * MS, false, Payloads.tlsServerHello(), 2500);
            v6.close(T0 + 160 * MS, MS);

            // ICMP echo request and reply.
            b.icmp(client, gateway, 8, 0, 0x1234, 1, 56);
            w.write(T0 + 170 * MS, b.frame(), b.length(), eth0);
            b.icmp(gateway, client, 0, 0, 0x1234, 1, 56);
            w.write(T0 + 170 * MS + 400_000, b.frame(), b.length(), eth0);
        }
    }
}
