package flowdemux.flow;

/**
 * Zeek's ICMP connection key: the originator's port is the ICMP type, the responder's the counterpart type
 * (echo request 8 and reply 0 share one connection) or, for one-way types, the code.
 */
final class IcmpKeys
{
    private IcmpKeys()
    {
    }

    /** Counterpart type, or -1 when the type is one-way. */
    static int counterpart(final boolean v6, final int type)
    {
        if (!v6)
        {
            switch (type)
            {
                case 0: return 8;
                case 8: return 0;
                case 9: return 10;
                case 10: return 9;
                case 13: return 14;
                case 14: return 13;
                case 15: return 16;
                case 16: return 15;
                case 17: return 18;
                case 18: return 17;
                default: return -1;
            }
        }
        switch (type)
        {
            case 128: return 129;
            case 129: return 128;
            case 130: return 131;
            case 131: return 130;
            case 133: return 134;
            case 134: return 133;
            case 135: return 136;
            case 136: return 135;
            case 139: return 140;
            case 140: return 139;
            default: return -1;
        }
    }
}
