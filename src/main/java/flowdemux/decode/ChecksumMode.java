package flowdemux.decode;

import java.util.Locale;

/**
 * What to do with IPv4 header and TCP/UDP/ICMP checksums.
 * <ul>
 * <li>{@link #OFFLOAD}: verify, but take a checksum the sending host left for its NIC to fill in (see
 * {@link Checksums#unfilled}) as good and count it as offloaded; the default for files, because a capture taken
 * on the user's own host carries one on every outgoing packet.</li>
 * <li>{@link #VERIFY}: Zeek's behaviour without {@code -C}: every checksum that does not verify is bad.</li>
 * <li>{@link #IGNORE}: Zeek's {@code -C}: nothing is verified.</li>
 * </ul>
 * A packet with a bad TCP/UDP checksum is left out of its connection and marked C/c in its history, as Zeek does;
 * one with a bad IPv4 header checksum is not decoded at all.
 */
public enum ChecksumMode
{
    OFFLOAD, VERIFY, IGNORE;

    /** The option's value ("offload", "verify", "ignore"); null when it is none of them. */
    public static ChecksumMode named(final String name)
    {
        for (final ChecksumMode m : values())
        {
            if (m.optionName().equals(name))
            {
                return m;
            }
        }
        return null;
    }

    public String optionName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
