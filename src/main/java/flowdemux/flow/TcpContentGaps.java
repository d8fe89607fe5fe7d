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
    static long gapMark(final FlowSlot f, final boolean side)
    {
        return Math.max(1, f.gapMark(side));
    }

    static void setGapMark(final FlowSlot f, final boolean side, final long mark)
    {
        f.gapMark(side, Math.min(mark, 0xFFFF_FFFFL));
    }

    /**
     * DataSent reaching the reassembler: data at or below the delivered point moves it (and with it any data that
     * had arrived above a hole that is now filled); data above it waits in {@link PendingData}, as Zeek's block list
     * keeps it, so that it is not counted as missing when the acknowledgement comes.
     */
    static void delivered(final FlowSlot f, final boolean side, final long relDataSeq, final int len,
        final PendingData pending)
    {
        final long mark = gapMark(f, side);
        final long end = relDataSeq + len;
        if (relDataSeq <= mark)
        {
            if (end > mark)
            {
                setGapMark(f, side, pending.isEmpty() ? end : pending.absorb(streamKey(f, side), end));
            }
        }
        else
        {
            pending.add(streamKey(f, side), relDataSeq, end);
        }
    }

    /** The pending-data key of a side's stream: by endpoint A or B, which a role flip does not change. */
    static long streamKey(final FlowSlot f, final boolean side)
    {
        return PendingData.key(f.flow(), side == f.origIsA());
    }

    /**
     * A content gap (TCP_Reassembler::AckReceived and Undelivered): the peer acknowledged data of {@code side} that
     * never reached the reassembler (never seen, or not fully captured). Each hole up to the acknowledgement is a
     * gap, data that arrived above a hole is delivered, not counted. Zeek reports a gap (G/g, log-scaled, and
     * missed_bytes) unless either side is a partial connection's.
     */
    static void ackReceived(final FlowSlot f, final boolean side, final long ackedIn, final PendingData pending)
    {
        long relAck = ackedIn;
        if ((f.flags() & FlowFlags.fin(side)) != 0)
        {
            // The FIN takes a sequence number but carries no data: acking it is no gap.
            final long finSeq = f.lastFinSeq(side);
            relAck = Math.min(relAck, finSeq);
        }
        if (relAck <= 0)
        {
            return;
        }
        final long mark = gapMark(f, side);
        if (relAck <= mark)
        {
            return;
        }
        final long flags = f.flags();
        setGapMark(f, side, relAck);
        if ((flags & FlowFlags.PARTIAL) != 0 && relAck <= 2)
        {
            return; // the faked start of a partial connection, not missing data
        }
        final boolean report = FlowFlags.state(flags, side) != EndpointState.PARTIAL
            && FlowFlags.state(flags, !side) != EndpointState.PARTIAL;
        long delivered = mark;
        if (!pending.isEmpty())
        {
            delivered = pending.fillTo(streamKey(f, side), mark, relAck);
            for (int i = 0; i < pending.holeCount; i++)
            {
                gap(f, side, pending.holes[i], report);
            }
            if (delivered >= relAck)
            {
                setGapMark(f, side, delivered);
                return;
            }
        }
        gap(f, side, relAck - delivered, report);
    }

    static void gap(final FlowSlot f, final boolean side, final long length, final boolean report)
    {
        if (report)
        {
            f.addMissedBytes(length);
            History.scaled(f, History.G, side);
        }
    }
}
