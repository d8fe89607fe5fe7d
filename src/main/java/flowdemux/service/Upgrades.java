package flowdemux.service;

import static flowdemux.service.Signatures.startsWith;
import static flowdemux.service.Signatures.startsWithIgnoreCase;

/**
 * For each protocol that may still turn into another (STARTTLS and its kin), the message after which it no longer
 * can: past it, detection stops looking at the connection. The switches themselves are where Zeek's analyzers make
 * them: FTP's AUTH TLS answered 234 (before USER), SMTP's STARTTLS (before MAIL), POP3's STLS and IMAP's STARTTLS
 * (before logging in), IRC's STARTTLS (before registration ends with 001), PostgreSQL's SSLRequest answered 'S'
 * (before a StartupMessage), MySQL's SSL request (a handshake response without credentials), an HTTP CONNECT
 * answered 2xx. Until one of these points, what a direction sends is looked at up to --service-bytes.
 */
final class Upgrades
{
    /** The services that may turn into TLS (or, for SOCKS and CONNECT, into whatever they carry). */
    static final int UPGRADABLE = ServiceId.bit(ServiceId.FTP) | ServiceId.bit(ServiceId.SMTP)
        | ServiceId.bit(ServiceId.POP3) | ServiceId.bit(ServiceId.IMAP) | ServiceId.bit(ServiceId.IRC)
        | ServiceId.bit(ServiceId.POSTGRESQL) | ServiceId.bit(ServiceId.MYSQL) | ServiceId.bit(ServiceId.HTTP)
        | ServiceId.bit(ServiceId.SOCKS);

    private static final int CLIENT_SSL = 0x0800;

    private Upgrades()
    {
    }

    /** Whether this message {@code b[o, o + n)}, from the client or not, is past the point of switching. */
    static boolean over(final int services, final boolean fromClient, final byte[] b, final int o, final int n)
    {
        if (n <= 0)
        {
            return false;
        }
        final int end = o + n;
        if (has(services, ServiceId.FTP) && (fromClient
            ? startsWithIgnoreCase(b, o, end, "USER ") || startsWithIgnoreCase(b, o, end, "PASS ")
            : startsWith(b, o, end, "230")))
        {
            return true;
        }
        if (has(services, ServiceId.SMTP) && fromClient && (startsWithIgnoreCase(b, o, end, "MAIL FROM")
            || startsWithIgnoreCase(b, o, end, "RCPT TO") || startsWithIgnoreCase(b, o, end, "AUTH ")
            || startsWithIgnoreCase(b, o, end, "DATA")))
        {
            return true;
        }
        if (has(services, ServiceId.POP3) && fromClient && (startsWithIgnoreCase(b, o, end, "USER ")
            || startsWithIgnoreCase(b, o, end, "PASS ") || startsWithIgnoreCase(b, o, end, "APOP ")
            || startsWithIgnoreCase(b, o, end, "AUTH") || startsWithIgnoreCase(b, o, end, "RETR")
            || startsWithIgnoreCase(b, o, end, "LIST") || startsWithIgnoreCase(b, o, end, "STAT")))
        {
            return true;
        }
        if (has(services, ServiceId.IMAP) && (fromClient ? imapLogin(b, o, end)
            : startsWith(b, o, end, "* PREAUTH")))
        {
            return true;
        }
        if (has(services, ServiceId.IRC) && !fromClient && ircWelcome(b, o, end))
        {
            return true;
        }
        if (has(services, ServiceId.POSTGRESQL) && (fromClient
            ? n >= 8 && b[o + 4] == 0 && b[o + 5] == 3 && b[o + 6] == 0 && b[o + 7] == 0
            : (n == 1 && b[o] == 'N') || b[o] == 'R'))
        {
            return true;
        }
        if (has(services, ServiceId.MYSQL) && fromClient && n >= 8 && b[o + 3] == 1)
        {
            final int length = (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16;
            final int capabilities = (b[o + 4] & 0xFF) | (b[o + 5] & 0xFF) << 8;
            return length != 32 || (capabilities & CLIENT_SSL) == 0;
        }
        return has(services, ServiceId.HTTP) && !fromClient && startsWith(b, o, end, "HTTP/") && !success(b, o, end);
    }

    private static boolean has(final int services, final int id)
    {
        return (services & ServiceId.bit(id)) != 0;
    }

    /** "tag LOGIN", "tag AUTHENTICATE", "tag SELECT", "tag EXAMINE": the session is past STARTTLS. */
    private static boolean imapLogin(final byte[] b, final int o, final int end)
    {
        int i = o;
        while (i < end && b[i] != ' ' && i - o < 20)
        {
            i++;
        }
        i++;
        return startsWithIgnoreCase(b, i, end, "LOGIN ") || startsWithIgnoreCase(b, i, end, "AUTHENTICATE ")
            || startsWithIgnoreCase(b, i, end, "SELECT ") || startsWithIgnoreCase(b, i, end, "EXAMINE ");
    }

    /** ":server 001 ...": registration is complete. */
    private static boolean ircWelcome(final byte[] b, final int o, final int end)
    {
        for (int i = o; i + 5 <= end && i - o < 128; i++)
        {
            if (b[i] == ' ' && b[i + 1] == '0' && b[i + 2] == '0' && b[i + 3] == '1' && b[i + 4] == ' ')
            {
                return true;
            }
            if (b[i] == '\n')
            {
                return false;
            }
        }
        return false;
    }

    /** An HTTP status line with a 2xx code. */
    private static boolean success(final byte[] b, final int o, final int end)
    {
        int i = o + 5;
        while (i < end && b[i] != ' ')
        {
            i++;
        }
        return i + 1 < end && b[i + 1] == '2';
    }
}
