package flowdemux.decode;

/**
 * The tunnels the decoder sees through, numbered from 1 (0: none), with the names Zeek gives them: its
 * {@code Tunnel::Type} in tunnel.log and, for those carried in UDP, the service its conn.log names on the outer
 * connection.
 */
public final class Tunnel
{
    public static final int NONE = 0;
    public static final int VXLAN = 1;
    public static final int GENEVE = 2;
    public static final int GTPV1 = 3;
    public static final int TEREDO = 4;
    public static final int AYIYA = 5;
    /** GRE (ERSPAN and PPTP's enhanced GRE included), over IP or over UDP (RFC 8086). */
    public static final int GRE = 6;
    /** IP directly in IP (4in4, 6in4, 4in6, 6in6). */
    public static final int IP = 7;
    public static final int COUNT = 8;

    /** Zeek's Tunnel::max_depth: the most tunnels one packet is looked into. */
    public static final int MAX_DEPTH = 4;

    /** The UDP ports Zeek's tunnel analyzers are registered for. */
    public static final int VXLAN_PORT = 4789;
    public static final int GENEVE_PORT = 6081;
    public static final int GTPV1_U_PORT = 2152;
    public static final int TEREDO_PORT = 3544;
    public static final int AYIYA_PORT = 5072;
    public static final int GRE_UDP_PORT = 4754;

    private static final String[] TYPE_NAMES = {"Tunnel::NONE", "Tunnel::VXLAN", "Tunnel::GENEVE", "Tunnel::GTPv1",
        "Tunnel::TEREDO", "Tunnel::AYIYA", "Tunnel::GRE", "Tunnel::IP"};
    private static final String[] SHORT_NAMES = {"none", "vxlan", "geneve", "gtpv1", "teredo", "ayiya", "gre", "ip"};

    private Tunnel()
    {
    }

    /** tunnel.log's {@code tunnel_type}. */
    public static String zeekName(final int type)
    {
        return TYPE_NAMES[type];
    }

    /** The lower-case name: the outer connection's service for a UDP tunnel, the JSON value. */
    public static String name(final int type)
    {
        return SHORT_NAMES[type];
    }

    /** The tunnel registered for a UDP port pair, the destination port first as Zeek looks; NONE for none. */
    public static int ofUdpPorts(final int srcPort, final int dstPort)
    {
        final int t = ofUdpPort(dstPort);
        return t != NONE ? t : ofUdpPort(srcPort);
    }

    private static int ofUdpPort(final int port)
    {
        switch (port)
        {
            case VXLAN_PORT:
                return VXLAN;
            case GENEVE_PORT:
                return GENEVE;
            case GTPV1_U_PORT:
                return GTPV1;
            case TEREDO_PORT:
                return TEREDO;
            case AYIYA_PORT:
                return AYIYA;
            case GRE_UDP_PORT:
                return GRE;
            default:
                return NONE;
        }
    }
}
