package flowdemux.service;

import flowdemux.util.AsciiLine;

/**
 * The services flowdemux recognises from payload, named as Zeek writes them in conn.log's {@code service} column.
 * A connection's services are a set of these bits; the ids go in the order of their names, so that a set lists as
 * Zeek lists it ("ftp,ssl", "http,ssl", "pop3,ssl").
 */
public final class ServiceId
{
    public static final int DCE_RPC = 0;
    public static final int DHCP = 1;
    public static final int DNS = 2;
    public static final int FTP = 3;
    public static final int FTP_DATA = 4;
    public static final int HTTP = 5;
    public static final int IMAP = 6;
    public static final int IRC = 7;
    /** A data connection an IRC DCC SEND announced, as Zeek's IRC analyzer schedules it. */
    public static final int IRC_DCC_DATA = 8;
    public static final int MODBUS = 9;
    public static final int MYSQL = 10;
    public static final int NTP = 11;
    public static final int POP3 = 12;
    public static final int POSTGRESQL = 13;
    public static final int QUIC = 14;
    public static final int RDP = 15;
    public static final int REDIS = 16;
    public static final int SMB = 17;
    public static final int SMTP = 18;
    public static final int SOCKS = 19;
    public static final int SSH = 20;
    public static final int SSL = 21;
    public static final int SYSLOG = 22;
    /** Zeek's name for syslog over TCP. */
    public static final int SYSLOG_TCP = 23;
    /**
     * The tunnels over UDP, which name their outer connection (after the others: such a connection carries nothing
     * else, so their place in a list does not show).
     */
    public static final int VXLAN = 24;
    public static final int GENEVE = 25;
    public static final int GTPV1 = 26;
    public static final int TEREDO = 27;
    public static final int AYIYA = 28;
    public static final int COUNT = 29;

    private static final String[] NAMES = {"dce_rpc", "dhcp", "dns", "ftp", "ftp-data", "http", "imap", "irc",
        "irc-dcc-data", "modbus", "mysql", "ntp", "pop3", "postgresql", "quic", "rdp", "redis", "smb", "smtp",
        "socks", "ssh", "ssl", "syslog", "syslog_tcp", "vxlan", "geneve", "gtpv1", "teredo", "ayiya"};

    /** Every set of two or more services printed once, kept: looked up, not joined again (such sets are few). */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, String> JOINED =
        new java.util.concurrent.ConcurrentHashMap<>();

    private ServiceId()
    {
    }

    public static String name(final int id)
    {
        return NAMES[id];
    }

    public static int bit(final int id)
    {
        return 1 << id;
    }

    /** The set as Zeek writes it: names joined by commas, or null for the empty set. */
    public static String names(final int set)
    {
        if (set == 0)
        {
            return null;
        }
        if ((set & (set - 1)) == 0)
        {
            return NAMES[Integer.numberOfTrailingZeros(set)]; // one service: no lookup, no boxed key
        }
        final String known = JOINED.get(set);
        if (known != null)
        {
            return known;
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < COUNT; i++)
        {
            if ((set & (1 << i)) != 0)
            {
                sb.append(sb.length() == 0 ? "" : ",").append(NAMES[i]);
            }
        }
        final String joined = sb.toString();
        JOINED.putIfAbsent(set, joined);
        return joined;
    }

    /** Appends the set's names, or {@code unset} when it is empty. */
    public static AsciiLine append(final AsciiLine sb, final int set, final String unset)
    {
        final String names = names(set);
        return sb.append(names == null ? unset : names);
    }
}
