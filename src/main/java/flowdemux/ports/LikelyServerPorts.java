package flowdemux.ports;

import java.util.Locale;

/**
 * Zeek's {@code likely_server_ports}: the ports its protocol analyzers register for. When a connection's first
 * packet is not a SYN and comes from one of these ports, Zeek takes its sender for the responder.
 */
public final class LikelyServerPorts
{
    /** What Zeek's default scripts register (base/protocols/*, base/frameworks/tunnels). */
    private static final String ZEEK_DEFAULT = String.join(",",
        "21/tcp,2811/tcp",                                                       // ftp
        "22/tcp",                                                                // ssh
        "25/tcp,587/tcp",                                                        // smtp
        "53/tcp,53/udp,137/udp,5353/udp,5355/udp",                               // dns
        "67/udp",                                                                // dhcp (the server port only)
        "80/tcp,81/tcp,631/tcp,1080/tcp,3128/tcp,8000/tcp,8080/tcp,8888/tcp",    // http
        "88/tcp,88/udp",                                                         // krb
        "110/tcp",                                                               // pop3
        "111/tcp,111/udp,2049/tcp,2049/udp",                                     // rpc, nfs
        "123/udp",                                                               // ntp
        "135/tcp",                                                               // dce-rpc
        "139/tcp,445/tcp",                                                       // smb
        "143/tcp",                                                               // imap
        "161/udp,162/udp",                                                       // snmp
        "389/tcp,389/udp,3268/tcp",                                              // ldap
        "443/tcp,563/tcp,585/tcp,614/tcp,636/tcp,989/tcp,990/tcp,992/tcp,993/tcp,995/tcp,5223/tcp", // ssl
        "443/udp",                                                               // quic
        "502/tcp",                                                               // modbus
        "514/udp",                                                               // syslog
        "1812/udp",                                                              // radius
        "1883/tcp",                                                              // mqtt
        "3306/tcp",                                                              // mysql
        "3389/tcp",                                                              // rdp
        "5060/udp",                                                              // sip
        "5222/tcp,5269/tcp",                                                     // xmpp
        "5432/tcp",                                                              // postgresql
        "6379/tcp",                                                              // redis
        "6666/tcp,6667/tcp,6668/tcp,6669/tcp",                                   // irc
        "20000/tcp,20000/udp",                                                   // dnp3
        "5072/udp,3544/udp,2152/udp,2123/udp,4789/udp,6081/udp");                // tunnels

    private final boolean[] tcp = new boolean[65536];
    private final boolean[] udp = new boolean[65536];

    private LikelyServerPorts()
    {
    }

    public static LikelyServerPorts zeekDefault()
    {
        return parse(ZEEK_DEFAULT);
    }

    public static LikelyServerPorts none()
    {
        return new LikelyServerPorts();
    }

    /**
     * "default", "none", or a comma list of PORT/PROTO ("80/tcp,53/udp"); a port without a protocol means both.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static LikelyServerPorts parse(final String spec)
    {
        final String s = spec.trim().toLowerCase(Locale.ROOT);
        if ("default".equals(s))
        {
            return zeekDefault();
        }
        final LikelyServerPorts p = new LikelyServerPorts();
        if ("none".equals(s) || s.isEmpty())
        {
            return p;
        }
        for (final String item : s.split(","))
        {
            final String[] parts = item.trim().split("/");
            final int port;
            try
            {
                port = Integer.parseInt(parts[0]);
            }
            catch (NumberFormatException e)
            {
                throw new IllegalArgumentException("not a port: " + item);
            }
            if (port < 0 || port > 65535 || parts.length > 2
                || (parts.length == 2 && !"tcp".equals(parts[1]) && !"udp".equals(parts[1])))
            {
                throw new IllegalArgumentException("not PORT/tcp or PORT/udp: " + item);
            }
            if (parts.length == 1 || "tcp".equals(parts[1]))
            {
                p.tcp[port] = true;
            }
            if (parts.length == 1 || "udp".equals(parts[1]))
            {
                p.udp[port] = true;
            }
        }
        return p;
    }

    public boolean isTcp(final int port)
    {
        return tcp[port & 0xFFFF];
    }

    public boolean isUdp(final int port)
    {
        return udp[port & 0xFFFF];
    }
}
