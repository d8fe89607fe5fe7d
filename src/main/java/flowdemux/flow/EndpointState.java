package flowdemux.flow;

/** Zeek's per-endpoint TCP states (TCP_Endpoint.h), as small ints stored in the flow's flags. */
public final class EndpointState
{
    public static final int INACTIVE = 0;
    public static final int SYN_SENT = 1;
    public static final int SYN_ACK_SENT = 2;
    public static final int PARTIAL = 3;
    public static final int ESTABLISHED = 4;
    public static final int CLOSED = 5;
    public static final int RESET = 6;

    private EndpointState()
    {
    }

    public static boolean inactive(final int state)
    {
        return state == INACTIVE || state == PARTIAL;
    }
}
