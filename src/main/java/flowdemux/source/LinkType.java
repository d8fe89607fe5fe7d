package flowdemux.source;

/** LINKTYPE_* values (tcpdump.org/linktypes.html) that flowdemux knows by name. */
public final class LinkType
{
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    public static final int RAW = 101;
    public static final int LOOP = 108;
    public static final int LINUX_SLL = 113;
    public static final int PPP = 9;
    public static final int PPP_HDLC = 50;
    public static final int IEEE802_11 = 105;
    public static final int IEEE802_11_RADIOTAP = 127;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;
    /** Some old files use DLT_RAW's BSD value 12 (or 14 on OpenBSD) in the header. */
    public static final int RAW_BSD12 = 12;
    public static final int RAW_BSD14 = 14;

    private LinkType()
    {
    }

    public static String name(final int linkType)
    {
        switch (linkType)
        {
            case NULL: return "NULL";
            case ETHERNET: return "ETHERNET";
            case RAW: case RAW_BSD12: case RAW_BSD14: return "RAW";
            case LOOP: return "LOOP";
            case LINUX_SLL: return "LINUX_SLL";
            case PPP: return "PPP";
            case PPP_HDLC: return "PPP_HDLC";
            case IEEE802_11: return "IEEE802_11";
            case IEEE802_11_RADIOTAP: return "IEEE802_11_RADIOTAP";
            case IPV4: return "IPV4";
            case IPV6: return "IPV6";
            case LINUX_SLL2: return "LINUX_SLL2";
            default: return "LINKTYPE_" + linkType;
        }
    }
}
