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

    static long start(final long[] s, final int b, final boolean orig)
    {
        return FlowLayout.half(s[b + FlowLayout.START_SEQ], orig);
    }

    static long last(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] & 0xFFFF_FFFFL;
    }

    static long lastWraps(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] >>> 32;
    }

    static long ack(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] & 0xFFFF_FFFFL;
    }

    static long ackWraps(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] >>> 32;
    }

    /** InitStartSeq + InitAckSeq + InitLastSeq (wraps reset). */
    static void initSeqs(final long[] s, final int b, final boolean orig, final long start, final long ack,
        final long last)
    {
        s[b + FlowLayout.START_SEQ] = FlowLayout.withHalf(s[b + FlowLayout.START_SEQ], orig, start & 0xFFFF_FFFFL);
        s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] = ack & 0xFFFF_FFFFL;
        s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] = last & 0xFFFF_FFFFL;
        s[b + FlowLayout.FLAGS] |= FlowFlags.seqKnown(orig);
    }

    static void updateLast(final long[] s, final int b, final boolean orig, final long seq)
    {
        advance(s, b, orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP, seq);
    }

    static void updateAck(final long[] s, final int b, final boolean orig, final long seq)
    {
        advance(s, b, orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP, seq);
    }

    /** UpdateLastSeq / UpdateAckSeq: a new 32-bit value (low half), counting wraps of the space (high half). */
    static void advance(final long[] s, final int b, final int field, final long seq)
    {
        final long current = s[b + field] & 0xFFFF_FFFFL;
        long wraps = s[b + field] >>> 32;
        if (seq < current && delta(seq, current) > 0)
        {
            wraps++;
        }
        s[b + field] = (wraps << 32) | seq;
    }

    /** seq_delta: the signed 32-bit difference. */
    static int delta(final long a, final long b)
    {
        return (int)(a - b);
    }

    /** get_relative_seq; {@link Long#MIN_VALUE} flags an underflow (Zeek reports it and returns the negative). */
    static long relative(final long[] s, final int b, final boolean orig, final long cur, final long last,
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
            return delta(cur, start(s, b, orig));
        }
        return ((wraps << 32) | cur) - start(s, b, orig);
    }

    static void initEndpoint(final long[] s, final int b, final boolean orig, final boolean syn,
        final long baseSeq, final long onePast)
    {
        final int state = TcpEndpoints.state(s, b, orig);
        switch (state)
        {
            case EndpointState.INACTIVE:
                if (syn)
                {
                    initSeqs(s, b, orig, baseSeq, baseSeq, onePast);
                }
                else
                {
                    // A partial connection: number it as though a SYN had been seen, but keep the first packet
                    // from looking like a retransmission.
                    final long before = (baseSeq - 1) & 0xFFFF_FFFFL;
                    initSeqs(s, b, orig, before, before, baseSeq);
                }
                break;
            case EndpointState.SYN_SENT:
            case EndpointState.SYN_ACK_SENT:
                if (syn && baseSeq != start(s, b, orig))
                {
                    initSeqs(s, b, orig, baseSeq, baseSeq, onePast);
                }
                break;
            case EndpointState.ESTABLISHED:
            case EndpointState.PARTIAL:
                if (syn)
                {
                    initSeqs(s, b, orig, baseSeq, baseSeq, onePast);
                }
                break;
            case EndpointState.RESET:
                if (syn && FlowFlags.prevState(s[b + FlowLayout.FLAGS], orig) == EndpointState.INACTIVE)
                {
                    initSeqs(s, b, orig, baseSeq, baseSeq, onePast);
                }
                break;
            default:
                break;
        }
    }

    /** update_last_seq; returns delta_last. Data that does not advance the sequence space is a retransmission. */
    static int updateLastSeq(final long[] s, final int b, final boolean orig, final long lastSeq,
        final boolean syn, final boolean fin, final boolean rst, final int len)
    {
        final long current = last(s, b, orig);
        final int deltaLast = delta(lastSeq, current);
        if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA))
        {
            return deltaLast;
        }
        if (fin && current == ((start(s, b, orig) + 1) & 0xFFFF_FFFFL))
        {
            updateLast(s, b, orig, lastSeq);
        }
        else if (TcpEndpoints.state(s, b, orig) == EndpointState.RESET)
        {
            return deltaLast;
        }
        else if (deltaLast > 0)
        {
            updateLast(s, b, orig, lastSeq);
        }
        else if (len > 0)
        {
            History.scaled(s, b, History.T, orig, FlowLayout.COUNT_T);
        }
        return deltaLast;
    }

    /** TCP_Endpoint::Size(): the sequence space used, less the SYN octet and a FIN octet. */
    static long size(final long[] s, final int b, final boolean orig)
    {
        final long f = s[b + FlowLayout.FLAGS];
        if ((f & FlowFlags.seqKnown(orig)) == 0)
        {
            return 0;
        }
        final long start = start(s, b, orig);
        final long ack = ack(s, b, orig);
        final boolean noDataAcked = ack == start || ack == ((start + 1) & 0xFFFF_FFFFL);
        if (FlowFlags.prevState(f, orig) == EndpointState.SYN_SENT && FlowFlags.state(f, orig) == EndpointState.RESET
            && FlowFlags.state(f, !orig) == EndpointState.INACTIVE && !noDataAcked)
        {
            return 0;
        }
        final long last64 = (lastWraps(s, b, orig) << 32) | last(s, b, orig);
        final long ack64 = (ackWraps(s, b, orig) << 32) | ack;
        long size = (last64 > ack64 ? last64 : ack64) - start;
        if (size < 0)
        {
            return 0;
        }
        if (size != 0)
        {
            size--;
        }
        if ((f & FlowFlags.fin(orig)) != 0 && size != 0)
        {
            size--;
        }
        return size;
    }
}
