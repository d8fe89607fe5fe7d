package flowdemux.synth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The first bytes of real protocols, for the samples and for tests of service detection: each as its client or
 * server sends it on the wire (a TLS ClientHello with its server name, an HTTP request, an SSH banner, a DNS query).
 */
public final class Payloads
{
    private Payloads()
    {
    }

    public static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code text} padded with spaces before its final CRLF to exactly {@code length} bytes (if shorter). */
    public static byte[] line(final String text, final int length)
    {
        final byte[] t = ascii(text);
        if (t.length >= length)
        {
            return t;
        }
        final byte[] out = new byte[length];
        java.util.Arrays.fill(out, (byte)' ');
        System.arraycopy(t, 0, out, 0, t.length - 2);
        out[length - 2] = '\r';
        out[length - 1] = '\n';
        return out;
    }

    /** An HTTP/1.1 GET of {@code length} bytes (padded by an X-Pad header). */
    public static byte[] httpRequest(final String method, final String host, final String agent, final int length)
    {
        final String head = method + " / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + agent + "\r\n";
        final int pad = Math.max(0, length - head.length() - "X-Pad: \r\n\r\n".length());
        return ascii(head + "X-Pad: " + "x".repeat(pad) + "\r\n\r\n");
    }

    /** An HTTP/1.1 200 response of {@code length} bytes with its body. */
    public static byte[] httpResponse(final int length)
    {
        final String head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ";
        for (int digits = 1; digits < 8; digits++)
        {
            final int body = length - head.length() - digits - 4;
            if (String.valueOf(body).length() == digits)
            {
                return ascii(head + body + "\r\n\r\n" + "<".repeat(Math.max(0, body)));
            }
        }
        return ascii(head + "0\r\n\r\n");
    }

    /** A DNS query for an A record (33 bytes for a 15-character name). */
    public static byte[] dnsQuery(final int id, final String name)
    {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        u16(o, id);
        u16(o, 0x0100); // recursion desired
        u16(o, 1);
        u16(o, 0);
        u16(o, 0);
        u16(o, 0);
        name(o, name);
        u16(o, 1);
        u16(o, 1);
        return o.toByteArray();
    }

    /** The answer to {@link #dnsQuery}: the question again and one A record (16 bytes more). */
    public static byte[] dnsResponse(final int id, final String name, final byte[] address)
    {
        final byte[] q = dnsQuery(id, name);
        q[2] = (byte)0x81;
        q[3] = (byte)0x80;
        q[7] = 1;
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(q);
        u16(o, 0xC00C);
        u16(o, 1);
        u16(o, 1);
        u16(o, 0);
        u16(o, 300);
        u16(o, address.length);
        o.writeBytes(address);
        return o.toByteArray();
    }

    /** A DNS message as DNS over TCP carries it: a two-byte length first. */
    public static byte[] overTcp(final byte[] dns)
    {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        u16(o, dns.length);
        o.writeBytes(dns);
        return o.toByteArray();
    }

    /** A TLS 1.2-record ClientHello with SNI and ALPN extensions, padded (padding extension) to {@code length}. */
    public static byte[] tlsClientHello(final String serverName, final String[] alpn, final int length)
    {
        final ByteArrayOutputStream ext = new ByteArrayOutputStream();
        final byte[] sni = ascii(serverName);
        u16(ext, 0);
        u16(ext, sni.length + 5);
        u16(ext, sni.length + 3);
        ext.write(0);
        u16(ext, sni.length);
        ext.writeBytes(sni);
        final ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (final String p : alpn)
        {
            list.write(p.length());
            list.writeBytes(ascii(p));
        }
        u16(ext, 16);
        u16(ext, list.size() + 2);
        u16(ext, list.size());
        ext.writeBytes(list.toByteArray());
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, 0x0303);
        body.writeBytes(new byte[32]); // random
        body.write(0); // session id
        u16(body, 4);
        u16(body, 0x1301);
        u16(body, 0xC02F);
        body.write(1);
        body.write(0);
        // 5 (record) + 4 (handshake) + body + 2 (extensions length) + extensions + 4 (padding header) + padding
        final int fixed = 5 + 4 + body.size() + 2 + ext.size() + 4;
        final int padding = Math.max(0, length - fixed);
        u16(ext, 21);
        u16(ext, padding);
        ext.writeBytes(new byte[padding]);
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());
        return record(0x16, handshake(1, body.toByteArray()));
    }

    /** A ServerHello (TLS 1.2) record. */
    public static byte[] tlsServerHello()
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, 0x0303);
        body.writeBytes(new byte[32]);
        body.write(0);
        u16(body, 0xC02F);
        body.write(0);
        u16(body, 0);
        return record(0x16, handshake(2, body.toByteArray()));
    }

    private static byte[] handshake(final int type, final byte[] body)
    {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        o.write(body.length >>> 16);
        u16(o, body.length & 0xFFFF);
        o.writeBytes(body);
        return o.toByteArray();
    }

    private static byte[] record(final int type, final byte[] fragment)
    {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        u16(o, 0x0301);
        u16(o, fragment.length);
        o.writeBytes(fragment);
        return o.toByteArray();
    }

    private static void name(final ByteArrayOutputStream o, final String name)
    {
        for (final String label : name.split("\\."))
        {
            o.write(label.length());
            o.writeBytes(ascii(label));
        }
        o.write(0);
    }

    static void u16(final ByteArrayOutputStream o, final int v)
    {
        o.write(v >>> 8);
        o.write(v & 0xFF);
    }
}
