package flowdemux.report;

import flowdemux.decode.ChecksumMode;
import flowdemux.decode.DecodeStats;

/** What the reports say about checksums: one line for the text report, and the warning for standard error. */
public final class ChecksumSummary
{
    /** Above this share of bad checksums among the packets that carry one, standard error gets a warning. */
    static final double WARN_SHARE = 0.05;

    private ChecksumSummary()
    {
    }

    /** The text report's line, after "checksums": counts of packets. */
    public static String line(final DecodeStats s)
    {
        if (s.checksumMode == ChecksumMode.IGNORE)
        {
            return "not verified (--checksums ignore)";
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(Formats.count(s.checksumsVerified)).append(" verified, ");
        if (s.checksumMode == ChecksumMode.OFFLOAD)
        {
            sb.append(Formats.count(s.checksumsOffloaded)).append(" offloaded (filled by the NIC after capture), ");
        }
        sb.append(Formats.count(s.checksumsBad)).append(" bad");
        if (s.checksumsBad > 0)
        {
            sb.append(" (left out of their connections, C/c in history");
            if (s.ipChecksumsBad > 0)
            {
                sb.append("; ").append(Formats.count(s.ipChecksumsBad)).append(" in the IPv4 header, not decoded");
            }
            sb.append(')');
        }
        if (s.checksumMode == ChecksumMode.VERIFY)
        {
            sb.append(" (--checksums verify)");
        }
        return sb.toString();
    }

    /**
     * One line for standard error when more than 5% of the packets that carry a checksum had a bad one, saying how
     * many, what it means and which option to use; null otherwise.
     */
    public static String warning(final DecodeStats s)
    {
        final long examined = s.checksumsExamined();
        if (s.checksumMode == ChecksumMode.IGNORE || examined == 0 || s.checksumsBad <= WARN_SHARE * examined)
        {
            return null;
        }
        final String share = String.format(java.util.Locale.ROOT, "%.0f%%", 100.0 * s.checksumsBad / examined);
        final String head = Formats.count(s.checksumsBad) + " of " + Formats.count(examined)
            + " packets with a checksum (" + share + ") had a bad one and were left out of their connections";
        if (s.checksumMode == ChecksumMode.VERIFY && s.checksumsUnfilled > 0)
        {
            return head + "; " + Formats.count(s.checksumsUnfilled) + " of them hold the value a sending host leaves "
                + "for its NIC to fill in (the capture was taken on that host): use --checksums offload";
        }
        return head + "; this many is unlikely to be corruption on the wire: if the capture was taken on a host "
            + "whose NIC fills in checksums, or packets were rewritten, use --checksums ignore";
    }
}
