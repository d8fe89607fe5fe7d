package flowdemux.cli;

/** One-line explanations of libpcap failures. */
final class LiveErrors
{
    private LiveErrors()
    {
    }

    static String describe(final Throwable e)
    {
        final String m = String.valueOf(e.getMessage());
        if (e instanceof UnsatisfiedLinkError || e instanceof NoClassDefFoundError || m.contains("libpcap"))
        {
            return "libpcap is not installed (Debian: apt-get install libpcap0.8)";
        }
        if (m.contains("ermission") || m.contains("not permitted"))
        {
            return m + "; run with sudo, or give java the capture capabilities: sudo setcap "
                + "cap_net_raw,cap_net_admin=eip \"$(readlink -f \"$(command -v java)\")\"";
        }
        return m;
    }
}
