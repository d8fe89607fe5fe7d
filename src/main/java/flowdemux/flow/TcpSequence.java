package flowdemux.flow;

/**
 * A TCP flow's sequence space, as Zeek's TCP_Endpoint keeps it: each side's start, last and acknowledged sequence
 * numbers (32 bits and a count of wraps) in the flow's slot, their relative values, their initialisation when a side
 * is first seen, retransmission detection, and Zeek's orig_bytes/resp_bytes.
 */
final class TcpSequence
{
    private TcpSequence()
    {
    }

    /** Zeek's TOO_LARGE_SEQ_DELTA. */
    static final int TOO_LARGE_SEQ_DELTA = 1_048_576;

    static long start(final FlowSlot f, final boolean orig)
    {
        return f.startSeq(orig);
    }

    static long last(final FlowSlot f, final boolean orig)
    {
        return f.lastSeqWord(orig) & 0xFFFF_FFFFL;
    }

    static long lastWraps(final FlowSlot f, final boolean orig)
    {
        return f.lastSeqWord(orig) >>> 32;
    }

    static long ack(final FlowSlot f, final boolean orig)
    {
        return f.ackSeqWord(orig) & 0xFFFF_FFFFL;
    }

    static long ackWraps(final FlowSlot f, final boolean orig)
    {
        return f.ackSeqWord(orig) >>> 32;
    }

    /** InitStartSeq + InitAckSeq + InitLastSeq (wraps reset). */
    static void initSeqs(final FlowSlot f, final boolean orig, final long start, final long ack,
        final long last)
    {
        f.startSeq(orig, start & 0xFFFF_FFFFL);
        f.ackSeqWord(orig, ack & 0xFFFF_FFFFL);
        f.lastSeqWord(orig, last & 0xFFFF_FFFFL);
        f.setFlags(FlowFlags.seqKnown(orig));
    }

    /** UpdateLastSeq. */
    static void updateLast(final FlowSlot f, final boolean orig, final long seq)
    {
        f.lastSeqWord(orig, advance(f.lastSeqWord(orig), seq));
    }

    /** UpdateAckSeq. */
    static void updateAck(final FlowSlot f, final boolean orig, final long seq)
    {
        f.ackSeqWord(orig, advance(f.ackSeqWord(orig), seq));
    }

    /** A new 32-bit value (low half) of a sequence word, counting wraps of the space (high half). */
    static long advance(final long word, final long seq)
    {
        final long current = word & 0xFFFF_FFFFL;
        long wraps = word >>> 32;
        if (seq < current && delta(seq, current) > 0)
        {
            wraps++;
        }
        return (wraps << 32) | seq;
    }

    /** seq_delta: the signed 32-bit difference. */
    static int delta(final long a, final long b)
    {
        return (int)(a - b);
    }

    /** get_relative_seq; {@link Long#MIN_VALUE} flags an underflow (Zeek reports it and returns the negative). */
    static long relative(final FlowSlot f, final boolean orig, final long cur, final long last,
        final long wrapsIn)
    {
        long wraps = wrapsIn;
        final int d = delta(cur, last);
        if (d < 0)
        {
            if (wraps != 0 && cur > last)
            {
                wraps--;
            }
        }
        else if (d > 0)
        {
            if (cur < last)
            {
                wraps++;
            }
        }
        if (wraps == 0)
        {
            return delta(cur, start(f, orig));
        }
        return ((wraps << 32) | cur) - start(f, orig);
    }

    static void initEndpoint(final FlowSlot f, final boolean orig, final boolean syn,
        final long baseSeq, final long onePast)
    {
        final int state = TcpEndpoints.state(f, orig);
        switch (state)
        {
            case EndpointState.INACTIVE:
                if (syn)
                {
                    initSeqs(f, orig, baseSeq, baseSeq, onePast);
                }
                else
                {
                    // A partial connection: number it as though a SYN had been seen, but keep the first packet
                    // from looking like a retransmission.
                    final long before = (baseSeq - 1) & 0xFFFF_FFFFL;
                    initSeqs(f, orig, before, before, baseSeq);
                }
                break;
            case EndpointState.SYN_SENT:
            case EndpointState.SYN_ACK_SENT:
                if (syn && baseSeq != start(f, orig))
                {
                    initSeqs(f, orig, baseSeq, baseSeq, onePast);
                }
                break;
            case EndpointState.ESTABLISHED:
            case EndpointState.PARTIAL:
                if (syn)
                {
                    initSeqs(f, orig, baseSeq, baseSeq, onePast);
                }
                break;
            case EndpointState.RESET:
                if (syn && FlowFlags.prevState(f.flags(), orig) == EndpointState.INACTIVE)
                {
                    initSeqs(f, orig, baseSeq, baseSeq, onePast);
                }
                break;
            default:
                break;
        }
    }

    /** update_last_seq; returns delta_last. Data that does not advance the sequence space is a retransmission. */
    static int updateLastSeq(final FlowSlot f, final boolean orig, final long lastSeq,
        final boolean syn, final boolean fin, final boolean rst, final int len)
    {
        final long current = last(f, orig);
        final int deltaLast = delta(lastSeq, current);
        if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA))
        {
            return deltaLast;
        }
        if (fin && current == ((start(f, orig) + 1) & 0xFFFF_FFFFL))
        {
            updateLast(f, orig, lastSeq);
        }
        else if (TcpEndpoints.state(f, orig) == EndpointState.RESET)
        {
            return deltaLast;
        }
        else if (deltaLast > 0)
        {
            updateLast(f, orig, lastSeq);
        }
        else if (len > 0)
        {
            History.scaled(f, History.T, orig);
        }
        return deltaLast;
    }

    /** TCP_Endpoint::Size(): the sequence space used, less the SYN octet and a FIN octet. */
    static long size(final FlowSlot f, final boolean orig)
    {
        final long flags = f.flags();
        if ((flags & FlowFlags.seqKnown(orig)) == 0)
        {
            return 0;
        }
        final long start = start(f, orig);
        final long ack = ack(f, orig);
        final boolean noDataAcked = ack == start || ack == ((start + 1) & 0xFFFF_FFFFL);
        if (FlowFlags.prevState(flags, orig) == EndpointState.SYN_SENT
            && FlowFlags.state(flags, orig) == EndpointState.RESET && FlowFlags.state(flags, !orig) == EndpointState.INACTIVE && !noDataAcked)
        {
            return 0;
        }
        final long last64 = (lastWraps(f, orig) << 32) | last(f, orig);
        final long ack64 = (ackWraps(f, orig) << 32) | ack;
        long size = (last64 > ack64 ? last64 : ack64) - start;
        if (size < 0)
        {
            return 0;
        }
        if (size != 0)
        {
            size--;
        }
        if ((flags & FlowFlags.fin(orig)) != 0 && size != 0)
        {
            size--;
        }
        return size;
    }
}
