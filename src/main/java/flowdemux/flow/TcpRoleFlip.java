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
    static void flipRoles(final long[] s, final int b, final boolean rewriteHistory)
    {
        s[b + FlowLayout.FLAGS] = FlowFlags.swapDirections(s[b + FlowLayout.FLAGS]) | FlowFlags.FLIPPED;
        swapHalves(s, b, FlowLayout.PKTS);
        swap(s, b, FlowLayout.IP_BYTES_ORIG, FlowLayout.IP_BYTES_RESP);
        swap(s, b, FlowLayout.PAYLOAD_ORIG, FlowLayout.PAYLOAD_RESP);
        swapHalves(s, b, FlowLayout.START_SEQ);
        swap(s, b, FlowLayout.LAST_SEQ_ORIG, FlowLayout.LAST_SEQ_RESP);
        swap(s, b, FlowLayout.ACK_SEQ_ORIG, FlowLayout.ACK_SEQ_RESP);
        swap(s, b, FlowLayout.HIST_SEQ_ORIG, FlowLayout.HIST_SEQ_RESP);
        swapHalves(s, b, FlowLayout.HIST_RST);
        swapHalves(s, b, FlowLayout.COUNT_T);
        swapHalves(s, b, FlowLayout.COUNT_W);
        swapHalves(s, b, FlowLayout.COUNT_C);
        swapHalves(s, b, FlowLayout.COUNT_G);
        swapHalves(s, b, FlowLayout.GAP_MARK);
        final long o = s[b + FlowLayout.OPTIONS];
        s[b + FlowLayout.OPTIONS] = (o & ~0x000F_FFFF_FFFF_FFFFL) | ((o & 0xFFFF) << 16) | ((o >>> 16) & 0xFFFF)
            | (((o >>> 32) & 0xFF) << 40) | (((o >>> 40) & 0xFF) << 32)
            | (((o >>> 48) & 1) << 49) | (((o >>> 49) & 1) << 48) | (((o >>> 50) & 1) << 51) | (((o >>> 51) & 1) << 50);
        final long meta = s[b + FlowLayout.META];
        final int wsO = (int)(meta >>> FlowFlags.WSCALE_ORIG_SHIFT) & 0xF;
        final int wsR = (int)(meta >>> FlowFlags.WSCALE_RESP_SHIFT) & 0xF;
        s[b + FlowLayout.META] = (meta & ~(0xFFL << FlowFlags.WSCALE_ORIG_SHIFT))
            | ((long)wsR << FlowFlags.WSCALE_ORIG_SHIFT) | ((long)wsO << FlowFlags.WSCALE_RESP_SHIFT);
        final long flags = s[b + FlowLayout.FLAGS];
        final long seenO = (flags & FlowFlags.FIRST_SEEN_ORIG) != 0 ? FlowFlags.FIRST_SEEN_RESP : 0;
        final long seenR = (flags & FlowFlags.FIRST_SEEN_RESP) != 0 ? FlowFlags.FIRST_SEEN_ORIG : 0;
        final long partialBits = FlowFlags.FIRST_SEEN_ORIG | FlowFlags.FIRST_SEEN_RESP | FlowFlags.PARTIAL;
        s[b + FlowLayout.FLAGS] = (flags & ~partialBits) | seenO | seenR;
        if (rewriteHistory)
        {
            History.rewriteFlipped(s, b);
        }
        else
        {
            History.append(s, b, History.CARET, true);
        }
    }

    static void swap(final long[] s, final int b, final int x, final int y)
    {
        final long t = s[b + x];
        s[b + x] = s[b + y];
        s[b + y] = t;
    }

    static void swapHalves(final long[] s, final int b, final int field)
    {
        final long v = s[b + field];
        s[b + field] = (v >>> 32) | (v << 32);
    }
}
