package flowdemux;

import org.junit.jupiter.api.Assumptions;
import org.pcap4j.core.Pcaps;

/**
 * Tests of what needs libpcap (-f on files compiles with it): skipped with the reason where it is missing, unless
 * {@code flowdemux.requireLive} is true (.ci/run installs it), which turns the skip into a failure.
 */
public final class LibpcapRequirement
{
    private LibpcapRequirement()
    {
    }

    public static void require()
    {
        try
        {
            Pcaps.libVersion();
        }
        catch (Throwable e)
        {
            if (Boolean.getBoolean("flowdemux.requireLive"))
            {
                throw new AssertionError("libpcap is required here: " + e);
            }
            Assumptions.abort("libpcap is not usable: " + e);
        }
    }
}
