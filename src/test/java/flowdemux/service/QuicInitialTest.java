package flowdemux.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * QUIC Initials built here, with the keys of RFC 9001 Appendix A (version 1) and RFC 9369 Appendix A (version 2),
 * whose published values this test's own key derivation must give first: the 1.8 KB ClientHello of
 * {@link ClientHelloSegmentsTest} in the CRYPTO frames of two Initial packets, in order or the second first, and
 * with a damaged packet (which must not be read). flowdemux opens them and names the server and the JA4 ({@code q}).
 */
class QuicInitialTest
{
    private static final byte[] DCID = HexFormat.of().parseHex("8394c8f03e515708");
    private static final byte[] CLIENT = PacketBuilder.ipv4("10.8.0.1");
    private static final byte[] SERVER = PacketBuilder.ipv4("10.8.0.2");

    /** {version, salt, label prefix, client key, iv, hp, server key, iv, hp as the RFCs print them}. */
    private static final String[][] VERSIONS = {
        {"00000001", "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "quic", "1f369613dd76d5467730efcbe3b1a22d",
            "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2", "cf3a5331653c364c88f0f379b6067e37",
            "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314"},
        {"6b3343cf", "0dede3def700a6db819381be6e269dcbf9bd2ed9", "quicv2", "8b1a0bc121284290a29e0971b5cd045d",
            "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9", "82db637861d55e1d011f19ea71d5d2a7",
            "dd13c276499c0249d3310652", "edf6d05c83121201b436e16877593c3a"}};

    @Test
    void theClientHelloInTwoInitialsIsReadForEachVersion(@TempDir final Path tmp) throws Exception
    {
        final byte[] record = ClientHelloSegmentsTest.hello(new ArrayList<>());
        final byte[] message = Arrays.copyOfRange(record, 5, record.length); // QUIC carries no TLS records
        final int half = message.length / 2;
        final Path capture = tmp.resolve("quic.pcap");
        final Map<Integer, String> expected = new TreeMap<>();
        final String ja4 = ClientHelloSegmentsTest.expectedJa4('q');
        try (OutputStream out = Files.newOutputStream(capture))
        {
            final PcapWriter w = new PcapWriter(out, 1, false);
            long t = 1_700_000_000_000_000_000L;
            int port = 50_000;
            for (final String[] v : VERSIONS)
            {
                final byte[][] keys = keys(v);
                final byte[] first = initial(v, keys, 0, crypto(0, message, 0, half));
                final byte[] second = initial(v, keys, 1, crypto(half, message, half, message.length - half));
                for (final boolean reversed : new boolean[] {false, true})
                {
                    for (final byte[] datagram : reversed ? List.of(second, first) : List.of(first, second))
                    {
                        t = udp(w, t, port, datagram);
                    }
                    expected.put(port++, "quic " + ClientHelloSegmentsTest.SNI + " " + ja4);
                }
                // The first packet damaged (its tag no longer matches): nothing is read from it, so no hello.
                final byte[] damaged = first.clone();
                damaged[damaged.length - 1] ^= 1;
                t = udp(w, t, port, damaged);
                t = udp(w, t, port, second);
                expected.put(port++, "quic - -");
            }
            w.close();
        }
        assertEquals(expected, read(tmp, capture, "server_name", "ja4"));
    }

    /** Each connection's service and these fields of what detection kept ("-" when not), by client port. */
    private static Map<Integer, String> read(final Path tmp, final Path capture, final String... fields)
        throws Exception
    {
        final Path out = tmp.resolve("conns.jsonl");
        final Cli r = Cli.run("read", capture.toString(), "--format", "jsonl", "-o", out.toString());
        assertEquals(0, r.exitCode, r.err);
        final Map<Integer, String> got = new TreeMap<>();
        for (final String line : Files.readAllLines(out))
        {
            final JsonNode c = new ObjectMapper().readTree(line);
            final StringBuilder sb = new StringBuilder(c.path("service").asText());
            for (final String f : fields)
            {
                sb.append(' ').append(c.path("service_detail").path(f).asText("-"));
            }
            got.put(c.path("orig_p").asInt(), sb.toString());
        }
        return got;
    }

    /** The client's Initial key, IV and header-protection key, checked against the RFC's. */
    private static byte[][] keys(final String[] v) throws Exception
    {
        return keys(v, "client in", 3);
    }

    /** The Initial keys of one side ("client in", "server in"), checked against the RFC's at {@code v[at..at+2]}. */
    private static byte[][] keys(final String[] v, final String side, final int at) throws Exception
    {
        final Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(HexFormat.of().parseHex(v[1]), "HmacSHA256"));
        final byte[] initial = hmac.doFinal(DCID);
        final byte[] secret = label(initial, side, 32);
        final byte[][] k = {label(secret, v[2] + " key", 16), label(secret, v[2] + " iv", 12),
            label(secret, v[2] + " hp", 16)};
        assertEquals(List.of(v[at], v[at + 1], v[at + 2]), List.of(HexFormat.of().formatHex(k[0]),
            HexFormat.of().formatHex(k[1]), HexFormat.of().formatHex(k[2])), "the RFC's " + side + " keys for version "
            + v[0]);
        return k;
    }

    /** A TLS 1.3 ServerHello as QUIC carries it (no record): TLS_AES_128_GCM_SHA256 and a key share of this group. */
    static byte[] serverHello(final int group, final int keyLength)
    {
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.writeBytes(HexFormat.of().parseHex("002b00020304")); // supported_versions: TLS 1.3
        e.write(0x00);
        e.write(0x33);
        e.write((4 + keyLength) >>> 8);
        e.write(4 + keyLength);
        e.write(group >>> 8);
        e.write(group);
        e.write(keyLength >>> 8);
        e.write(keyLength);
        e.writeBytes(new byte[keyLength]);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(HexFormat.of().parseHex("0303"));
        body.writeBytes(new byte[32]); // random
        body.write(0); // legacy_session_id_echo: empty in QUIC
        body.writeBytes(HexFormat.of().parseHex("130100"));
        body.write(e.size() >>> 8);
        body.write(e.size());
        body.writeBytes(e.toByteArray());
        final ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.write(2);
        m.write(body.size() >>> 16);
        m.write(body.size() >>> 8);
        m.write(body.size());
        m.writeBytes(body.toByteArray());
        return m.toByteArray();
    }

    @Test
    void theServersInitialsTellWhatItChoseForEachVersion(@TempDir final Path tmp) throws Exception
    {
        final byte[] record = ClientHelloSegmentsTest.hello(new ArrayList<>());
        final byte[] message = Arrays.copyOfRange(record, 5, record.length);
        final byte[] serverId = HexFormat.of().parseHex("f067a5502a4262b5");
        final Path capture = tmp.resolve("quic-server.pcap");
        final Map<Integer, String> expected = new TreeMap<>();
        try (OutputStream out = Files.newOutputStream(capture))
        {
            final PcapWriter w = new PcapWriter(out, 1, false);
            long t = 1_700_000_000_000_000_000L;
            int port = 51_000;
            for (final String[] v : VERSIONS)
            {
                final byte[][] client = keys(v);
                final byte[][] server = keys(v, "server in", 6);
                final byte[] hello = initial(v, client, 0, crypto(0, message, 0, message.length));
                // x25519 in one Initial; the post-quantum hybrid's 1,120-byte share over two, the second first.
                final byte[] small = serverHello(0x001d, 32);
                final byte[] large = serverHello(0x11ec, 1120);
                final int half = large.length / 2;
                final List<List<byte[]>> answers = List.of(
                    List.of(initial(v, server, 0, crypto(0, small, 0, small.length), new byte[0], serverId)),
                    List.of(initial(v, server, 1, crypto(half, large, half, large.length - half), new byte[0],
                        serverId), initial(v, server, 0, crypto(0, large, 0, half), new byte[0], serverId)),
                    // Sealed with the client's keys: not the server's Initial, nothing read.
                    List.of(initial(v, client, 0, crypto(0, small, 0, small.length), new byte[0], serverId)));
                final String[] groups = {"x25519", "X25519MLKEM768", "-"};
                for (int a = 0; a < answers.size(); a++)
                {
                    t = udp(w, t, port, hello);
                    for (final byte[] datagram : answers.get(a))
                    {
                        t = udpBack(w, t, port, datagram);
                    }
                    expected.put(port++, a == 2 ? "quic - - -" : "quic TLSv13 1301 " + groups[a]);
                }
            }
            w.close();
        }
        assertEquals(expected, read(tmp, capture, "version", "cipher", "group"));
    }

    private static long udpBack(final PcapWriter w, final long t, final int port, final byte[] datagram)
        throws Exception
    {
        final PacketBuilder p = new PacketBuilder();
        p.payload(datagram);
        p.udp(SERVER, 443, CLIENT, port, datagram.length);
        w.write(t, p.frame(), p.length(), 0);
        return t + 1_000_000;
    }

    private static byte[] label(final byte[] secret, final String label, final int length) throws Exception
    {
        final byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        final ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length >>> 8);
        info.write(length);
        info.write(full.length);
        info.writeBytes(full);
        info.write(0);
        info.write(1);
        final Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return Arrays.copyOf(hmac.doFinal(info.toByteArray()), length);
    }

    /** A CRYPTO frame (offset and length as two-byte varints), then PING. */
    private static byte[] crypto(final int offset, final byte[] data, final int from, final int length)
    {
        final ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x06);
        f.write(0x40 | offset >>> 8);
        f.write(offset);
        f.write(0x40 | length >>> 8);
        f.write(length);
        f.write(data, from, length);
        f.write(0x01);
        return f.toByteArray();
    }

    /** A protected Initial with packet number {@code pn} (4 bytes), its payload padded to a 1200-byte datagram. */
    private static byte[] initial(final String[] v, final byte[][] keys, final int pn, final byte[] frames)
        throws Exception
    {
        return initial(v, keys, pn, frames, DCID, new byte[0]);
    }

    /** The same, with these connection ids (a server's Initial goes to the client's source id). */
    private static byte[] initial(final String[] v, final byte[][] keys, final int pn, final byte[] frames,
        final byte[] dcid, final byte[] scid) throws Exception
    {
        final boolean v2 = v[2].equals("quicv2");
        final int headerLength = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1 + 2 + 4;
        final int payload = Math.max(frames.length, 1200 - headerLength - 16);
        final byte[] plain = Arrays.copyOf(frames, payload); // PADDING frames are zeros
        final ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(0xC0 | (v2 ? 1 : 0) << 4 | 0x03);
        h.writeBytes(HexFormat.of().parseHex(v[0]));
        h.write(dcid.length);
        h.writeBytes(dcid);
        h.write(scid.length);
        h.writeBytes(scid);
        h.write(0); // token
        final int length = 4 + payload + 16;
        h.write(0x40 | length >>> 8);
        h.write(length);
        h.write(pn >>> 24);
        h.write(pn >>> 16);
        h.write(pn >>> 8);
        h.write(pn);
        final byte[] header = h.toByteArray();
        final byte[] nonce = keys[1].clone();
        for (int k = 0; k < 4; k++)
        {
            nonce[11 - k] ^= (byte)(pn >>> (8 * k));
        }
        final Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys[0], "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(header);
        final byte[] sealed = gcm.doFinal(plain);
        final Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys[2], "AES"));
        final byte[] mask = ecb.doFinal(sealed, 0, 16); // the sample: 4 bytes after the packet number starts
        header[0] ^= mask[0] & 0x0F;
        for (int k = 0; k < 4; k++)
        {
            header[headerLength - 4 + k] ^= mask[1 + k];
        }
        final byte[] packet = Arrays.copyOf(header, header.length + sealed.length);
        System.arraycopy(sealed, 0, packet, header.length, sealed.length);
        return packet;
    }

    private static long udp(final PcapWriter w, final long t, final int port, final byte[] datagram) throws Exception
    {
        final PacketBuilder p = new PacketBuilder();
        p.payload(datagram);
        p.udp(CLIENT, port, SERVER, 443, datagram.length);
        w.write(t, p.frame(), p.length(), 0);
        return t + 1_000_000;
    }
}
