package flowdemux.service;

import flowdemux.util.Bytes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A TLS ClientHello, parsed whole from its handshake message, and the client fingerprints read from it: JA4 (FoxIO's
 * JA4 specification, BSD-3-Clause; JA4S, JA4H, JA4X and the rest of JA4+ are under another licence and not here) and
 * JA3 (Salesforce's: MD5 of version, ciphers, extensions, groups and point formats, GREASE left out). One instance is
 * reused for every hello: its lists are arrays filled again, its digests kept, so nothing is allocated per hello.
 */
public final class ClientHello
{
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EXT_SERVER_NAME = 0x0000;
    private static final int EXT_SUPPORTED_GROUPS = 0x000a;
    private static final int EXT_POINT_FORMATS = 0x000b;
    private static final int EXT_SIGNATURE_ALGORITHMS = 0x000d;
    private static final int EXT_ALPN = 0x0010;
    private static final int EXT_SUPPORTED_VERSIONS = 0x002b;
    /** More than any real hello lists; a longer list is kept to this many (its JA4 count says 99 from 100 on). */
    private static final int MAX_ITEMS = 512;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    public static final int JA4_LENGTH = 36;

    private final int[] ciphers = new int[MAX_ITEMS];
    private final int[] extensions = new int[MAX_ITEMS];
    private final int[] signatureAlgorithms = new int[MAX_ITEMS];
    private final int[] groups = new int[MAX_ITEMS];
    private final int[] pointFormats = new int[MAX_ITEMS];
    /** supported_versions, as offered (GREASE out). */
    private final int[] versions = new int[16];
    private int versionCount;
    private final int[] sorted = new int[MAX_ITEMS];
    private int cipherCount;
    private int extensionCount;
    private int signatureCount;
    private int groupCount;
    private int pointFormatCount;
    private int legacyVersion;
    private int highestSupportedVersion;
    private boolean sni;
    private byte[] source;
    private int serverNameAt;
    private int serverNameLength;
    private int alpnAt;
    private int alpnEnd;
    private final byte[] text = new byte[MAX_ITEMS * 6 * 4 + 32];
    private final byte[] digest = new byte[32];
    private final MessageDigest sha256;
    private final MessageDigest md5;

    public ClientHello()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
            md5 = MessageDigest.getInstance("MD5");
        }
        catch (NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("the JDK has SHA-256 and MD5", e);
        }
    }

    /** GREASE (RFC 8701): 0x0a0a, 0x1a1a ... 0xfafa, left out of every list and count. */
    public static boolean grease(final int value)
    {
        return (value & 0x0f0f) == 0x0a0a && (value >>> 8) == (value & 0xff);
    }

    /**
     * Parses the handshake message at {@code b[o, o + n)} (type, 24-bit length, body); false unless it is a whole
     * ClientHello. The server name and ALPN stay in {@code b} until the next parse.
     */
    public boolean parse(final byte[] b, final int o, final int n)
    {
        cipherCount = 0;
        extensionCount = 0;
        signatureCount = 0;
        groupCount = 0;
        pointFormatCount = 0;
        versionCount = 0;
        highestSupportedVersion = -1;
        sni = false;
        serverNameLength = 0;
        alpnAt = -1;
        alpnEnd = -1;
        source = b;
        if (n < 4 || (b[o] & 0xFF) != HANDSHAKE_CLIENT_HELLO)
        {
            return false;
        }
        final int end = o + 4 + ((b[o + 1] & 0xFF) << 16 | Bytes.u16(b, o + 2));
        if (end > o + n)
        {
            return false;
        }
        int i = o + 4;
        if (i + 2 + 32 + 1 > end)
        {
            return false;
        }
        legacyVersion = Bytes.u16(b, i);
        i += 2 + 32;
        i += 1 + (b[i] & 0xFF); // session id
        if (i + 2 > end)
        {
            return false;
        }
        final int ciphersEnd = i + 2 + Bytes.u16(b, i);
        if (ciphersEnd > end)
        {
            return false;
        }
        for (int c = i + 2; c + 2 <= ciphersEnd; c += 2)
        {
            cipherCount = add(ciphers, cipherCount, Bytes.u16(b, c));
        }
        i = ciphersEnd;
        if (i + 1 > end)
        {
            return false;
        }
        i += 1 + (b[i] & 0xFF); // compression methods
        if (i > end)
        {
            return false;
        }
        if (i + 2 > end)
        {
            return true; // a hello without extensions (SSL 3.0, old TLS)
        }
        final int extensionsEnd = i + 2 + Bytes.u16(b, i);
        if (extensionsEnd > end)
        {
            return false;
        }
        i += 2;
        while (i + 4 <= extensionsEnd)
        {
            final int type = Bytes.u16(b, i);
            final int length = Bytes.u16(b, i + 2);
            final int data = i + 4;
            final int dataEnd = data + length;
            if (dataEnd > extensionsEnd)
            {
                return false;
            }
            extensionCount = add(extensions, extensionCount, type);
            extension(type, b, data, dataEnd);
            i = dataEnd;
        }
        return true;
    }

    private void extension(final int type, final byte[] b, final int data, final int end)
    {
        switch (type)
        {
            case EXT_SERVER_NAME:
                sni = true;
                // server_name_list: its length, then host_name entries (type 0, length, name): the first.
                if (data + 5 <= end && b[data + 2] == 0)
                {
                    serverNameAt = data + 5;
                    serverNameLength = Math.max(0, Math.min(Bytes.u16(b, data + 3), end - serverNameAt));
                }
                break;
            case EXT_SUPPORTED_GROUPS:
                groupCount = list16(b, data, end, groups, groupCount);
                break;
            case EXT_POINT_FORMATS:
                if (data < end)
                {
                    for (int p = data + 1; p < Math.min(end, data + 1 + (b[data] & 0xFF)); p++)
                    {
                        pointFormatCount = add(pointFormats, pointFormatCount, b[p] & 0xFF);
                    }
                }
                break;
            case EXT_SIGNATURE_ALGORITHMS:
                signatureCount = list16(b, data, end, signatureAlgorithms, signatureCount);
                break;
            case EXT_ALPN:
                if (data + 2 <= end)
                {
                    alpnAt = data + 2;
                    alpnEnd = Math.min(end, data + 2 + Bytes.u16(b, data));
                }
                break;
            case EXT_SUPPORTED_VERSIONS:
                // A client's list: its length in one byte, then versions.
                if (data < end)
                {
                    for (int p = data + 1; p + 2 <= Math.min(end, data + 1 + (b[data] & 0xFF)); p += 2)
                    {
                        final int v = Bytes.u16(b, p);
                        if (!grease(v))
                        {
                            highestSupportedVersion = Math.max(highestSupportedVersion, v);
                            versionCount = add(versions, versionCount, v);
                        }
                    }
                }
                break;
            default:
                break;
        }
    }

    /** A list with a 16-bit length of 16-bit values, GREASE left out. */
    private static int list16(final byte[] b, final int data, final int end, final int[] into, final int count)
    {
        int n = count;
        if (data + 2 <= end)
        {
            final int listEnd = Math.min(end, data + 2 + Bytes.u16(b, data));
            for (int p = data + 2; p + 2 <= listEnd; p += 2)
            {
                n = add(into, n, Bytes.u16(b, p));
            }
        }
        return n;
    }

    private static int add(final int[] into, final int count, final int value)
    {
        if (grease(value) || count == into.length)
        {
            return count;
        }
        into[count] = value;
        return count + 1;
    }

    /** Writes the server name into field A and the ALPN list (comma-separated) into field B of {@code note}. */
    void keepNames(final ServiceNotes notes, final int note)
    {
        if (serverNameLength > 0)
        {
            notes.set(note, true, source, serverNameAt, serverNameAt + serverNameLength);
        }
        notes.set(note, false, source, 0, 0);
        if (alpnAt >= 0)
        {
            Tls.alpn(source, alpnAt, alpnEnd, notes, note);
        }
    }

    /**
     * Writes the versions offered (supported_versions, else the hello's own) into field H and the groups offered into
     * field I of {@code note}, by name where one is known, in the hello's order; {@code scratch}: room for one name.
     */
    void keepOffered(final ServiceNotes notes, final int note, final byte[] scratch)
    {
        notes.set(note, 7, scratch, 0, 0);
        if (versionCount == 0)
        {
            notes.set(note, 7, scratch, 0, ServerHello.versionName(legacyVersion, scratch));
        }
        for (int k = 0; k < versionCount; k++)
        {
            append(notes, note, 7, ServerHello.versionName(versions[k], scratch), scratch, k > 0);
        }
        notes.set(note, 8, scratch, 0, 0);
        for (int k = 0; k < groupCount; k++)
        {
            append(notes, note, 8, ServerHello.groupName(groups[k], scratch), scratch, k > 0);
        }
    }

    /** Appends a name (and a comma before it) to a field, whole or not at all. */
    private static void append(final ServiceNotes notes, final int note, final int field, final int length,
        final byte[] name, final boolean comma)
    {
        notes.appendWhole(note, field, name, length, comma);
    }

    /**
     * The JA4 of this hello into {@code out[at, at + 36)}: {@code transport} 't' for TLS over TCP, 'q' for QUIC.
     * Returns its length.
     */
    public int ja4(final char transport, final byte[] out, final int at)
    {
        int i = at;
        out[i++] = (byte)transport;
        final int version = highestSupportedVersion >= 0 ? highestSupportedVersion : legacyVersion;
        final String v = versionCode(version);
        out[i++] = (byte)v.charAt(0);
        out[i++] = (byte)v.charAt(1);
        out[i++] = (byte)(sni ? 'd' : 'i');
        i = twoDigits(out, i, cipherCount);
        i = twoDigits(out, i, extensionCount);
        i = alpnCode(out, i);
        out[i++] = '_';
        // Ciphers, sorted in hex order.
        System.arraycopy(ciphers, 0, sorted, 0, cipherCount);
        sort(sorted, cipherCount);
        int t = hexList(sorted, cipherCount, text, 0);
        i = truncatedSha256(text, t, cipherCount == 0, out, i);
        out[i++] = '_';
        // Extensions without SNI and ALPN, sorted; then the signature algorithms as they came.
        int e = 0;
        for (int k = 0; k < extensionCount; k++)
        {
            if (extensions[k] != EXT_SERVER_NAME && extensions[k] != EXT_ALPN)
            {
                sorted[e++] = extensions[k];
            }
        }
        sort(sorted, e);
        t = hexList(sorted, e, text, 0);
        if (signatureCount > 0)
        {
            text[t++] = '_';
            t = hexList(signatureAlgorithms, signatureCount, text, t);
        }
        i = truncatedSha256(text, t, e == 0, out, i);
        return i - at;
    }

    /** The JA3 string: version, ciphers, extensions, groups, point formats, in decimal, as the hello had them. */
    public int ja3String(final byte[] out)
    {
        int t = decimal(out, 0, legacyVersion);
        out[t++] = ',';
        t = decimalList(ciphers, cipherCount, out, t);
        out[t++] = ',';
        t = decimalList(extensions, extensionCount, out, t);
        out[t++] = ',';
        t = decimalList(groups, groupCount, out, t);
        out[t++] = ',';
        return decimalList(pointFormats, pointFormatCount, out, t);
    }

    /** The JA3 (MD5 of {@link #ja3String}) in 32 lower-case hex digits into {@code out[at, at + 32)}. */
    public void ja3(final byte[] out, final int at)
    {
        digest(md5, text, ja3String(text), 16);
        hex(digest, 16, out, at);
    }

    /** {@code md} of {@code in[0, n)} into {@link #digest}, without allocating. */
    private void digest(final MessageDigest md, final byte[] in, final int n, final int length)
    {
        md.reset();
        md.update(in, 0, n);
        try
        {
            md.digest(digest, 0, length);
        }
        catch (java.security.DigestException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code n} bytes of {@code bytes} as lower-case hex digits into {@code out[at, at + 2n)}. */
    private static void hex(final byte[] bytes, final int n, final byte[] out, final int at)
    {
        for (int k = 0; k < n; k++)
        {
            out[at + 2 * k] = HEX[(bytes[k] >>> 4) & 0xF];
            out[at + 2 * k + 1] = HEX[bytes[k] & 0xF];
        }
    }

    private static String versionCode(final int version)
    {
        switch (version)
        {
            case 0x0304:
                return "13";
            case 0x0303:
                return "12";
            case 0x0302:
                return "11";
            case 0x0301:
                return "10";
            case 0x0300:
                return "s3";
            case 0x0002:
                return "s2";
            case 0xfeff:
                return "d1";
            case 0xfefd:
                return "d2";
            case 0xfefc:
                return "d3";
            default:
                return "00";
        }
    }

    private static int twoDigits(final byte[] out, final int at, final int count)
    {
        final int c = Math.min(99, count);
        out[at] = (byte)('0' + c / 10);
        out[at + 1] = (byte)('0' + c % 10);
        return at + 2;
    }

    /** The first and last characters of the first ALPN value ("00" for none). */
    private int alpnCode(final byte[] out, final int at)
    {
        final int length = alpnAt >= 0 && alpnAt < alpnEnd ? source[alpnAt] & 0xFF : 0;
        if (length == 0 || alpnAt + 1 + length > alpnEnd)
        {
            out[at] = '0';
            out[at + 1] = '0';
            return at + 2;
        }
        // As FoxIO's tools write it (their outputs are the oracle): a byte beyond ASCII is '9'. The specification's
        // text has since moved to hex digits for non-alphanumeric bytes; the tools of the corpus do not do that.
        out[at] = ascii(source[alpnAt + 1] & 0xFF);
        out[at + 1] = ascii(source[alpnAt + length] & 0xFF);
        return at + 2;
    }

    private static byte ascii(final int c)
    {
        return c < 0x80 ? (byte)c : (byte)'9';
    }

    /** Insertion sort: the lists are short, and Arrays.sort may allocate for long ones. */
    private static void sort(final int[] a, final int n)
    {
        for (int i = 1; i < n; i++)
        {
            final int v = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > v)
            {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    private static int hexList(final int[] values, final int n, final byte[] out, final int at)
    {
        int t = at;
        for (int k = 0; k < n; k++)
        {
            if (k > 0)
            {
                out[t++] = ',';
            }
            final int v = values[k];
            out[t++] = HEX[(v >>> 12) & 0xF];
            out[t++] = HEX[(v >>> 8) & 0xF];
            out[t++] = HEX[(v >>> 4) & 0xF];
            out[t++] = HEX[v & 0xF];
        }
        return t;
    }

    private static int decimalList(final int[] values, final int n, final byte[] out, final int at)
    {
        int t = at;
        for (int k = 0; k < n; k++)
        {
            if (k > 0)
            {
                out[t++] = '-';
            }
            t = decimal(out, t, values[k]);
        }
        return t;
    }

    private static int decimal(final byte[] out, final int at, final int value)
    {
        if (value >= 10)
        {
            final int t = decimal(out, at, value / 10);
            out[t] = (byte)('0' + value % 10);
            return t + 1;
        }
        out[at] = (byte)('0' + value);
        return at + 1;
    }

    /** The first 12 hex digits of SHA-256 of {@code text[0, n)}, or twelve zeros for an empty list. */
    private int truncatedSha256(final byte[] in, final int n, final boolean empty, final byte[] out, final int at)
    {
        if (empty)
        {
            for (int k = 0; k < 12; k++)
            {
                out[at + k] = '0';
            }
            return at + 12;
        }
        digest(sha256, in, n, 32);
        hex(digest, 6, out, at);
        return at + 12;
    }
}
