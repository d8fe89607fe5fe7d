package flowdemux.host;

/**
 * A connection with at least one endpoint on this host (or beside it, in another namespace), and who owns each
 * endpoint once the lookup has settled: endpoint A and B as the flow table keyed them (not yet originator and
 * responder, which Zeek's rules may still swap). A null owner: that endpoint is not local.
 */
public final class LocalConnection
{
    public final long serial;
    public final int protocol;
    public final long aHi;
    public final long aLo;
    public final int aPort;
    public final long bHi;
    public final long bLo;
    public final int bPort;
    /** The connection's first packet time (capture clock). */
    public final long firstNanos;
    volatile Owner ownerA;
    volatile Owner ownerB;
    /** Lookup state, the lookup thread's own. */
    int attempts;
    long dueNanos;
    Owner candidateA;
    Owner candidateB;
    boolean finalA;
    boolean finalB;

    public LocalConnection(final long serial, final int protocol, final long aHi, final long aLo, final int aPort,
        final long bHi, final long bLo, final int bPort, final long firstNanos)
    {
        this.serial = serial;
        this.protocol = protocol;
        this.aHi = aHi;
        this.aLo = aLo;
        this.aPort = aPort;
        this.bHi = bHi;
        this.bLo = bLo;
        this.bPort = bPort;
        this.firstNanos = firstNanos;
    }

    /** The owner of the endpoint {@code hi/lo:port}, or null when it is not local (or not this connection's). */
    public Owner ownerOf(final long hi, final long lo, final int port)
    {
        if (hi == aHi && lo == aLo && port == aPort)
        {
            return ownerA;
        }
        if (hi == bHi && lo == bLo && port == bPort)
        {
            return ownerB;
        }
        return null;
    }

    /** Sets both owners at once (a record read back from a capture file). */
    public LocalConnection owners(final Owner a, final Owner b)
    {
        ownerA = a;
        ownerB = b;
        return this;
    }
}
