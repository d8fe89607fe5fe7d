package flowdemux.flow;

/** Why a flow left the table. */
public enum EndReason
{
    /** The input ended while the flow was still open. */
    END_OF_INPUT,
    /** The table was full ({@code --max-flows}) and this was the least recently seen flow sampled. */
    EVICTED,
    /** Closed or timed out on capture time. */
    TIMEOUT,
    /** A new connection started on the same 5-tuple (a SYN with a new sequence number). */
    REUSE,
    /** An interim record of a long connection that goes on (--active-timeout). */
    ACTIVE
}
