package flowdemux.service;

import flowdemux.util.Bytes;

/** The server name (SNI) and ALPN protocols of a TLS ClientHello, as far as its first segment holds them. */
final class Tls
{
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final byte[] COMMA = {','};

    private Tls()
    {
    }

    /** Appends the ALPN protocol names of {@code b[from, end)} to field B, comma-separated, as far as it has room. */
    static void alpn(final byte[] b, final int from, final int end, final ServiceNotes notes, final int note)
    {
        boolean first = true;
        for (int p = from; p < end; )
        {
            final int length = b[p] & 0xFF;
            final int to = Math.min(end, p + 1 + length);
            if ((!first && !notes.append(note, false, COMMA, 0, 1)) || !notes.append(note, false, b, p + 1, to))
            {
                return;
            }
            first = false;
            p += 1 + length;
        }
    }

    /** Writes the SNI into field A and the ALPN list into field B of {@code note}; a ClientHello starts at o. */
    static void clientHello(final byte[] b, final int o, final int n, final ServiceNotes notes, final int note)
    {
        final int end = Math.min(o + n, o + 5 + Bytes.u16(b, o + 3));
        int i = o + 5 + 4 + 2 + 32; // record header, handshake header, version, random
        if (i >= end)
        {
            return;
        }
        i += 1 + (b[i] & 0xFF); // session id
        if (i + 2 > end)
        {
            return;
        }
        i += 2 + Bytes.u16(b, i); // cipher suites
        if (i + 1 > end)
        {
            return;
        }
        i += 1 + (b[i] & 0xFF); // compression methods
        if (i + 2 > end)
        {
            return;
        }
        final int extensionsEnd = Math.min(end, i + 2 + Bytes.u16(b, i));
        i += 2;
        while (i + 4 <= extensionsEnd)
        {
            final int type = Bytes.u16(b, i);
            final int length = Bytes.u16(b, i + 2);
            final int data = i + 4;
            final int dataEnd = Math.min(extensionsEnd, data + length);
            if (type == EXT_SERVER_NAME && data + 5 <= dataEnd && b[data + 2] == 0)
            {
                final int nameLength = Bytes.u16(b, data + 3);
                notes.set(note, true, b, data + 5, Math.min(dataEnd, data + 5 + nameLength));
            }
            else if (type == EXT_ALPN && data + 2 <= dataEnd)
            {
                alpn(b, data + 2, dataEnd, notes, note);
            }
            i = data + length;
        }
    }
}
