package flowdemux.service;

/**
 * What a server port promises, in the names detection uses: the services Zeek's analyzers register for it (their
 * {@code likely_server_ports} and well-known ports) and the TLS-wrapped ports of IANA's table. A connection agrees
 * with its port when its services include one of these.
 */
public final class ServicePorts
{
    private static final int[] TCP = new int[65536];
    private static final int[] UDP = new int[65536];

    static
    {
        tcp(ServiceId.HTTP, 80, 81, 591, 631, 1080, 3128, 8000, 8008, 8080, 8081, 8888);
        tcp(ServiceId.SSL, 443, 465, 563, 585, 614, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 5223, 6697, 8443);
        tcp(ServiceId.SSH, 22);
        tcp(ServiceId.FTP, 21, 2811);
        tcp(ServiceId.FTP_DATA, 20);
        tcp(ServiceId.SMTP, 25, 587);
        tcp(ServiceId.POP3, 110);
        tcp(ServiceId.IMAP, 143);
        tcp(ServiceId.IRC, 6666, 6667, 6668, 6669);
        tcp(ServiceId.DNS, 53);
        tcp(ServiceId.SMB, 139, 445);
        tcp(ServiceId.RDP, 3389);
        tcp(ServiceId.MYSQL, 3306);
        tcp(ServiceId.POSTGRESQL, 5432);
        tcp(ServiceId.REDIS, 6379);
        tcp(ServiceId.MODBUS, 502);
        tcp(ServiceId.DCE_RPC, 135);
        tcp(ServiceId.SYSLOG_TCP, 514, 601, 6514);
        udp(ServiceId.DNS, 53, 137, 5353, 5355);
        udp(ServiceId.DHCP, 67, 68);
        udp(ServiceId.NTP, 123);
        udp(ServiceId.QUIC, 443);
        udp(ServiceId.SYSLOG, 514);
    }

    private ServicePorts()
    {
    }

    private static void tcp(final int id, final int... ports)
    {
        for (final int p : ports)
        {
            TCP[p] |= ServiceId.bit(id);
        }
    }

    private static void udp(final int id, final int... ports)
    {
        for (final int p : ports)
        {
            UDP[p] |= ServiceId.bit(id);
        }
    }

    /** The services a port promises (ServiceId bits), 0 when it promises none detection knows. */
    public static int promised(final int protocol, final int port)
    {
        if (port < 0 || port > 65535)
        {
            return 0;
        }
        return protocol == 6 ? TCP[port] : protocol == 17 ? UDP[port] : 0;
    }
}
