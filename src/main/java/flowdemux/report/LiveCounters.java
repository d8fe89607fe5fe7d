package flowdemux.report;

/** libpcap's counters of a live capture, in words, with what they mean on a loopback device. */
public final class LiveCounters
{
    private LiveCounters()
    {
    }

    /**
     * "libpcap received N, kernel dropped N, interface dropped N, flowdemux dropped 0". On a loopback device the
     * kernel hands each packet to the capture twice, going out and coming in, and libpcap keeps one: its "received"
     * is twice the packets, which the line says.
     *
     * @param stats {received, dropped by the kernel, dropped by the interface}
     */
    public static String describe(final long[] stats, final boolean loopback)
    {
        return "libpcap received " + Formats.count(stats[0]) + (loopback ? " (on a loopback device the kernel counts "
            + "each packet twice, out and in; libpcap keeps one)" : "") + ", kernel dropped " + Formats.count(stats[1])
            + ", interface dropped " + Formats.count(stats[2]) + ", flowdemux dropped 0";
    }
}
