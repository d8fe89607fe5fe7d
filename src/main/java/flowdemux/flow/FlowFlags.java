package flowdemux.flow;

/** Bits of {@link FlowLayout#FLAGS}. */
public final class FlowFlags
{
    /** The originator is endpoint A of the canonical key. */
    public static final long ORIG_IS_A = 1L;
    /** Zeek's heuristics swapped the roles of the first packet's sender ("^" in history). */
    public static final long FLIPPED = 1L << 1;
    public static final int STATE_ORIG_SHIFT = 4;
    public static final int STATE_RESP_SHIFT = 8;
    public static final int TCP_FLAGS_ORIG_SHIFT = 16;
    public static final int TCP_FLAGS_RESP_SHIFT = 24;
    /** Once-only history letters seen, per direction: orig at bits 32-47, resp at 48-63. */
    public static final int SEEN_ORIG_SHIFT = 32;
    public static final int SEEN_RESP_SHIFT = 48;

    private FlowFlags()
    {
    }

    public static int state(final long flags, final boolean orig)
    {
        return (int)(flags >>> (orig ? STATE_ORIG_SHIFT : STATE_RESP_SHIFT)) & 0xF;
    }

    public static long withState(final long flags, final boolean orig, final int state)
    {
        final int shift = orig ? STATE_ORIG_SHIFT : STATE_RESP_SHIFT;
        return (flags & ~(0xFL << shift)) | ((long)state << shift);
    }

    public static int tcpFlags(final long flags, final boolean orig)
    {
        return (int)(flags >>> (orig ? TCP_FLAGS_ORIG_SHIFT : TCP_FLAGS_RESP_SHIFT)) & 0xFF;
    }
}
