package flowdemux.flow;

/**
 * The role flip of Zeek's TCP analyzer: when the first packets show that the originator was in fact the responder
 * (a SYN-ACK first, or a SYN answered by a SYN), every per-side field of the slot changes sides.
 */
final class TcpRoleFlip
{
    private TcpRoleFlip()
    {
    }

    /**
     * Connection::FlipRoles: the originator becomes the responder. Every per-direction field swaps; "^" is appended
     * to the history unless {@code rewriteHistory}, which instead rewrites it as "^" + the letters in the other case.
     */
    static void flipRoles(final FlowSlot f, final boolean rewriteHistory)
    {
        f.swapSides();
        final long meta = f.meta();
        final int wsO = (int)(meta >>> FlowFlags.WSCALE_ORIG_SHIFT) & 0xF;
        final int wsR = (int)(meta >>> FlowFlags.WSCALE_RESP_SHIFT) & 0xF;
        f.meta((meta & ~(0xFFL << FlowFlags.WSCALE_ORIG_SHIFT))
            | ((long)wsR << FlowFlags.WSCALE_ORIG_SHIFT) | ((long)wsO << FlowFlags.WSCALE_RESP_SHIFT));
        final long flags = FlowFlags.swapDirections(f.flags()) | FlowFlags.FLIPPED;
        final long seenO = (flags & FlowFlags.FIRST_SEEN_ORIG) != 0 ? FlowFlags.FIRST_SEEN_RESP : 0;
        final long seenR = (flags & FlowFlags.FIRST_SEEN_RESP) != 0 ? FlowFlags.FIRST_SEEN_ORIG : 0;
        final long partialBits = FlowFlags.FIRST_SEEN_ORIG | FlowFlags.FIRST_SEEN_RESP | FlowFlags.PARTIAL;
        f.flags((flags & ~partialBits) | seenO | seenR);
        if (rewriteHistory)
        {
            History.rewriteFlipped(f);
        }
        else
        {
            History.append(f, History.CARET, true);
        }
    }
}
