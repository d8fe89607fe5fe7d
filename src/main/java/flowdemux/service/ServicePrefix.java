package flowdemux.service;

/**
 * How many of a packet's payload bytes detection may need, decided from its first bytes on the reader: the reader
 * copies them into the worker's batch for every packet (it cannot know which connections are decided), and copying
 * 512 bytes of every packet cost more CPU than all of detection. Only messages whose detection or kept fields reach
 * past {@link #SHORT} bytes get more: a TLS ClientHello (its server name), an HTTP request (its Host header), an SSH
 * banner, a greeting or a Redis or IRC server line, a length-prefixed binary message (DNS over TCP, SMB, MySQL's
 * greeting), and UDP datagrams that may be DNS or DHCP. FuzzTargets#services checks that the decisions are the same.
 * Detection decides the same on these bytes as on the whole payload; the same bytes go to the tracker whether a
 * worker or the reader itself tracks the packet, so results do not depend on the worker count.
 */
public final class ServicePrefix
{
    /** Enough for every decision on other first bytes (NTP's 48-byte header is the longest read). */
    public static final int SHORT = 64;
    /** UDP datagrams up to this size are taken whole (DNS, DHCP, NTP, syslog); larger ones are bulk. */
    private static final int SMALL_DATAGRAM = 600;

    private ServicePrefix()
    {
    }

    /** The payload bytes to keep of {@code b[o, o + n)} (n captured of {@code length}), at most {@code max}. */
    public static int wanted(final byte[] b, final int o, final int n, final boolean tcp, final int length,
        final int max)
    {
        if (n <= SHORT || max <= SHORT)
        {
            return Math.min(n, max);
        }
        if (!tcp)
        {
            if (QuicInitial.initialVersion(b, o, n))
            {
                // A QUIC Initial is opened whole (its authentication tag is at its end): its ClientHello's JA4.
                return Math.min(n, Continuations.MAX_BYTES);
            }
            // Small datagrams whole; a larger one whole if it may be DHCP or DNS (at most 16 questions).
            final boolean more = length <= SMALL_DATAGRAM || b[o] == 1 || b[o] == 2
                || (b[o + 4] == 0 && (b[o + 5] & 0xFF) <= 16);
            return more ? Math.min(n, max) : SHORT;
        }
        return more(b, o) ? Math.min(n, max) : SHORT;
    }

    /**
     * Whether detection reads past the first {@link #SHORT} bytes of a TCP payload that begins {@code b[o, o + SHORT)}:
     * a message whose detection or kept fields reach further.
     */
    private static boolean more(final byte[] b, final int o)
    {
        final int c = b[o] & 0xFF;
        final boolean more;
        if (c <= 0x0F || (b[o + 3] == 0 && b[o + 4] == 10) || (b[o + 6] == 0 && (b[o + 7] & 0xFF) <= 16))
        {
            // A length-prefixed message: SMB, PostgreSQL, TPKT; MySQL's greeting; DNS over TCP (whatever its length,
            // a header with at most 16 questions, as Dns.isMessage requires).
            more = true;
        }
        else
        {
            switch (c)
            {
                case 0x16: // TLS handshake: a ClientHello's extensions come late, a ServerHello's choices too
                    more = b[o + 5] == 1 || b[o + 5] == 2;
                    break;
                case 'S': // SSH-
                    more = b[o + 1] == 'S' && b[o + 2] == 'H' && b[o + 3] == '-';
                    break;
                case '2': // 220 greetings
                    more = b[o + 1] == '2' && b[o + 2] == '0';
                    break;
                case '+': // +OK, and the lines of Redis and IRC servers
                case '-':
                case '*':
                case ':':
                case '$':
                case '%':
                    more = true;
                    break;
                default: // an HTTP request: a method in upper case, then a space
                    more = c >= 'A' && c <= 'Z' && httpMethod(b, o);
                    break;
            }
        }
        return more;
    }

    private static boolean httpMethod(final byte[] b, final int o)
    {
        int i = o;
        while (i < o + 10 && b[i] >= 'A' && b[i] <= 'Z')
        {
            i++;
        }
        return i - o >= 3 && b[i] == ' ';
    }
}
