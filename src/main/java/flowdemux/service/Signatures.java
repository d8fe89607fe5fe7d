package flowdemux.service;

import flowdemux.util.Bytes;

/**
 * Recognises the first bytes of one direction of a connection. Most TCP protocols need both directions, as Zeek's
 * dynamic protocol detection does ("requires-reverse-signature"): each direction's bytes set a client or a server
 * hint of a protocol, and the protocol is confirmed when one side gave its client hint and the other its server
 * hint. Every method reads only {@code b[o, o + n)}.
 */
final class Signatures
{
    // Protocols that need a hint from each side: the client hint is bit p, the server hint bit 16 + p.
    static final int P_HTTP = 0;
    static final int P_SSH = 1;
    static final int P_SSL = 2;
    static final int P_FTP = 3;
    static final int P_SMTP = 4;
    static final int P_POP3 = 5;
    static final int P_IMAP = 6;
    static final int P_IRC = 7;
    static final int P_MODBUS = 8;
    static final int P_RDP = 9;
    static final int P_MYSQL = 10;
    static final int P_POSTGRESQL = 11;
    static final int P_REDIS = 12;
    static final int P_SMB = 13;
    static final int P_DNS = 14;
    static final int P_SOCKS = 15;
    static final int PAIRS = 16;
    static final int[] PAIR_SERVICE = {ServiceId.HTTP, ServiceId.SSH, ServiceId.SSL, ServiceId.FTP, ServiceId.SMTP,
        ServiceId.POP3, ServiceId.IMAP, ServiceId.IRC, ServiceId.MODBUS, ServiceId.RDP, ServiceId.MYSQL,
        ServiceId.POSTGRESQL, ServiceId.REDIS, ServiceId.SMB, ServiceId.DNS, ServiceId.SOCKS};

    static final int SERVER = 16;

    private Signatures()
    {
    }

    static int client(final int pair)
    {
        return 1 << pair;
    }

    static int server(final int pair)
    {
        return 1 << (SERVER + pair);
    }

    /** The client and server hints of a TCP direction's first bytes (n of a segment of {@code length}). */
    static int tcpHints(final byte[] b, final int o, final int n, final int length)
    {
        if (n <= 0)
        {
            return 0;
        }
        final int c = b[o] & 0xFF;
        int h = 0;
        if (c == 0x16 || c == 0x14 || c == 0x15 || c == 0x17 || (c & 0x80) != 0)
        {
            h |= tls(b, o, n);
        }
        if (c == 0x03)
        {
            h |= rdp(b, o, n);
        }
        if (c == 0x00)
        {
            h |= smb(b, o, n) | postgresClient(b, o, n) | socks4Server(b, o, n);
        }
        if (c == 0x04 || c == 0x05)
        {
            h |= socks(b, o, n);
        }
        if (c == 'R' || c == 'E' || ((c == 'S' || c == 'N') && n == 1))
        {
            h |= postgresServer(b, o, n);
        }
        if (n >= 8 && b[o + 2] == 0 && b[o + 3] == 0)
        {
            h |= modbus(b, o, n, length);
        }
        if (n >= 5 && (b[o + 3] == 0 || b[o + 3] == 1))
        {
            h |= mysql(b, o, n, length);
        }
        if (n >= 14)
        {
            h |= dnsOverTcp(b, o, n);
        }
        if (c >= 0x20 && c < 0x7F)
        {
            h |= text(b, o, n);
        }
        return h;
    }

    /** Services a TCP direction proves on its own (Zeek confirms these from the client alone). */
    static int tcpOneSided(final byte[] b, final int o, final int n)
    {
        if (n >= 16 && b[o] == 5)
        {
            return dceRpc(b, o, n) ? ServiceId.bit(ServiceId.DCE_RPC) : 0;
        }
        if (n >= 4 && (b[o] == '<' || isDigit(b[o])))
        {
            return syslog(b, o, n) ? ServiceId.bit(ServiceId.SYSLOG_TCP) : 0;
        }
        return 0;
    }

    /** Services a UDP datagram proves on its own; {@code length} is its whole payload, of which n bytes are here. */
    static int udp(final byte[] b, final int o, final int n, final int length)
    {
        if (n >= 240 && dhcp(b, o, n))
        {
            return ServiceId.bit(ServiceId.DHCP);
        }
        if (n >= 12 && Dns.isMessage(b, o, n))
        {
            return ServiceId.bit(ServiceId.DNS);
        }
        if (n >= 48 && ntp(b, o, n, length))
        {
            return ServiceId.bit(ServiceId.NTP);
        }
        if (n >= 7 && (b[o] & 0xC0) == 0xC0 && quic(b, o, n, length))
        {
            return ServiceId.bit(ServiceId.QUIC);
        }
        if (n >= 4 && b[o] == '<' && syslog(b, o, n))
        {
            return ServiceId.bit(ServiceId.SYSLOG);
        }
        return 0;
    }

    // ---- TLS

    /** ClientHello: the client hint; any other record of TLS 1.0-1.3 or SSLv3, or an SSLv2 server hello: the server's. */
    static int tls(final byte[] b, final int o, final int n)
    {
        final int c = b[o] & 0xFF;
        if (c >= 0x14 && c <= 0x17)
        {
            if (n < 5 || b[o + 1] != 3 || (b[o + 2] & 0xFF) > 4)
            {
                return 0;
            }
            if (c == 0x16 && n >= 11 && b[o + 5] == 1 && b[o + 9] == 3 && (b[o + 10] & 0xFF) <= 4)
            {
                return client(P_SSL);
            }
            return server(P_SSL);
        }
        // SSLv2 record header: a 2-byte length with the top bit set.
        if ((c & 0x80) != 0 && n >= 5)
        {
            final int type = b[o + 2] & 0xFF;
            if (type == 1 && (b[o + 3] == 3 || b[o + 3] == 0) && (b[o + 4] & 0xFF) <= 4)
            {
                return client(P_SSL);
            }
            if (type == 4 && n >= 7 && b[o + 5] == 0 && (b[o + 6] == 2 || b[o + 6] == 3))
            {
                return server(P_SSL);
            }
        }
        return 0;
    }

    // ---- Binary protocols

    /** RDP: a TPKT carrying an X.224 connection request (client) or confirm (server). */
    static int rdp(final byte[] b, final int o, final int n)
    {
        if (n < 11 || b[o + 1] != 0 || Bytes.u16(b, o + 2) < 11)
        {
            return 0;
        }
        final int li = b[o + 4] & 0xFF;
        final int code = b[o + 5] & 0xF0;
        if (li < 6 || li + 5 > Bytes.u16(b, o + 2))
        {
            return 0;
        }
        return code == 0xE0 ? client(P_RDP) : code == 0xD0 ? server(P_RDP) : 0;
    }

    /** SMB 1, 2 or 3 in a NetBIOS session message: the same from either side. */
    static int smb(final byte[] b, final int o, final int n)
    {
        if (n < 8 || b[o] != 0 || b[o + 5] != 'S' || b[o + 6] != 'M' || b[o + 7] != 'B')
        {
            return 0;
        }
        final int v = b[o + 4] & 0xFF;
        return v == 0xFF || v == 0xFE || v == 0xFD ? client(P_SMB) | server(P_SMB) : 0;
    }

    /** Modbus/TCP: an MBAP header (protocol 0, a length that fits) and a function code. */
    static int modbus(final byte[] b, final int o, final int n, final int segment)
    {
        if (n < 8 || b[o + 2] != 0 || b[o + 3] != 0)
        {
            return 0;
        }
        final int length = Bytes.u16(b, o + 4);
        final int function = b[o + 7] & 0x7F;
        if (length < 2 || length > 254 || length + 6 > segment || function == 0)
        {
            return 0;
        }
        return client(P_MODBUS) | server(P_MODBUS);
    }

    /** DNS over TCP: a length prefix and a DNS message; a query is the client's hint, a response the server's. */
    static int dnsOverTcp(final byte[] b, final int o, final int n)
    {
        if (n < 14 || Bytes.u16(b, o) < 12 || !Dns.isMessage(b, o + 2, n - 2))
        {
            return 0;
        }
        return (b[o + 4] & 0x80) == 0 ? client(P_DNS) : server(P_DNS);
    }

    /** MySQL: the server's handshake (protocol 10, a version string) or the client's reply with CLIENT_PROTOCOL_41. */
    static int mysql(final byte[] b, final int o, final int n, final int segment)
    {
        // Not held against it: more bytes than the message (a turn read whole may hold the next one too).
        final int length = (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16;
        if (length < 4 || length > 1 << 16)
        {
            return 0;
        }
        if (b[o + 3] == 0 && b[o + 4] == 10 && length >= 30)
        {
            // A printable version string, NUL-terminated.
            int i = o + 5;
            final int end = o + Math.min(n, 4 + length);
            while (i < end && b[i] >= 0x20 && b[i] < 0x7F)
            {
                i++;
            }
            return i > o + 5 && i < end && b[i] == 0 ? server(P_MYSQL) : 0;
        }
        if (b[o + 3] == 1 && length >= 32 && n >= 8 && (b[o + 5] & 0x02) != 0)
        {
            // Capabilities: CLIENT_PROTOCOL_41 (0x200); the filler of 23 zero bytes after max packet and charset.
            for (int i = o + 13; i < o + Math.min(n, 36); i++)
            {
                if (b[i] != 0)
                {
                    return 0;
                }
            }
            return client(P_MYSQL);
        }
        return 0;
    }

    /** PostgreSQL's StartupMessage (protocol 3.0), SSLRequest or GSSENCRequest. */
    static int postgresClient(final byte[] b, final int o, final int n)
    {
        if (n < 8 || b[o] != 0 || b[o + 1] != 0)
        {
            return 0;
        }
        final int length = Bytes.i32(b, o);
        final int code = Bytes.i32(b, o + 4);
        if (length == 8 && (code == 80877103 || code == 80877104))
        {
            return client(P_POSTGRESQL);
        }
        return code == 0x0003_0000 && length > 8 && length < 10_000 ? client(P_POSTGRESQL) : 0;
    }

    /** PostgreSQL's authentication request or error, or its one-byte answer to an SSLRequest. */
    static int postgresServer(final byte[] b, final int o, final int n)
    {
        if (n == 1)
        {
            return b[o] == 'S' || b[o] == 'N' ? server(P_POSTGRESQL) : 0;
        }
        if (n < 9)
        {
            return 0;
        }
        final int length = Bytes.i32(b, o + 1);
        if (b[o] == 'R' && length >= 8 && length < 2048 && Bytes.i32(b, o + 5) >= 0 && Bytes.i32(b, o + 5) <= 12)
        {
            return server(P_POSTGRESQL);
        }
        if (b[o] == 'E' && length >= 8 && length < 10_000 && b[o + 5] == 'S')
        {
            return server(P_POSTGRESQL);
        }
        return 0;
    }

    /**
     * SOCKS as Zeek's signatures see it: a version 4 request (connect or bind, then a NUL-ended user id), a version 5
     * greeting offering no authentication, GSSAPI or a password; the server's version 5 choice of one of them.
     */
    static int socks(final byte[] b, final int o, final int n)
    {
        if (n < 2)
        {
            return 0;
        }
        if (b[o] == 4)
        {
            if (b[o + 1] != 1 && b[o + 1] != 2)
            {
                return 0;
            }
            for (int i = o + 2; i < o + Math.min(n, 35); i++)
            {
                if (b[i] == 0)
                {
                    return client(P_SOCKS);
                }
            }
            return 0;
        }
        int h = 0;
        if (n >= 3 && (b[o + 2] & 0xFF) <= 2)
        {
            h |= client(P_SOCKS);
        }
        if (b[o + 1] == 0 || (b[o + 1] == 1 && n >= 3 && (b[o + 2] & 0xFF) <= 2))
        {
            h |= server(P_SOCKS);
        }
        return h;
    }

    /** A SOCKS 4 reply: version 0, then granted or one of the refusals. */
    static int socks4Server(final byte[] b, final int o, final int n)
    {
        return n >= 2 && (b[o + 1] & 0xFF) >= 0x5A && (b[o + 1] & 0xFF) <= 0x5D ? server(P_SOCKS) : 0;
    }

    /** DCE/RPC: a connection-oriented request, bind or alter-context PDU (version 5). */
    static boolean dceRpc(final byte[] b, final int o, final int n)
    {
        final int type = b[o + 2];
        if ((b[o + 1] != 0 && b[o + 1] != 1) || (type != 0 && type != 11 && type != 14) || (b[o + 3] & 0x03) != 0x03)
        {
            return false;
        }
        final boolean little = (b[o + 4] & 0xF0) == 0x10;
        if (!little && (b[o + 4] & 0xF0) != 0)
        {
            return false;
        }
        final int fragment = little ? (b[o + 8] & 0xFF) | (b[o + 9] & 0xFF) << 8 : Bytes.u16(b, o + 8);
        final int auth = little ? (b[o + 10] & 0xFF) | (b[o + 11] & 0xFF) << 8 : Bytes.u16(b, o + 10);
        return fragment >= 16 && auth <= fragment;
    }

    static boolean dhcp(final byte[] b, final int o, final int n)
    {
        return (b[o] == 1 || b[o] == 2) && b[o + 2] == 6 && (b[o + 236] & 0xFF) == 0x63 && (b[o + 237] & 0xFF) == 0x82
            && (b[o + 238] & 0xFF) == 0x53 && (b[o + 239] & 0xFF) == 0x63;
    }

    /** NTP: version 1-4, modes 1-5, a sane stratum, poll and precision, and a length NTP allows. */
    static boolean ntp(final byte[] b, final int o, final int n, final int length)
    {
        final int version = (b[o] >>> 3) & 7;
        final int mode = b[o] & 7;
        if (version < 1 || version > 4 || mode < 1 || mode > 5)
        {
            return false;
        }
        if ((b[o + 1] & 0xFF) > 16 || (b[o + 2] & 0xFF) > 17 || b[o + 3] > 0 || b[o + 3] < -32)
        {
            return false;
        }
        return length == 48 || (length >= 60 && length <= 1024 && (length - 48) % 4 == 0);
    }

    /** QUIC: a long header of version 1 or 2 (or an IETF draft), with connection ids of at most 20 bytes. */
    static boolean quic(final byte[] b, final int o, final int n, final int length)
    {
        final int version = Bytes.i32(b, o + 1);
        final boolean known = version == 1 || version == 0x6b3343cf || (version >>> 8) == 0xff0000;
        if (!known || n < 7)
        {
            return false;
        }
        final int dcid = b[o + 5] & 0xFF;
        if (dcid > 20 || o + 6 + dcid >= o + n)
        {
            return false;
        }
        final int scid = b[o + 6 + dcid] & 0xFF;
        if (scid > 20)
        {
            return false;
        }
        final int type = (b[o] >>> 4) & 3;
        // A client's Initial is padded to 1200 bytes; the server's packets are any size.
        return type != 0 || length >= 1200 || scid > 0;
    }

    /** Syslog: {@code <PRI>} with a priority of at most 191, perhaps after an RFC 6587 octet count, then text. */
    static boolean syslog(final byte[] b, final int o, final int n)
    {
        int i = o;
        final int end = o + n;
        if (isDigit(b[i]))
        {
            int digits = 0;
            while (i < end && isDigit(b[i]) && digits < 6)
            {
                i++;
                digits++;
            }
            if (i >= end || b[i] != ' ')
            {
                return false;
            }
            i++;
        }
        if (i >= end || b[i] != '<')
        {
            return false;
        }
        i++;
        int pri = 0;
        int digits = 0;
        while (i < end && isDigit(b[i]) && digits < 3)
        {
            pri = pri * 10 + b[i] - '0';
            i++;
            digits++;
        }
        return digits > 0 && pri <= 191 && i + 1 < end && b[i] == '>' && b[i + 1] >= 0x20 && b[i + 1] < 0x7F;
    }

    // ---- Text protocols

    /** Client commands of FTP, SMTP, POP3, IMAP, IRC and HTTP requests; greetings and replies of their servers. */
    static int text(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        final int c = b[o];
        if (c == 'S' && startsWith(b, o, end, "SSH-") && n >= 6 && isDigit(b[o + 4]) && b[o + 5] == '.')
        {
            return client(P_SSH) | server(P_SSH);
        }
        if (c == 'H' && startsWith(b, o, end, "HTTP/") && n >= 12 && isDigit(b[o + 5]) && (b[o + 6] == '.'
            ? isDigit(b[o + 7]) && b[o + 8] == ' ' && statusCode(b, o + 9) : b[o + 6] == ' ' && statusCode(b, o + 7)))
        {
            return server(P_HTTP);
        }
        if (isDigit(c))
        {
            // "220 " and "220-": FTP's and SMTP's greeting.
            if (n >= 4 && c == '2' && b[o + 1] == '2' && b[o + 2] == '0' && (b[o + 3] == ' ' || b[o + 3] == '-'))
            {
                return server(P_FTP) | server(P_SMTP);
            }
            return 0;
        }
        if (c == '+')
        {
            int h = 0;
            if (startsWith(b, o, end, "+OK"))
            {
                h |= server(P_POP3);
            }
            return h | (redisReply(b, o, n) ? server(P_REDIS) : 0);
        }
        if (c == '-' || c == '$' || c == ':' || c == '%')
        {
            int h = redisReply(b, o, n) ? server(P_REDIS) : 0;
            if (c == ':')
            {
                h |= ircServer(b, o, n) ? server(P_IRC) : 0;
            }
            return h;
        }
        if (c == '*')
        {
            if (startsWith(b, o, end, "* OK ") || startsWith(b, o, end, "* PREAUTH ") || startsWith(b, o, end, "* BYE "))
            {
                return server(P_IMAP);
            }
            return redisCommand(b, o, n) ? client(P_REDIS) : redisReply(b, o, n) ? server(P_REDIS) : 0;
        }
        if (startsWith(b, o, end, "NOTICE ") || startsWith(b, o, end, "PING :") || startsWith(b, o, end, "ERROR :"))
        {
            return server(P_IRC);
        }
        return command(b, o, n);
    }

    /** The first word of a client's line, against the commands of the text protocols. */
    private static int command(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        int i = o;
        while (i < end && i - o < 12 && isLetter(b[i]))
        {
            i++;
        }
        final int word = i - o;
        if (word < 3 || word > 10)
        {
            return imapCommand(b, o, n);
        }
        final boolean lineEnds = i == end || b[i] == '\r' || b[i] == '\n';
        final boolean space = i < end && b[i] == ' ';
        if (!lineEnds && !space)
        {
            return imapCommand(b, o, n);
        }
        if (space && isHttpMethod(b, o, word))
        {
            final int target = i + 1;
            if (target < end && b[target] != ' ' && b[target] != '\r' && b[target] != '\n')
            {
                final int eol = lineEnd(b, target, end);
                if (eol == end || contains(b, target, eol, " HTTP/"))
                {
                    return client(P_HTTP);
                }
            }
            return 0;
        }
        int h = 0;
        if (is(b, o, word, "USER") || is(b, o, word, "PASS"))
        {
            h = client(P_FTP) | client(P_POP3) | client(P_IRC);
        }
        else if (is(b, o, word, "AUTH"))
        {
            // FTP's AUTH TLS (RFC 4217); POP3's AUTH with or without a mechanism; SMTP's with a SASL mechanism.
            if (space && (startsWithIgnoreCase(b, i + 1, end, "TLS") || startsWithIgnoreCase(b, i + 1, end, "SSL")))
            {
                h = client(P_FTP);
            }
            else
            {
                h = client(P_POP3) | (space ? client(P_SMTP) : 0);
            }
        }
        else if (is(b, o, word, "CAPA") || is(b, o, word, "APOP") || is(b, o, word, "STLS") || is(b, o, word, "UIDL")
            || is(b, o, word, "STAT"))
        {
            h = client(P_POP3);
        }
        else if (is(b, o, word, "FEAT") || is(b, o, word, "SYST") || is(b, o, word, "OPTS") || is(b, o, word, "PASV")
            || is(b, o, word, "EPSV") || is(b, o, word, "PORT") || is(b, o, word, "EPRT") || is(b, o, word, "TYPE")
            || is(b, o, word, "PWD") || is(b, o, word, "CWD") || is(b, o, word, "LIST") || is(b, o, word, "NLST")
            || is(b, o, word, "RETR") || is(b, o, word, "STOR") || is(b, o, word, "SIZE") || is(b, o, word, "MDTM"))
        {
            h = client(P_FTP);
        }
        else if (is(b, o, word, "EHLO") || is(b, o, word, "HELO"))
        {
            h = client(P_SMTP);
        }
        else if (is(b, o, word, "STARTTLS"))
        {
            h = client(P_SMTP) | client(P_IRC);
        }
        else if (is(b, o, word, "NICK") || is(b, o, word, "CAP") || is(b, o, word, "JOIN"))
        {
            h = client(P_IRC);
        }
        return h;
    }

    /** An IMAP command: a tag, a space, then one of the commands a session opens with. */
    private static int imapCommand(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        int i = o;
        while (i < end && i - o < 20 && (isLetter(b[i]) || isDigit(b[i]) || b[i] == '.'))
        {
            i++;
        }
        if (i == o || i >= end || b[i] != ' ')
        {
            return 0;
        }
        final int at = i + 1;
        for (final String command : IMAP_COMMANDS)
        {
            if (startsWithIgnoreCase(b, at, end, command))
            {
                return client(P_IMAP);
            }
        }
        return 0;
    }

    private static final String[] IMAP_COMMANDS = {"CAPABILITY", "LOGIN ", "STARTTLS", "AUTHENTICATE ", "ID ",
        "NOOP", "LOGOUT"};

    /** An IRC server line: ":prefix " then a numeric reply or a command. */
    private static boolean ircServer(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        int i = o + 1;
        while (i < end && b[i] > ' ' && b[i] < 0x7F)
        {
            i++;
        }
        if (i == o + 1 || i + 4 >= end || b[i] != ' ')
        {
            return false;
        }
        i++;
        if (isDigit(b[i]) && isDigit(b[i + 1]) && isDigit(b[i + 2]) && b[i + 3] == ' ')
        {
            return true;
        }
        return startsWith(b, i, end, "NOTICE ") || startsWith(b, i, end, "PRIVMSG ") || startsWith(b, i, end, "CAP ")
            || startsWith(b, i, end, "PING ");
    }

    /** A Redis command as clients send it: an array of bulk strings ("*2\r\n$3\r\nGET\r\n..."). */
    private static boolean redisCommand(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        int i = digits(b, o + 1, end, 3);
        if (i < 0 || i + 2 >= end || b[i] != '\r' || b[i + 1] != '\n' || b[i + 2] != '$')
        {
            return false;
        }
        i = digits(b, i + 3, end, 5);
        if (i < 0 || i + 2 >= end || b[i] != '\r' || b[i + 1] != '\n')
        {
            return false;
        }
        return isLetter(b[i + 2]);
    }

    /** A Redis reply: a status or error line, an integer, or a bulk string, array or map header. */
    private static boolean redisReply(final byte[] b, final int o, final int n)
    {
        final int end = o + n;
        final int c = b[o];
        if (c == '+' || c == '-')
        {
            int i = o + 1;
            if (i >= end || !isLetter(b[i]))
            {
                return false;
            }
            while (i < end && b[i] >= 0x20 && b[i] < 0x7F)
            {
                i++;
            }
            return i + 1 < end && b[i] == '\r' && b[i + 1] == '\n';
        }
        int i = o + 1;
        if (i < end && b[i] == '-')
        {
            i++;
        }
        i = digits(b, i, end, 10);
        return i >= 0 && i + 1 < end && b[i] == '\r' && b[i + 1] == '\n';
    }

    /**
     * Whether {@code b[o, o + n)} begins a request line: an HTTP method and a space; or, with {@code partial}, all it
     * holds is a method's first letters (a request sent a few bytes at a time).
     */
    static boolean requestStart(final byte[] b, final int o, final int n, final boolean partial)
    {
        int i = o;
        while (i < o + n && i - o <= 10 && b[i] >= 'A' && b[i] <= 'Z')
        {
            i++;
        }
        if (i == o + n)
        {
            return partial && n < 10 && isHttpMethodPrefix(b, o, n);
        }
        return i - o >= 3 && b[i] == ' ' && isHttpMethod(b, o, i - o);
    }

    /** Whether {@code b[o, o + n)} begins one of the HTTP methods (a request sent a few bytes at a time). */
    private static boolean isHttpMethodPrefix(final byte[] b, final int o, final int n)
    {
        for (final String m : HTTP_METHODS)
        {
            int i = 0;
            while (i < n && i < m.length() && b[o + i] == m.charAt(i))
            {
                i++;
            }
            if (i == n)
            {
                return true;
            }
        }
        return false;
    }

    static boolean isHttpMethod(final byte[] b, final int o, final int word)
    {
        for (final String m : HTTP_METHODS)
        {
            if (m.length() == word && is(b, o, word, m))
            {
                return true;
            }
        }
        return false;
    }

    private static final String[] HTTP_METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT",
        "PATCH", "TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH"};

    // ---- Helpers

    static boolean isDigit(final int c)
    {
        return c >= '0' && c <= '9';
    }

    static boolean isLetter(final int c)
    {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean statusCode(final byte[] b, final int i)
    {
        return isDigit(b[i]) && isDigit(b[i + 1]) && isDigit(b[i + 2]);
    }

    /** Index after 1..max digits from {@code i}, or -1. */
    private static int digits(final byte[] b, final int i, final int end, final int max)
    {
        int j = i;
        while (j < end && j - i < max && isDigit(b[j]))
        {
            j++;
        }
        return j == i ? -1 : j;
    }

    static boolean startsWith(final byte[] b, final int o, final int end, final String s)
    {
        if (end - o < s.length())
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (b[o + i] != s.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    static boolean startsWithIgnoreCase(final byte[] b, final int o, final int end, final String s)
    {
        if (end - o < s.length())
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if ((b[o + i] & 0xDF) != (s.charAt(i) & 0xDF) && b[o + i] != s.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** The word {@code b[o, o + word)} is {@code s}, letters in any case. */
    private static boolean is(final byte[] b, final int o, final int word, final String s)
    {
        return word == s.length() && startsWithIgnoreCase(b, o, o + word, s);
    }

    /** Index of the first CR or LF at or after {@code i}, or {@code end}. */
    static int lineEnd(final byte[] b, final int i, final int end)
    {
        int j = i;
        while (j < end && b[j] != '\r' && b[j] != '\n')
        {
            j++;
        }
        return j;
    }

    private static boolean contains(final byte[] b, final int from, final int to, final String s)
    {
        for (int i = from; i + s.length() <= to; i++)
        {
            if (startsWith(b, i, to, s))
            {
                return true;
            }
        }
        return false;
    }
}
