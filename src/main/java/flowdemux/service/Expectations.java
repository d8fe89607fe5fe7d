package flowdemux.service;

import flowdemux.util.Addresses;

/**
 * The data connections control connections announce, as Zeek's analyzers schedule them. FTP: a PORT or EPRT command
 * from the client expects the server to connect to the address and port given; a 227 (PASV) or 229 (EPSV) reply
 * expects the client to connect to the server's port; a new connection that matches (originator, responder,
 * responder port) is ftp-data. IRC: a DCC SEND offer ("\1DCC SEND file address port size\1" in a PRIVMSG, either
 * way) expects anyone to connect to that address and port: irc-dcc-data. Within five minutes of capture time. Kept on
 * the reader, which sees every packet in order, so the answer does not depend on which worker tracks which
 * connection. Allocates only when an announcement parses.
 */
public final class Expectations
{
    static final long LIFETIME_NANOS = 300_000_000_000L;
    private static final int CAPACITY = 256;

    private final long[] origHi = new long[CAPACITY];
    private final long[] origLo = new long[CAPACITY];
    private final long[] respHi = new long[CAPACITY];
    private final long[] respLo = new long[CAPACITY];
    private final int[] port = new int[CAPACITY];
    /** The service id of the connection expected; for irc-dcc-data any originator matches. */
    private final int[] service = new int[CAPACITY];
    private final long[] expires = new long[CAPACITY];
    private int size;
    private int next;

    public boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * Looks at a TCP payload sent from src to dst for an announcement of a data connection; {@code b[o, o + n)} are
     * the bytes captured.
     */
    public void observe(final long srcHi, final long srcLo, final long dstHi, final long dstLo, final byte[] b,
        final int o, final int n, final long now)
    {
        if (n < 8)
        {
            return;
        }
        final int c = b[o];
        if (c == ':' || c == 'P' || c == 'p')
        {
            dccSend(b, o, n, now);
        }
        if (c == '2' && b[o + 1] == '2' && (b[o + 2] == '7' || b[o + 2] == '9') && b[o + 3] == ' ')
        {
            final String line = line(b, o, n);
            if (b[o + 2] == '7')
            {
                // 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2): the client connects to that address.
                final long[] hostPort = commaHostPort(line, line.indexOf('(') + 1);
                if (hostPort != null)
                {
                    add(dstHi, dstLo, hostPort[0], hostPort[1], (int)hostPort[2], now);
                }
            }
            else
            {
                // 229 Entering Extended Passive Mode (|||port|): the client connects to the server's port.
                final int open = line.indexOf('(');
                final int close = line.indexOf(')', open + 1);
                if (open >= 0 && close > open + 4)
                {
                    final String[] f = line.substring(open + 2, close).split(java.util.regex.Pattern.quote(
                        String.valueOf(line.charAt(open + 1))), -1);
                    final int p = f.length >= 3 ? parsePort(f[2]) : -1;
                    if (p > 0)
                    {
                        add(dstHi, dstLo, srcHi, srcLo, p, now);
                    }
                }
            }
        }
        else if ((c == 'P' || c == 'p') && Signatures.startsWithIgnoreCase(b, o, o + n, "PORT "))
        {
            // PORT h1,h2,h3,h4,p1,p2: the server connects to that address.
            final long[] hostPort = commaHostPort(line(b, o, n), 5);
            if (hostPort != null)
            {
                add(dstHi, dstLo, hostPort[0], hostPort[1], (int)hostPort[2], now);
            }
        }
        else if ((c == 'E' || c == 'e') && Signatures.startsWithIgnoreCase(b, o, o + n, "EPRT "))
        {
            // EPRT |af|address|port|: the server connects to that address.
            final String line = line(b, o, n).substring(5).trim();
            if (line.length() > 2)
            {
                final String[] f = line.substring(1).split(java.util.regex.Pattern.quote(line.substring(0, 1)), -1);
                final long[] address = f.length >= 3 ? Addresses.parse(f[1]) : null;
                final int p = f.length >= 3 ? parsePort(f[2]) : -1;
                if (address != null && p > 0)
                {
                    add(dstHi, dstLo, address[0], address[1], p, now);
                }
            }
        }
    }

    /**
     * The service a new connection from orig to resp:respPort was announced as (and the announcement has not
     * expired), or -1.
     */
    public int expected(final long oHi, final long oLo, final long rHi, final long rLo, final int respPort,
        final long now)
    {
        for (int i = 0; i < size; i++)
        {
            if (port[i] == respPort && respLo[i] == rLo && respHi[i] == rHi && expires[i] >= now
                && (service[i] == ServiceId.IRC_DCC_DATA || (origLo[i] == oLo && origHi[i] == oHi)))
            {
                return service[i];
            }
        }
        return -1;
    }

    /**
     * IRC's DCC SEND offers in the lines of {@code b[o, o + n)}, parsed as Zeek's IRC analyzer does: the CTCP text
     * split at spaces into five or six words (DCC, SEND, file, address as a 32-bit number, port, size).
     */
    private void dccSend(final byte[] b, final int o, final int n, final long now)
    {
        final int end = o + n;
        for (int i = o; i + 10 <= end; i++)
        {
            if (b[i] != 1 || b[i + 1] != 'D' || !Signatures.startsWith(b, i + 1, end, "DCC SEND "))
            {
                continue;
            }
            int stop = i + 1;
            while (stop < end && b[stop] != 1 && b[stop] != '\r' && b[stop] != '\n')
            {
                stop++;
            }
            final String[] words = new String(b, i + 1, stop - i - 1, java.nio.charset.StandardCharsets.ISO_8859_1)
                .split(" ", -1);
            if (words.length < 5 || words.length > 6)
            {
                continue;
            }
            final String number = words[3];
            final int p = parsePort(words[4]);
            if (number.isEmpty() || number.length() > 10 || !number.chars().allMatch(Signatures::isDigit) || p <= 0)
            {
                continue;
            }
            final long v4 = Long.parseLong(number);
            if (v4 > 0xFFFF_FFFFL)
            {
                continue;
            }
            final long[] address = Addresses.parse((v4 >>> 24) + "." + ((v4 >>> 16) & 255) + "." + ((v4 >>> 8) & 255)
                + "." + (v4 & 255));
            if (address != null)
            {
                add(0, 0, address[0], address[1], p, now, ServiceId.IRC_DCC_DATA);
            }
            i = stop;
        }
    }

    private void add(final long oHi, final long oLo, final long rHi, final long rLo, final int p, final long now)
    {
        add(oHi, oLo, rHi, rLo, p, now, ServiceId.FTP_DATA);
    }

    private void add(final long oHi, final long oLo, final long rHi, final long rLo, final int p, final long now,
        final int id)
    {
        // Overwrite an expired entry, else the oldest: the table is a ring.
        int slot = -1;
        for (int i = 0; i < size; i++)
        {
            if (expires[i] < now)
            {
                slot = i;
                break;
            }
        }
        if (slot < 0)
        {
            if (size < CAPACITY)
            {
                slot = size++;
            }
            else
            {
                slot = next;
                next = (next + 1) % CAPACITY;
            }
        }
        origHi[slot] = oHi;
        origLo[slot] = oLo;
        respHi[slot] = rHi;
        respLo[slot] = rLo;
        port[slot] = p;
        service[slot] = id;
        expires[slot] = now + LIFETIME_NANOS;
    }

    private static String line(final byte[] b, final int o, final int n)
    {
        return new String(b, o, Signatures.lineEnd(b, o, o + n) - o, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** "h1,h2,h3,h4,p1,p2" from index {@code from}: {hi, lo, port}, or null. */
    private static long[] commaHostPort(final String line, final int from)
    {
        if (from <= 0 || from >= line.length())
        {
            return null;
        }
        final String[] f = line.substring(from).split(",", -1);
        if (f.length < 6)
        {
            return null;
        }
        long v4 = 0;
        final int[] v = new int[6];
        for (int i = 0; i < 6; i++)
        {
            final String t = i == 5 ? f[i].replaceAll("[^0-9].*$", "") : f[i].trim();
            if (t.isEmpty() || t.length() > 3 || !t.chars().allMatch(Signatures::isDigit))
            {
                return null;
            }
            v[i] = Integer.parseInt(t);
            if (v[i] > 255)
            {
                return null;
            }
        }
        for (int i = 0; i < 4; i++)
        {
            v4 = v4 << 8 | v[i];
        }
        final long[] address = Addresses.parse((v4 >>> 24) + "." + ((v4 >>> 16) & 255) + "." + ((v4 >>> 8) & 255)
            + "." + (v4 & 255));
        final int p = v[4] << 8 | v[5];
        return address == null || p == 0 ? null : new long[] {address[0], address[1], p};
    }

    private static int parsePort(final String text)
    {
        final String t = text.trim();
        if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(Signatures::isDigit))
        {
            return -1;
        }
        final int p = Integer.parseInt(t);
        return p > 0 && p <= 65535 ? p : -1;
    }
}
