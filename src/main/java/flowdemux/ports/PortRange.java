package flowdemux.ports;

/** IANA's three port ranges (RFC 6335). */
public enum PortRange
{
    WELL_KNOWN("well-known", 0, 1023),
    REGISTERED("registered", 1024, 49151),
    EPHEMERAL("ephemeral", 49152, 65535);

    /** Linux picks client ports from net.ipv4.ip_local_port_range, 32768-60999 by default. */
    public static final int LINUX_EPHEMERAL_LOW = 32768;
    public static final int LINUX_EPHEMERAL_HIGH = 60999;

    private final String label;
    private final int low;
    private final int high;

    PortRange(final String label, final int low, final int high)
    {
        this.label = label;
        this.low = low;
        this.high = high;
    }

    public static PortRange of(final int port)
    {
        if (port <= WELL_KNOWN.high)
        {
            return WELL_KNOWN;
        }
        return port <= REGISTERED.high ? REGISTERED : EPHEMERAL;
    }

    public static boolean inLinuxEphemeral(final int port)
    {
        return port >= LINUX_EPHEMERAL_LOW && port <= LINUX_EPHEMERAL_HIGH;
    }

    public String label()
    {
        return label;
    }

    public int low()
    {
        return low;
    }

    public int high()
    {
        return high;
    }
}
