package flowdemux.demux;

import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSlot;
import flowdemux.util.Addresses;

import java.util.Locale;

/** What split puts in one capture: a connection, or every connection of a server, port, client or service. */
public enum Grouping
{
    CONNECTION("connection"),
    SERVER("server"),
    SERVER_PORT("server-port"),
    CLIENT("client"),
    SERVICE("service");

    private final String option;

    Grouping(final String option)
    {
        this.option = option;
    }

    public String option()
    {
        return option;
    }

    public static Grouping of(final String option)
    {
        for (final Grouping g : values())
        {
            if (g.option.equals(option.toLowerCase(Locale.ROOT)))
            {
                return g;
            }
        }
        return null;
    }

    /**
     * The file of a connection, relative to the output folder, from the connection as its first packet left it
     * (its responder then), for every grouping but {@link #SERVICE}, which is known only at the end.
     */
    String fileOf(final FlowSlot c, final String uid, final String extension)
    {
        switch (this)
        {
            case CONNECTION:
                return protocolPort(c.protocol(), c.port(false)) + "/" + uid + extension;
            case SERVER_PORT:
                return protocolPort(c.protocol(), c.port(false)) + extension;
            case SERVER:
                return safe(Addresses.format(c.addressHi(false), c.addressLo(false))) + extension;
            case CLIENT:
                return safe(Addresses.format(c.addressHi(true), c.addressLo(true))) + extension;
            default:
                throw new IllegalStateException("a service is known at the connection's end");
        }
    }

    /** "tcp-443", "udp-53", "icmp-0", "ip47-0". */
    static String protocolPort(final int protocol, final int port)
    {
        return protocolName(protocol) + "-" + port;
    }

    static String protocolName(final int protocol)
    {
        final String name = FlowRecord.protocolName(protocol);
        return "unknown_transport".equals(name) ? "ip" + protocol : name;
    }

    /** A value as a file name on any file system: letters, digits, '.', '-' and '_' kept, anything else '_'. */
    static String safe(final String value)
    {
        final StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++)
        {
            final char ch = value.charAt(i);
            final boolean plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                || ch == '.' || ch == '-' || ch == '_';
            sb.append(plain ? ch : '_');
        }
        final String s = sb.toString();
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
