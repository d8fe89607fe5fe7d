package flowdemux.service;

import flowdemux.util.Bytes;

import java.nio.charset.StandardCharsets;

/**
 * What a TLS ServerHello chose: the version (supported_versions for TLS 1.3, else the hello's own), the cipher suite
 * and, for TLS 1.3, the key-exchange group of its key share: who negotiated a post-quantum group shows here. Over TCP
 * it comes in a record; in QUIC, in the CRYPTO frames of the server's Initial packets.
 */
final class ServerHello
{
    private static final int SERVER_HELLO = 2;
    private static final int EXT_SUPPORTED_VERSIONS = 0x002b;
    private static final int EXT_KEY_SHARE = 0x0033;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private ServerHello()
    {
    }

    /**
     * Reads the ServerHello whose record starts at {@code b[o]} (as far as {@code b[o, o + n)} holds it) into fields
     * E, F and G of {@code note}; nothing when it is not one.
     */
    static void read(final byte[] b, final int o, final int n, final ServiceNotes notes, final int note,
        final byte[] scratch)
    {
        if (n >= 5)
        {
            message(b, o + 5, Math.min(n - 5, Bytes.u16(b, o + 3)), notes, note, scratch);
        }
    }

    /** As {@link #read}, for a handshake message at {@code b[o]} without its record (QUIC carries none). */
    static void message(final byte[] b, final int o, final int n, final ServiceNotes notes, final int note,
        final byte[] scratch)
    {
        final int end = o + n;
        if (o + 4 > end || (b[o] & 0xFF) != SERVER_HELLO)
        {
            return;
        }
        int i = o + 4;
        if (i + 2 + 32 + 1 > end)
        {
            return;
        }
        int version = Bytes.u16(b, i);
        i += 2 + 32;
        i += 1 + (b[i] & 0xFF); // session id
        if (i + 3 > end)
        {
            return;
        }
        final int cipher = Bytes.u16(b, i);
        i += 3; // cipher, compression
        int group = -1;
        if (i + 2 <= end)
        {
            final int extensionsEnd = Math.min(end, i + 2 + Bytes.u16(b, i));
            i += 2;
            while (i + 4 <= extensionsEnd)
            {
                final int type = Bytes.u16(b, i);
                final int length = Bytes.u16(b, i + 2);
                if (i + 4 + 2 <= extensionsEnd && length >= 2)
                {
                    if (type == EXT_SUPPORTED_VERSIONS)
                    {
                        version = Bytes.u16(b, i + 4);
                    }
                    else if (type == EXT_KEY_SHARE)
                    {
                        group = Bytes.u16(b, i + 4);
                    }
                }
                i += 4 + length;
            }
        }
        // Known names are constants and an unknown code is written into the caller's scratch: nothing allocated.
        notes.set(note, 4, scratch, 0, name(VERSIONS, version, scratch));
        hex4(cipher, scratch, 0);
        notes.set(note, 5, scratch, 0, 4);
        if (group >= 0)
        {
            notes.set(note, 6, scratch, 0, name(GROUPS, group, scratch));
        }
    }

    /** A version's name (Zeek's: "TLSv13") into {@code out}, else its 4 hex digits; returns its length. */
    static int versionName(final int version, final byte[] out)
    {
        return name(VERSIONS, version, out);
    }

    /** A group's name (IANA's: "X25519MLKEM768") into {@code out}, else its 4 hex digits; returns its length. */
    static int groupName(final int group, final byte[] out)
    {
        return name(GROUPS, group, out);
    }

    /** The name of {@code code} in {@code names} ({code, name} pairs) into {@code out}, else its 4 hex digits. */
    private static int name(final Object[] names, final int code, final byte[] out)
    {
        for (int k = 0; k < names.length; k += 2)
        {
            if ((Integer)names[k] == code)
            {
                final byte[] name = (byte[])names[k + 1];
                System.arraycopy(name, 0, out, 0, name.length);
                return name.length;
            }
        }
        hex4(code, out, 0);
        return 4;
    }

    private static void hex4(final int v, final byte[] out, final int at)
    {
        out[at] = HEX[(v >>> 12) & 0xF];
        out[at + 1] = HEX[(v >>> 8) & 0xF];
        out[at + 2] = HEX[(v >>> 4) & 0xF];
        out[at + 3] = HEX[v & 0xF];
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** As Zeek's ssl.log names versions. */
    private static final Object[] VERSIONS = {0x0300, ascii("SSLv3"), 0x0301, ascii("TLSv10"), 0x0302, ascii("TLSv11"),
        0x0303, ascii("TLSv12"), 0x0304, ascii("TLSv13")};
    /** IANA's names of the TLS groups met in practice. */
    private static final Object[] GROUPS = {0x0017, ascii("secp256r1"), 0x0018, ascii("secp384r1"), 0x0019,
        ascii("secp521r1"), 0x001d, ascii("x25519"), 0x001e, ascii("x448"), 0x0100, ascii("ffdhe2048"), 0x0101,
        ascii("ffdhe3072"), 0x11eb, ascii("SecP256r1MLKEM768"), 0x11ec, ascii("X25519MLKEM768"), 0x11ed,
        ascii("SecP384r1MLKEM1024"), 0x6399, ascii("X25519Kyber768")};
}
