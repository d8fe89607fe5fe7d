package flowdemux.report;

import flowdemux.util.AsciiLine;

/**
 * Untrusted text (what service detection kept from payload: server names, Host headers, banners, query names) made
 * safe for each output: every byte outside printable ASCII is escaped, so that no output can be broken or steered by
 * what a peer sent.
 */
final class Escapes
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Escapes()
    {
    }

    /** A JSON string's content: quotes and backslashes escaped, other bytes outside 0x20-0x7e as \\u00XX. */
    static AsciiLine json(final AsciiLine sb, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20 || c >= 0x7F)
            {
                sb.append("\\u00").append(HEX[(c >>> 4) & 0xF]).append(HEX[c & 0xF]);
            }
            else
            {
                sb.append(c);
            }
        }
        return sb;
    }

    /** For the text report: bytes outside printable ASCII and backslashes as \\xNN, as Zeek writes them. */
    static String text(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '\\')
            {
                sb.append("\\x").append(HEX[(c >>> 4) & 0xF]).append(HEX[c & 0xF]);
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * A CSV field (RFC 4180): bytes outside printable ASCII and backslashes as \xNN, as Zeek writes them; quoted, with
     * quotes doubled, when it holds a comma or a quote.
     */
    static AsciiLine csv(final AsciiLine sb, final String s)
    {
        final boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0;
        if (quote)
        {
            sb.append('"');
        }
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"')
            {
                sb.append("\"\"");
            }
            else
            {
                zeekChar(sb, c);
            }
        }
        if (quote)
        {
            sb.append('"');
        }
        return sb;
    }

    /** A conn.log field: bytes outside printable ASCII and backslashes as \\xNN, as Zeek writes them. */
    static AsciiLine zeek(final AsciiLine sb, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            zeekChar(sb, s.charAt(i));
        }
        return sb;
    }

    private static void zeekChar(final AsciiLine sb, final char c)
    {
        if (c < 0x20 || c >= 0x7F || c == '\\')
        {
            sb.append("\\x").append(HEX[(c >>> 4) & 0xF]).append(HEX[c & 0xF]);
        }
        else
        {
            sb.append(c);
        }
    }
}
