package flowdemux.report;

/** The counters of a live capture, in words, with what they mean on a loopback device. */
public final class LiveCounters
{
    /** Indexes into the counters: libpcap's three, then flowdemux's own drops. */
    public static final int RECEIVED = 0;
    public static final int KERNEL_DROPPED = 1;
    public static final int INTERFACE_DROPPED = 2;
    public static final int FLOWDEMUX_DROPPED = 3;

    private LiveCounters()
    {
    }

    /**
     * "libpcap received N, kernel dropped N, interface dropped N, flowdemux dropped N". On a loopback device the
     * kernel hands each packet to the capture twice, going out and coming in, and libpcap keeps one: its "received"
     * (and the kernel's drops) count twice the packets, which the line says.
     *
     * @param stats {received, dropped by the kernel, dropped by the interface, dropped by flowdemux}; -1 where
     *              libpcap cannot say
     */
    public static String describe(final long[] stats, final boolean loopback)
    {
        return "libpcap received " + count(stats[RECEIVED]) + (loopback && stats[RECEIVED] >= 0
            ? " (" + Formats.count(stats[RECEIVED] / 2) + " packets: a loopback device counts each twice)" : "")
            + ", kernel dropped " + count(stats[KERNEL_DROPPED]) + ", interface dropped "
            + count(stats[INTERFACE_DROPPED]) + ", flowdemux dropped " + count(stats[FLOWDEMUX_DROPPED])
            + (stats[FLOWDEMUX_DROPPED] > 0 ? " (the analysis fell behind the capture)" : "");
    }

    /** Drops between two readings of the counters: "kernel dropped N, interface dropped N, flowdemux dropped N". */
    public static String describeDrops(final long[] now, final long[] before)
    {
        return "kernel dropped " + delta(now, before, KERNEL_DROPPED) + ", interface dropped "
            + delta(now, before, INTERFACE_DROPPED) + ", flowdemux dropped " + delta(now, before, FLOWDEMUX_DROPPED);
    }

    private static String delta(final long[] now, final long[] before, final int i)
    {
        if (now[i] < 0)
        {
            return "unknown";
        }
        return Formats.count(now[i] - (before == null || before[i] < 0 ? 0 : before[i]));
    }

    private static String count(final long value)
    {
        return value < 0 ? "unknown" : Formats.count(value);
    }
}
