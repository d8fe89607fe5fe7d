package flowdemux.flow;

/**
 * Content gaps (TCP_Reassembler::AckReceived and Undelivered): where each side's in-order data ends, data that
 * arrives above a hole (kept in {@link PendingData}), and acknowledged data never seen: G/g and missed_bytes.
 */
final class TcpContentGaps
{
    private TcpContentGaps()
    {
    }

    /** Where a side's in-order data (or data declared missing) ends, as a relative sequence number. */
    static long gapMark(final long[] s, final int b, final boolean side)
    {
        return Math.max(1, FlowLayout.half(s[b + FlowLayout.GAP_MARK], side));
    }

    static void setGapMark(final long[] s, final int b, final boolean side, final long mark)
    {
        s[b + FlowLayout.GAP_MARK] = FlowLayout.withHalf(s[b + FlowLayout.GAP_MARK], side, Math.min(mark, 0xFFFF_FFFFL));
    }

    /**
     * DataSent reaching the reassembler: data at or below the delivered point moves it (and with it any data that
     * had arrived above a hole that is now filled); data above it waits in {@link PendingData}, as Zeek's block list
     * keeps it, so that it is not counted as missing when the acknowledgement comes.
     */
    static void delivered(final long[] s, final int b, final boolean side, final long relDataSeq, final int len,
        final PendingData pending, final int flow)
    {
        final long mark = gapMark(s, b, side);
        final long end = relDataSeq + len;
        if (relDataSeq <= mark)
        {
            if (end > mark)
            {
                setGapMark(s, b, side, pending.isEmpty() ? end : pending.absorb(streamKey(s, b, side, flow), end));
            }
        }
        else
        {
            pending.add(streamKey(s, b, side, flow), relDataSeq, end);
        }
    }

    /** The pending-data key of a side's stream: by endpoint A or B, which a role flip does not change. */
    static long streamKey(final long[] s, final int b, final boolean side, final int flow)
    {
        final boolean origIsA = (s[b + FlowLayout.FLAGS] & FlowFlags.ORIG_IS_A) != 0;
        return PendingData.key(flow, side == origIsA);
    }

    /**
     * A content gap (TCP_Reassembler::AckReceived and Undelivered): the peer acknowledged data of {@code side} that
     * never reached the reassembler (never seen, or not fully captured). Each hole up to the acknowledgement is a
     * gap, data that arrived above a hole is delivered, not counted. Zeek reports a gap (G/g, log-scaled, and
     * missed_bytes) unless either side is a partial connection's.
     */
    static void ackReceived(final long[] s, final int b, final boolean side, final long ackedIn,
        final PendingData pending, final int flow)
    {
        long relAck = ackedIn;
        if ((s[b + FlowLayout.FLAGS] & FlowFlags.fin(side)) != 0)
        {
            // The FIN takes a sequence number but carries no data: acking it is no gap.
            final long finSeq = FlowLayout.half(s[b + (side ? FlowLayout.HIST_SEQ_ORIG : FlowLayout.HIST_SEQ_RESP)], false);
            relAck = Math.min(relAck, finSeq);
        }
        if (relAck <= 0)
        {
            return;
        }
        final long mark = gapMark(s, b, side);
        if (relAck <= mark)
        {
            return;
        }
        final long f = s[b + FlowLayout.FLAGS];
        setGapMark(s, b, side, relAck);
        if ((f & FlowFlags.PARTIAL) != 0 && relAck <= 2)
        {
            return; // the faked start of a partial connection, not missing data
        }
        final boolean report = FlowFlags.state(f, side) != EndpointState.PARTIAL
            && FlowFlags.state(f, !side) != EndpointState.PARTIAL;
        long delivered = mark;
        if (!pending.isEmpty())
        {
            delivered = pending.fillTo(streamKey(s, b, side, flow), mark, relAck);
            for (int i = 0; i < pending.holeCount; i++)
            {
                gap(s, b, side, pending.holes[i], report);
            }
            if (delivered >= relAck)
            {
                setGapMark(s, b, side, delivered);
                return;
            }
        }
        gap(s, b, side, relAck - delivered, report);
    }

    static void gap(final long[] s, final int b, final boolean side, final long length, final boolean report)
    {
        if (report)
        {
            s[b + FlowLayout.MISSED_BYTES] += length;
            History.scaled(s, b, History.G, side, FlowLayout.COUNT_G);
        }
    }
}
