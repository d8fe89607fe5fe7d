package flowdemux.service;

import com.fasterxml.jackson.databind.JsonNode;
import flowdemux.service.Dialogues.Split;
import flowdemux.synth.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static flowdemux.service.Dialogues.ascii;
import static flowdemux.service.Dialogues.concat;
import static flowdemux.service.Dialogues.hex;
import static flowdemux.service.Dialogues.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Detection on each direction's first bytes put together in sequence order, and on the switches that come after a
 * long exchange: each case is a crafted conversation whose expected services hold by construction (what Zeek's
 * analyzers name for that exchange), on a port that is not its protocol's.
 */
class ReassembledDetectionTest
{
    private interface Conversation
    {
        void write(Dialogues d, String server, int port) throws Exception;
    }

    private static final Map<String, Conversation> CASES = new LinkedHashMap<>();
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();
    /** label -> [service_detail field, value] that must be kept. */
    private static final Map<String, String[]> KEPT = new LinkedHashMap<>();

    private static final byte[] GET = ascii("GET /index.html HTTP/1.1\r\nHost: typed.example.test\r\n"
        + "User-Agent: nc/1.0\r\nAccept: */*\r\n\r\n");
    private static final byte[] HELLO = Payloads.tlsClientHello("upgraded.example.test", new String[] {"h2"}, 517);
    private static final byte[] SERVER_HELLO = Payloads.tlsServerHello();

    private static void expect(final String label, final String service, final Conversation c)
    {
        CASES.put(label, c);
        EXPECTED.put(label, service);
    }

    private static void kept(final String label, final String field, final String value)
    {
        KEPT.put(label, new String[] {field, value});
    }

    /** A multi-line reply: the first line, {@code lines} lines "prefix-Feature n", the last. */
    private static byte[] multiline(final String first, final String prefix, final int lines, final String last)
    {
        final StringBuilder sb = new StringBuilder(first);
        for (int i = 0; i < lines; i++)
        {
            sb.append(prefix).append("FEATURE-").append(i).append(" some argument\r\n");
        }
        return ascii(sb.append(last).toString());
    }

    static
    {
        final Random random = new Random(30);
        expect("http-bytewise", "http", (d, s, p) -> d.tcpSplit(s, p, false, Split.bytewise(GET),
            Payloads.httpResponse(200)));
        kept("http-bytewise", "host", "typed.example.test");
        expect("http-shuffled", "http", (d, s, p) -> d.tcpSplit(s, p, false, Split.shuffled(GET, 6, random),
            Payloads.httpResponse(200)));
        kept("http-shuffled", "user_agent", "nc/1.0");
        expect("http-header-lines", "http", (d, s, p) -> d.tcpSplit(s, p, false, Split.lines(GET),
            Payloads.httpResponse(200)));
        kept("http-header-lines", "host", "typed.example.test");
        expect("tls-shuffled", "ssl", (d, s, p) -> d.tcpSplit(s, p, false, Split.shuffled(HELLO, 30, random),
            SERVER_HELLO));
        kept("tls-shuffled", "server_name", "upgraded.example.test");
        expect("ssh-bytewise", "ssh", (d, s, p) -> d.tcpSplit(s, p, true,
            Split.bytewise(ascii("SSH-2.0-OpenSSH_9.6\r\n")), Split.bytewise(ascii("SSH-2.0-PuTTY_0.80\r\n"))));
        kept("ssh-bytewise", "client_banner", "SSH-2.0-PuTTY_0.80");
        expect("ftp-feat-auth-tls", "ftp,ssl", (d, s, p) -> d.tcpSplit(s, p, true,
            ascii("220 FTP server ready\r\n"), ascii("FEAT\r\n"),
            Split.lines(multiline("211-Features:\r\n", " ", 40, "211 End\r\n")), ascii("AUTH TLS\r\n"),
            ascii("234 Proceed with negotiation.\r\n"), HELLO, SERVER_HELLO));
        expect("ftp-user-before-auth", "ftp", (d, s, p) -> d.tcpSplit(s, p, true,
            ascii("220 FTP server ready\r\n"), ascii("USER anonymous\r\n"), ascii("331 Password required\r\n"), HELLO,
            SERVER_HELLO));
        expect("smtp-starttls-long", "smtp,ssl", (d, s, p) -> d.tcpSplit(s, p, true,
            Split.lines(multiline("220-mail.example.test ESMTP\r\n", "220-", 12, "220 ready\r\n")),
            ascii("EHLO client.example.test\r\n"), Split.lines(multiline("250-mail.example.test\r\n", "250-", 30,
                "250 STARTTLS\r\n")), ascii("STARTTLS\r\n"), ascii("220 2.0.0 Ready to start TLS\r\n"), HELLO,
            SERVER_HELLO));
        expect("smtp-mail-then-tls", "smtp", (d, s, p) -> d.tcpSplit(s, p, true,
            ascii("220 mail.example.test ESMTP\r\n"), ascii("EHLO c\r\n"), ascii("250 OK\r\n"),
            ascii("MAIL FROM:<a@example.test>\r\n"), ascii("250 OK\r\n"), HELLO, SERVER_HELLO));
        expect("imap-starttls", "imap,ssl", (d, s, p) -> d.tcpSplit(s, p, true,
            ascii("* OK IMAP4rev1 ready\r\n"), ascii("a1 CAPABILITY\r\n"),
            Split.lines(multiline("* CAPABILITY IMAP4rev1 STARTTLS\r\n", "* X-", 25, "a1 OK done\r\n")),
            ascii("a2 STARTTLS\r\n"), ascii("a2 OK Begin TLS\r\n"), HELLO, SERVER_HELLO));
        expect("pop3-stls", "pop3,ssl", (d, s, p) -> d.tcpSplit(s, p, true, ascii("+OK POP3 ready\r\n"),
            ascii("CAPA\r\n"), Split.lines(multiline("+OK Capability list follows\r\n", "X-", 25, "STLS\r\n.\r\n")),
            ascii("STLS\r\n"), ascii("+OK Begin TLS\r\n"), HELLO, SERVER_HELLO));
        expect("postgresql-ssl", "postgresql,ssl", (d, s, p) -> d.tcpSplit(s, p, false, hex("00000008 04d2162f"),
            ascii("S"), HELLO, SERVER_HELLO));
        expect("postgresql-refused-ssl", "postgresql", (d, s, p) -> d.tcpSplit(s, p, false,
            hex("00000008 04d2162f"), ascii("N"),
            concat(hex("00000021 00030000"), ascii("user\0bob\0database\0db\0\0")), hex("52 00000008 00000000"),
            HELLO, SERVER_HELLO));
        expect("mysql-ssl", "mysql,ssl", (d, s, p) -> d.tcpSplit(s, p, true, ServiceDetectionTest.mysqlGreeting(),
            mysqlSslRequest(), SERVER_HELLO, HELLO));
        expect("socks5-tls", "socks,ssl", (d, s, p) -> d.tcpSplit(s, p, false, hex("05 01 00"), hex("05 00"),
            concat(hex("05 01 00 03 11"), ascii("upgraded.example"), hex("01bb")), hex("05 00 00 01 c0000201 01bb"),
            HELLO, SERVER_HELLO));
        expect("socks4-http", "http,socks", (d, s, p) -> d.tcpSplit(s, p, false,
            concat(hex("04 01 0050 c0000201"), ascii("alice\0")), hex("00 5a 0050 c0000201"), GET,
            Payloads.httpResponse(200)));
        expect("connect-header-lines", "http,ssl", (d, s, p) -> d.tcpSplit(s, p, false,
            Split.lines(ascii("CONNECT upgraded.example.test:443 HTTP/1.1\r\nHost: upgraded.example.test:443\r\n"
                + "Proxy-Connection: keep-alive\r\nUser-Agent: curl/8.5.0\r\n\r\n")),
            ascii("HTTP/1.1 200 Connection established\r\n\r\n"), HELLO, SERVER_HELLO));
        expect("connect-refused", "http", (d, s, p) -> d.tcpSplit(s, p, false,
            ascii("CONNECT upgraded.example.test:443 HTTP/1.1\r\nHost: upgraded.example.test:443\r\n\r\n"),
            ascii("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"), HELLO, SERVER_HELLO));
        // Look-alikes: bytes typed one at a time that are no protocol; a protocol's client against silence.
        expect("noise-bytewise", "-", (d, s, p) -> d.tcpSplit(s, p, false,
            Split.bytewise(ascii("hello there, this is not a protocol at all\r\n")), ascii("what?\r\n")));
        expect("http-one-sided", "-", (d, s, p) -> d.tcpSplit(s, p, false, Split.bytewise(GET)));
    }

    static byte[] mysqlSslRequest()
    {
        // Capabilities with CLIENT_SSL (0x0800) and CLIENT_PROTOCOL_41 (0x0200), no user name: the switch to TLS.
        final byte[] body = concat(hex("8dae ff01 00000001 21"), zeros(23));
        return concat(new byte[] {(byte)body.length, 0, 0, 1}, body);
    }

    private static Path write(final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("reassembled.pcap");
        try (Dialogues d = new Dialogues(pcap))
        {
            writeCases(d);
        }
        return pcap;
    }

    /** Writes every case, each to its own server and port (41000 and up). */
    static void writeCases(final Dialogues d) throws Exception
    {
        int i = 0;
        for (final Conversation c : CASES.values())
        {
            c.write(d, "10.3.0." + (i + 1), 41_000 + i);
            i++;
        }
    }

    private static List<String> wrong(final Map<Integer, List<JsonNode>> seen, final Map<String, String> expected)
    {
        final List<String> wrong = new ArrayList<>();
        int i = 0;
        for (final String label : CASES.keySet())
        {
            final List<JsonNode> conns = seen.get(41_000 + i);
            i++;
            if (conns == null || conns.size() != 1)
            {
                wrong.add(label + ": " + (conns == null ? 0 : conns.size()) + " connections");
                continue;
            }
            final JsonNode c = conns.get(0);
            final String got = c.get("service").isNull() ? "-" : c.get("service").asText();
            if (!expected.get(label).equals(got))
            {
                wrong.add(label + ": expected " + expected.get(label) + ", got " + got);
            }
            final String[] field = KEPT.get(label);
            if (field != null && expected == EXPECTED)
            {
                final JsonNode detail = c.get("service_detail");
                final String value = detail == null || detail.get(field[0]) == null ? null : detail.get(field[0]).asText();
                if (!field[1].equals(value))
                {
                    wrong.add(label + ": expected " + field[0] + " " + field[1] + ", got " + value);
                }
            }
        }
        return wrong;
    }

    @Test
    void messagesSplitOverSegmentsAndLateSwitchesAreNamedAsZeekNamesThem(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = write(tmp);
        assertEquals(List.of(), wrong(ServiceDetectionTest.read(pcap), EXPECTED));
        assertEquals(List.of(), wrong(ServiceDetectionTest.read(pcap, "--workers", "2"), EXPECTED));
    }

    @Test
    void serviceBytesBoundsHowFarIntoEachDirectionDetectionLooks(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = write(tmp);
        // 256 bytes a direction: the FEAT, CAPABILITY, CAPA and EHLO replies are longer, so the switch after them
        // is not seen; what comes within the first 256 bytes still is.
        final Map<String, String> within = new LinkedHashMap<>(EXPECTED);
        within.put("ftp-feat-auth-tls", "ftp");
        within.put("smtp-starttls-long", "smtp");
        within.put("imap-starttls", "imap");
        within.put("pop3-stls", "pop3");
        assertEquals(List.of(), wrong(ServiceDetectionTest.read(pcap, "--service-bytes", "256"), within));
    }
}
