package flowdemux.report;

import flowdemux.util.AsciiLine;
import flowdemux.ports.PortRange;
import flowdemux.ports.Services;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Shared text forms: timestamps, durations, byte counts, service labels. */
public final class Formats
{
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Formats()
    {
    }

    /** "2024-01-01 12:00:00.123456789 UTC". */
    public static String timestamp(final long nanos)
    {
        final long seconds = Math.floorDiv(nanos, 1_000_000_000L);
        final long fraction = Math.floorMod(nanos, 1_000_000_000L);
        return UTC.format(Instant.ofEpochSecond(seconds)) + String.format(Locale.ROOT, ".%09d UTC", fraction);
    }

    private static final long[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000};

    /**
     * Seconds with {@code decimals} digits, truncated: "1324071333.493287000". Written by hand: String.format
     * costs a locale lookup per call, which showed in profiles of large reports.
     */
    public static String epochSeconds(final long nanos, final int decimals)
    {
        return appendEpochSeconds(new AsciiLine(24), nanos, decimals).toString();
    }

    /** {@link #epochSeconds} appended to a line: no string per field. */
    public static AsciiLine appendEpochSeconds(final AsciiLine sb, final long nanos, final int decimals)
    {
        appendSeconds(sb, Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L) / POWERS[9 - decimals],
            decimals);
        return sb;
    }

    private static void appendSeconds(final AsciiLine sb, final long seconds, final long fraction, final int decimals)
    {
        sb.append(seconds).append('.');
        for (int d = decimals - 1; d > 0 && fraction < POWERS[d]; d--)
        {
            sb.append('0');
        }
        sb.append(fraction);
    }

    /** Zeek's interval: "%.6f" of the seconds as a double (rounded to the microsecond). */
    public static String zeekInterval(final long nanos)
    {
        return appendZeekInterval(new AsciiLine(20), nanos).toString();
    }

    /** {@link #zeekInterval} appended to a line. */
    public static AsciiLine appendZeekInterval(final AsciiLine sb, final long nanos)
    {
        final long micros = Math.round(nanos / 1000.0);
        if (micros < 0)
        {
            sb.append('-');
        }
        final long abs = Math.abs(micros);
        appendSeconds(sb, abs / 1_000_000, abs % 1_000_000, 6);
        return sb;
    }

    public static String duration(final long nanos)
    {
        if (nanos < 1_000_000L)
        {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000L)
        {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    public static String bytes(final long n)
    {
        if (n < 10_000)
        {
            return n + " B";
        }
        if (n < 10_000_000)
        {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 10_000_000_000L)
        {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    }

    public static String count(final long n)
    {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "https" or "-". */
    public static String serviceName(final Services services, final String proto, final int port)
    {
        final String name = services.name(proto, port);
        return name == null ? "-" : name;
    }

    /** "HTTPS, well-known" or "ephemeral" when the port has no service. */
    public static String serviceAndRange(final Services services, final String proto, final int port)
    {
        final String description = services.description(proto, port);
        final String range = PortRange.of(port).label();
        return description == null ? range : description + ", " + range;
    }

    /** "tcp", "udp", "icmp", or another IP protocol by name and number: "gre (47)", "ip proto 253". */
    public static String ipProtocol(final int protocol)
    {
        switch (protocol)
        {
            case 6: return "tcp";
            case 17: return "udp";
            case 1: return "icmp";
            case 58: return "icmp6";
            case 2: return "igmp (2)";
            case 4: return "ipip (4)";
            case 41: return "ipv6 (41)";
            case 47: return "gre (47)";
            case 50: return "esp (50)";
            case 51: return "ah (51)";
            case 89: return "ospf (89)";
            case 103: return "pim (103)";
            case 112: return "vrrp (112)";
            case 115: return "l2tp (115)";
            case 132: return "sctp (132)";
            default: return "ip proto " + protocol;
        }
    }

    /** "1 connection", "3 connections": a count and its noun, singular or plural. */
    public static String count(final long n, final String singular, final String plural)
    {
        return count(n) + " " + (n == 1 ? singular : plural);
    }
}
