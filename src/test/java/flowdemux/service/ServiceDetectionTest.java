package flowdemux.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static flowdemux.service.Dialogues.ascii;
import static flowdemux.service.Dialogues.concat;
import static flowdemux.service.Dialogues.hex;
import static flowdemux.service.Dialogues.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One crafted conversation per protocol, each on a port that is not its own (40000 and up), and the service read
 * must name for it: detection looks at bytes, not ports. Then the look-alikes that must stay "-".
 */
class ServiceDetectionTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** server port -> [expected service, the conversation]. */
    private interface Conversation
    {
        void write(Dialogues d, String server, int port) throws Exception;
    }

    private static final Map<String, Conversation> CASES = new LinkedHashMap<>();
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    private static void expect(final String label, final String service, final Conversation c)
    {
        CASES.put(label, c);
        EXPECTED.put(label, service);
    }

    static
    {
        expect("tls", "ssl", (d, s, p) -> d.tcp(s, p, false,
            Payloads.tlsClientHello("tls.example.test", new String[] {"h2", "http/1.1"}, 300), Payloads.tlsServerHello()));
        expect("http", "http", (d, s, p) -> d.tcp(s, p, false,
            Payloads.httpRequest("GET", "www.example.test", "curl/8.5.0", 120), Payloads.httpResponse(300)));
        expect("ssh", "ssh", (d, s, p) -> d.tcp(s, p, true, ascii("SSH-2.0-OpenSSH_9.6\r\n"),
            ascii("SSH-2.0-PuTTY_Release_0.80\r\n")));
        expect("dns-udp", "dns", (d, s, p) -> d.udp(s, p, Payloads.dnsQuery(7, "www.example.com"),
            Payloads.dnsResponse(7, "www.example.com", PacketBuilder.ipv4("192.0.2.7"))));
        expect("dns-tcp", "dns", (d, s, p) -> d.tcp(s, p, false,
            Payloads.overTcp(Payloads.dnsQuery(8, "axfr.example.com")),
            Payloads.overTcp(Payloads.dnsResponse(8, "axfr.example.com", PacketBuilder.ipv4("192.0.2.8")))));
        expect("smtp", "smtp", (d, s, p) -> d.tcp(s, p, true, ascii("220 mail.example.test ESMTP Postfix\r\n"),
            ascii("EHLO client.example.test\r\n"), ascii("250-mail.example.test\r\n250 STARTTLS\r\n")));
        expect("smtp-starttls", "smtp,ssl", (d, s, p) -> d.tcp(s, p, true, ascii("220 mail.example.test ESMTP\r\n"),
            ascii("EHLO c\r\n"), ascii("250 STARTTLS\r\n"), ascii("STARTTLS\r\n"), ascii("220 2.0.0 Ready\r\n"),
            Payloads.tlsClientHello("mail.example.test", new String[0], 200), Payloads.tlsServerHello()));
        expect("pop3", "pop3", (d, s, p) -> d.tcp(s, p, true, ascii("+OK POP3 ready\r\n"), ascii("USER bob\r\n"),
            ascii("+OK\r\n")));
        expect("imap", "imap", (d, s, p) -> d.tcp(s, p, true, ascii("* OK IMAP4rev1 Service Ready\r\n"),
            ascii("a001 CAPABILITY\r\n"), ascii("* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK\r\n")));
        expect("ftp", "ftp", (d, s, p) -> d.tcp(s, p, true, ascii("220 FTP server ready\r\n"),
            ascii("USER anonymous\r\n"), ascii("331 Password required\r\n")));
        expect("ftp-auth-tls", "ftp,ssl", (d, s, p) -> d.tcp(s, p, true, ascii("220 FTP server ready\r\n"),
            ascii("AUTH TLS\r\n"), ascii("234 Proceed with negotiation.\r\n"),
            Payloads.tlsClientHello("ftp.example.test", new String[0], 200), Payloads.tlsServerHello()));
        expect("irc", "irc", (d, s, p) -> d.tcp(s, p, false, ascii("NICK alice\r\nUSER alice 0 * :Alice\r\n"),
            ascii(":irc.example.test 001 alice :Welcome to IRC\r\n")));
        expect("ntp", "ntp", (d, s, p) -> d.udp(s, p, concat(hex("23"), zeros(47)),
            concat(hex("24 02 06 e9"), zeros(44))));
        expect("dhcp", "dhcp", (d, s, p) -> d.udp(s, p, dhcpDiscover()));
        expect("quic", "quic", (d, s, p) -> d.udp(s, p, concat(hex("c3 00000001 08 0102030405060708 00 00 44 d0"),
            zeros(1200 - 18))));
        expect("smb", "smb", (d, s, p) -> d.tcp(s, p, false, concat(hex("00 000044 fe534d42 4000"), zeros(62)),
            concat(hex("00 000080 fe534d42 4000"), zeros(126))));
        expect("rdp", "rdp", (d, s, p) -> d.tcp(s, p, false,
            concat(hex("0300002b 26e00000000000"), ascii("Cookie: mstshash=admin\r\n"), hex("0100080003000000")),
            hex("03000013 0ed000001234000201080000000000")));
        expect("mysql", "mysql", (d, s, p) -> d.tcp(s, p, true, mysqlGreeting(), mysqlLogin()));
        expect("postgresql", "postgresql", (d, s, p) -> d.tcp(s, p, false,
            concat(hex("00000021 00030000"), ascii("user\0bob\0database\0db\0\0")), hex("52 00000008 00000000")));
        expect("redis", "redis", (d, s, p) -> d.tcp(s, p, false, ascii("*1\r\n$4\r\nPING\r\n"), ascii("+PONG\r\n")));
        expect("modbus", "modbus", (d, s, p) -> d.tcp(s, p, false, hex("0001 0000 0006 01 03 0000 000a"),
            concat(hex("0001 0000 0017 01 03 14"), zeros(20))));
        expect("dce_rpc", "dce_rpc", (d, s, p) -> d.tcp(s, p, false,
            concat(hex("05000b03 10000000 4800 0000 01000000"), zeros(56)), concat(hex("05000c03 10000000 3c00 0000"),
                zeros(48))));
        expect("syslog", "syslog", (d, s, p) -> d.udp(s, p, ascii("<34>Oct 11 22:14:15 host su: 'su root' failed")));
        expect("http-connect", "http,ssl", (d, s, p) -> d.tcp(s, p, false,
            ascii("CONNECT secure.example.test:443 HTTP/1.1\r\nHost: secure.example.test:443\r\n\r\n"),
            ascii("HTTP/1.1 200 Connection established\r\n\r\n"),
            Payloads.tlsClientHello("secure.example.test", new String[] {"h2"}, 220), Payloads.tlsServerHello()));
        // Look-alikes: each side speaks a different protocol, or only one side speaks, or the bytes are noise.
        expect("http-to-ssh", "-", (d, s, p) -> d.tcp(s, p, true, ascii("SSH-2.0-OpenSSH_9.6\r\n"),
            Payloads.httpRequest("GET", "x", "curl", 80), ascii("Protocol mismatch.\n")));
        expect("tls-to-http", "-", (d, s, p) -> d.tcp(s, p, false,
            Payloads.tlsClientHello("x.test", new String[0], 200), ascii("HTTP/1.1 400 Bad Request\r\n\r\n")));
        expect("one-sided-ssh", "-", (d, s, p) -> d.tcp(s, p, false, ascii("SSH-2.0-OpenSSH_9.6\r\n")));
        expect("noise", "-", (d, s, p) ->
        {
            final Random r = new Random(14);
            final byte[] a = new byte[400];
            final byte[] b = new byte[900];
            r.nextBytes(a);
            r.nextBytes(b);
            d.tcp(s, p, false, a, b, a, b);
            d.udp(s, p + 1000, a, b);
        });
        expect("zeros", "-", (d, s, p) -> d.tcp(s, p, false, zeros(64), zeros(64)));
    }

    static byte[] dhcpDiscover()
    {
        final byte[] m = new byte[300];
        m[0] = 1;
        m[1] = 1;
        m[2] = 6;
        m[4] = 0x3c;
        m[236] = 0x63;
        m[237] = (byte)0x82;
        m[238] = 0x53;
        m[239] = 0x63;
        m[240] = 53;
        m[241] = 1;
        m[242] = 1;
        m[243] = (byte)255;
        return m;
    }

    static byte[] mysqlGreeting()
    {
        final byte[] body = concat(hex("0a"), ascii("8.0.36\0"), hex("08000000"), ascii("abcdefgh"), hex("00 fff7 ff 0200 ffdf 15"),
            zeros(10), ascii("ijklmnopqrst\0"), ascii("caching_sha2_password\0"));
        return concat(new byte[] {(byte)body.length, 0, 0, 0}, body);
    }

    static byte[] mysqlLogin()
    {
        final byte[] body = concat(hex("8da6ff01 00000001 21"), zeros(23), ascii("root\0"), hex("00"));
        return concat(new byte[] {(byte)body.length, 0, 0, 1}, body);
    }

    /** Writes every case, each to its own server and port; returns the ports by case. */
    static Map<String, Integer> writeCases(final Dialogues d) throws Exception
    {
        final Map<String, Integer> ports = new LinkedHashMap<>();
        int i = 0;
        for (final Map.Entry<String, Conversation> e : CASES.entrySet())
        {
            final int port = 40_000 + i;
            e.getValue().write(d, "10.2.0." + (i + 1), port);
            ports.put(e.getKey(), port);
            i++;
        }
        return ports;
    }

    /** The connections of a read, by responder port. */
    static Map<Integer, List<JsonNode>> read(final Path pcap, final String... extra) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("read", pcap.toString(), "--format", "jsonl"));
        args.addAll(List.of(extra));
        final Cli r = Cli.run(args.toArray(new String[0]));
        assertEquals(0, r.exitCode, r.err);
        final Map<Integer, List<JsonNode>> byPort = new HashMap<>();
        for (final String line : r.out.split("\n"))
        {
            final JsonNode c = JSON.readTree(line);
            byPort.computeIfAbsent(c.get("resp_p").asInt(), k -> new ArrayList<>()).add(c);
        }
        return byPort;
    }

    @Test
    void everyProtocolIsNamedFromItsBytesOnAPortNotItsOwn(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("protocols.pcap");
        final Map<String, Integer> ports;
        try (Dialogues d = new Dialogues(pcap))
        {
            ports = writeCases(d);
        }
        final Map<Integer, List<JsonNode>> seen = read(pcap);
        final List<String> wrong = new ArrayList<>();
        for (final Map.Entry<String, Integer> e : ports.entrySet())
        {
            for (final JsonNode c : seen.get(e.getValue()))
            {
                final String got = c.get("service").isNull() ? "-" : c.get("service").asText();
                if (!EXPECTED.get(e.getKey()).equals(got))
                {
                    wrong.add(e.getKey() + ": expected " + EXPECTED.get(e.getKey()) + ", got " + got);
                }
            }
        }
        // The look-alikes' other connections (the noise case's UDP datagrams, on its port + 1000) stay unnamed too.
        assertTrue(seen.containsKey(ports.get("noise") + 1000), "the noise case's datagrams were read");
        seen.forEach((port, list) -> list.stream().filter(c -> !ports.containsValue(port) && !c.get("service").isNull())
            .forEach(c -> wrong.add(port + ": expected -, got " + c.get("service").asText())));
        assertEquals(List.of(), wrong);
        // What was kept of the peers.
        assertEquals("tls.example.test", detail(seen, ports.get("tls"), "server_name"));
        assertEquals("h2,http/1.1", detail(seen, ports.get("tls"), "alpn"));
        assertEquals("www.example.test", detail(seen, ports.get("http"), "host"));
        assertEquals("curl/8.5.0", detail(seen, ports.get("http"), "user_agent"));
        assertEquals("SSH-2.0-OpenSSH_9.6", detail(seen, ports.get("ssh"), "server_banner"));
        assertEquals("SSH-2.0-PuTTY_Release_0.80", detail(seen, ports.get("ssh"), "client_banner"));
        assertEquals("www.example.com", detail(seen, ports.get("dns-udp"), "query"));
        assertEquals("220 FTP server ready", detail(seen, ports.get("ftp"), "greeting"));
        assertEquals("8.0.36", detail(seen, ports.get("mysql"), "greeting"));
        assertEquals("secure.example.test", detail(seen, ports.get("http-connect"), "server_name"));

        // --no-service: nothing named, nothing kept.
        final Map<Integer, List<JsonNode>> off = read(pcap, "--no-service");
        off.values().forEach(list -> list.forEach(c ->
        {
            assertTrue(c.get("service").isNull(), c.toString());
            assertTrue(!c.has("service_detail"), c.toString());
        }));
    }

    private static String detail(final Map<Integer, List<JsonNode>> seen, final int port, final String field)
    {
        final JsonNode d = seen.get(port).get(0).get("service_detail");
        return d == null || d.get(field) == null ? null : d.get(field).asText();
    }

    @Test
    void ftpDataConnectionsAreTheOnesTheControlConnectionAnnounced(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("ftp.pcap");
        final String server = "10.2.0.30";
        try (Dialogues d = new Dialogues(pcap))
        {
            // Passive: the server names a port and the client connects to it.
            d.tcp(server, 2121, true, ascii("220 FTP ready\r\n"), ascii("USER anonymous\r\n"),
                ascii("331 Password\r\n"), ascii("PASV\r\n"), ascii("227 Entering Passive Mode (10,2,0,30,200,10).\r\n"),
                ascii("PORT 10,1,0,1,200,20\r\n"), ascii("200 PORT command successful.\r\n"),
                ascii("EPSV\r\n"), ascii("229 Entering Extended Passive Mode (|||51230|)\r\n"));
            d.tcp(server, 51_210, false, ascii("not looked at: data\r\n"), ascii("ok\r\n"));
            // Active (PORT): the server connects to the client.
            d.tcp(PacketBuilder.ipv4(server), 20, "10.1.0.1", 51_220, false, ascii("a file\r\n"));
            d.tcp(server, 51_230, false, ascii("EPSV data\r\n"));
            // The same server port without an announcement from another client: not ftp-data.
            d.tcp(PacketBuilder.ipv4("10.1.0.9"), 31_000, server, 51_210, false, ascii("x\r\n"));
        }
        final Map<Integer, List<JsonNode>> seen = read(pcap);
        assertEquals("ftp", seen.get(2121).get(0).get("service").asText());
        assertEquals(2, seen.get(51_210).size());
        final List<String> passive = new ArrayList<>();
        seen.get(51_210).forEach(c -> passive.add(c.get("orig_h").asText() + " " + c.get("service").asText()));
        assertEquals(List.of("10.1.0.1 ftp-data", "10.1.0.9 null"), passive);
        assertEquals("ftp-data", seen.get(51_220).get(0).get("service").asText());
        assertEquals("10.2.0.30", seen.get(51_220).get(0).get("orig_h").asText());
        assertEquals("ftp-data", seen.get(51_230).get(0).get("service").asText());
    }

    @Test
    void ircDccSendOffersAnnounceDataConnectionsFromAnyone(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("irc-dcc.pcap");
        final String server = "10.2.0.40";
        // 167903233 = 10.2.0.1, the offering client's address, as DCC writes it (a 32-bit number).
        try (Dialogues d = new Dialogues(pcap))
        {
            d.tcp(server, 6667, false, ascii("NICK alice\r\nUSER alice 0 * :Alice\r\n"),
                ascii(":irc.example.test 001 alice :Welcome\r\n"),
                ascii("PRIVMSG bob :\u0001DCC SEND report.pdf 167903233 5001 40960\u0001\r\n"),
                ascii(":irc.example.test NOTICE alice :sent\r\n"),
                ascii("PING :irc.example.test\r\n"),
                ascii(":bob!b@host PRIVMSG alice :\u0001DCC SEND \"two words.txt\" 167903233 5002 10\u0001\r\n"));
            // The receiver connects to the offered address and port: anyone may (Zeek schedules 0.0.0.0).
            d.tcp(PacketBuilder.ipv4("10.1.0.7"), 33_000, "10.2.0.1", 5001, false, ascii("%PDF-1.7 ..."));
            d.tcp(PacketBuilder.ipv4("10.1.0.8"), 33_001, "10.2.0.1", 5001, false, ascii("%PDF-1.7 ..."));
            // Not offered: another port, and a file name with a space (six words, not five: Zeek refuses it too).
            d.tcp(PacketBuilder.ipv4("10.1.0.7"), 33_002, "10.2.0.1", 5003, false, ascii("data"));
            d.tcp(PacketBuilder.ipv4("10.1.0.7"), 33_003, "10.2.0.1", 5002, false, ascii("data"));
        }
        final Map<Integer, List<JsonNode>> seen = read(pcap);
        assertEquals("irc", seen.get(6667).get(0).get("service").asText());
        assertEquals(2, seen.get(5001).size());
        seen.get(5001).forEach(c -> assertEquals("irc-dcc-data", c.get("service").asText(), c.toString()));
        assertTrue(seen.get(5003).get(0).get("service").isNull());
        assertTrue(seen.get(5002).get(0).get("service").isNull());
    }

    @Test
    void whatPeersSendIsEscapedInEveryFormat(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("hostile.pcap");
        final String host = "evil\"\\,<img src=x onerror=alert(1)>\t\u0001\u00e9";
        try (Dialogues d = new Dialogues(pcap))
        {
            d.tcp("10.2.0.40", 8000, false, Payloads.httpRequest("GET", host, "a,b\"c", 200), Payloads.httpResponse(200));
            d.tcp("10.2.0.41", 22, false, Payloads.httpRequest("GET", "ssh-port.test", "curl", 100),
                Payloads.httpResponse(100));
        }
        final Map<Integer, List<JsonNode>> seen = read(pcap);
        assertEquals(host, seen.get(8000).get(0).get("service_detail").get("host").asText());
        assertEquals("a,b\"c", seen.get(8000).get(0).get("service_detail").get("user_agent").asText());

        final Cli csv = Cli.run("read", pcap.toString(), "--format", "csv");
        final List<String> header = csvFields(csv.out.lines().findFirst().orElseThrow());
        final String row = csv.out.lines().filter(l -> l.contains(",8000,")).findFirst().orElseThrow();
        final List<String> f = csvFields(row);
        assertEquals(header.size(), f.size(), row);
        assertEquals("http", f.get(header.indexOf("service")));
        assertEquals("evil\"\\x5c,<img src=x onerror=alert(1)>\\x09\\x01\\xe9", f.get(header.indexOf("service_name")));
        assertEquals("a,b\"c", f.get(header.indexOf("service_detail")));

        final Cli zeek = Cli.run("read", pcap.toString(), "--format", "zeek");
        zeek.out.lines().filter(l -> !l.startsWith("#")).forEach(l -> assertEquals(22, l.split("\t", -1).length, l));

        final Cli text = Cli.run("read", pcap.toString());
        assertTrue(text.out.contains("MISMATCH     10.2.0.41:22 tcp: http, port says ssh"), text.out);
    }

    @Test
    void sshOnAnyPortGetsZeeksHourOfInactivityOnceRecognised(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("idle-ssh.pcap");
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(pcap);
            flowdemux.synth.PcapWriter w = new flowdemux.synth.PcapWriter(out, 1, false))
        {
            final long t0 = 1_700_000_000L * 1_000_000_000L;
            final flowdemux.synth.TcpConversation c = new flowdemux.synth.TcpConversation(w, 0, Dialogues.CLIENT, 30_000,
                PacketBuilder.ipv4("10.2.0.50"), 2222, 1000, 90_000);
            c.handshake(t0, 1_000_000L);
            c.data(t0 + 10_000_000L, false, ascii("SSH-2.0-OpenSSH_9.6\r\n"));
            c.data(t0 + 20_000_000L, true, ascii("SSH-2.0-OpenSSH_9.6\r\n"));
            // Ten minutes of silence: past TCP's 300 s, within the hour SSH gets.
            c.data(t0 + 600_000_000_000L, true, zeros(48));
            c.close(t0 + 601_000_000_000L, 1_000_000L);
        }
        assertEquals(1, read(pcap).get(2222).size(), "one SSH connection across the silence");
        assertEquals(2, read(pcap, "--no-service").get(2222).size(), "without detection, TCP's 300 s split it");
    }

    @Test
    void generatedProtocolTrafficIsNamedByPortAndAlikeForAnyWorkerCount(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("generated.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "20000", "--concurrency", "2000", "--protocol-payloads", "-o",
            pcap.toString(), "--summary", tmp.resolve("s.json").toString()).exitCode);
        final Map<Integer, String> byPort = Map.of(443, "ssl", 993, "ssl", 80, "http", 8080, "http", 22, "ssh", 25,
            "smtp", 6379, "redis", 53, "dns", 3306, "-", 27017, "-");
        final Map<String, Integer> wrong = new java.util.TreeMap<>();
        int named = 0;
        for (final List<JsonNode> list : read(pcap).values())
        {
            for (final JsonNode c : list)
            {
                final String state = c.get("conn_state").asText();
                final String want = byPort.get(c.get("resp_p").asInt());
                if (want == null || !(state.equals("SF") || c.get("proto").asText().equals("udp")))
                {
                    continue;
                }
                final String got = c.get("service").isNull() ? "-" : c.get("service").asText();
                if (!want.equals(got))
                {
                    wrong.merge(c.get("resp_p").asInt() + " " + got, 1, Integer::sum);
                }
                named += got.equals("-") ? 0 : 1;
            }
        }
        assertEquals(Map.of(), wrong);
        assertTrue(named > 5000, "named " + named);
        // Detection depends on nothing a worker count changes: the same conn.log from one worker and from two.
        final Cli one = Cli.run("read", pcap.toString(), "--format", "zeek", "--workers", "1");
        final Cli two = Cli.run("read", pcap.toString(), "--format", "zeek", "--workers", "2");
        assertEquals(one.out, two.out);
    }

    /** RFC 4180 fields of one line. */
    static List<String> csvFields(final String line)
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"')
                {
                    cur.append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cur.append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                out.add(cur.toString());
                cur.setLength(0);
            }
            else
            {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
