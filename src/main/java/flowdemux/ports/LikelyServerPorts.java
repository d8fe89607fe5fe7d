package flowdemux.ports;

/**
 * Zeek's {@code likely_server_ports}: the ports its protocol analyzers register for. When the first packet of a
 * connection comes from one of these ports, Zeek takes the sender for the responder and flips the connection.
 */
public final class LikelyServerPorts
{
    private static final int[] TCP = {
        21, 22, 23, 25, 53, 79, 80, 81, 88, 102, 110, 111, 135, 139, 143, 389, 443, 445, 502, 513, 514, 563, 585, 587,
        614, 631, 636, 989, 990, 992, 993, 994, 995, 1080, 1883, 2049, 3128, 3268, 3306, 3389, 5222, 5223, 5269,
        5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
    };
    private static final int[] UDP = {
        53, 67, 68, 69, 88, 111, 123, 137, 161, 162, 443, 514, 1812, 1813, 2049, 2152, 2123, 3478, 3544, 4789, 5060,
        5353, 5355, 6081, 20000,
    };
    private static final boolean[] TCP_SET = toSet(TCP);
    private static final boolean[] UDP_SET = toSet(UDP);

    private LikelyServerPorts()
    {
    }

    private static boolean[] toSet(final int[] ports)
    {
        final boolean[] set = new boolean[65536];
        for (final int p : ports)
        {
            set[p] = true;
        }
        return set;
    }

    public static boolean isTcp(final int port)
    {
        return TCP_SET[port & 0xFFFF];
    }

    public static boolean isUdp(final int port)
    {
        return UDP_SET[port & 0xFFFF];
    }
}
