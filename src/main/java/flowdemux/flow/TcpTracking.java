package flowdemux.flow;

import flowdemux.decode.DecodedPacket;

/**
 * Per-packet TCP analysis of a flow, following Zeek's TCP analyzer (TCPSessionAdapter::Process and TCP_Endpoint):
 * sequence-space bookkeeping, history letters, zero windows, retransmissions, the endpoint state machine,
 * content gaps, handshake times, options, and the close timers. Stateless: everything lives in the flow's slot.
 * {@code orig} says whether the packet came from the originator.
 */
final class TcpTracking
{
    /** Zeek's TOO_LARGE_SEQ_DELTA. */
    private static final int TOO_LARGE_SEQ_DELTA = 1_048_576;

    private TcpTracking()
    {
    }

    // ---- endpoint accessors ---------------------------------------------------------------------------------

    static int state(final long[] s, final int b, final boolean orig)
    {
        return FlowFlags.state(s[b + FlowLayout.FLAGS], orig);
    }

    /** TCP_Endpoint::SetState, including the switch to the longer inactivity timeout. */
    static void setState(final long[] s, final int b, final boolean orig, final int next)
    {
        long f = s[b + FlowLayout.FLAGS];
        final int current = FlowFlags.state(f, orig);
        if (next == current)
        {
            return;
        }
        if (!handshake(next) && handshake(current) && handshake(FlowFlags.state(f, !orig)))
        {
            f |= FlowFlags.PAST_HANDSHAKE;
        }
        final int stateShift = orig ? FlowFlags.STATE_ORIG_SHIFT : FlowFlags.STATE_RESP_SHIFT;
        final int prevShift = orig ? FlowFlags.PREV_STATE_ORIG_SHIFT : FlowFlags.PREV_STATE_RESP_SHIFT;
        f = (f & ~(0xFL << prevShift)) | ((long)current << prevShift);
        f = (f & ~(0xFL << stateShift)) | ((long)next << stateShift);
        s[b + FlowLayout.FLAGS] = f;
    }

    private static boolean handshake(final int state)
    {
        return state == EndpointState.INACTIVE || state == EndpointState.SYN_SENT || state == EndpointState.SYN_ACK_SENT;
    }

    private static long start(final long[] s, final int b, final boolean orig)
    {
        return FlowLayout.half(s[b + FlowLayout.START_SEQ], orig);
    }

    private static long last(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] & 0xFFFF_FFFFL;
    }

    private static long lastWraps(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] >>> 32;
    }

    private static long ack(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] & 0xFFFF_FFFFL;
    }

    private static long ackWraps(final long[] s, final int b, final boolean orig)
    {
        return s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] >>> 32;
    }

    /** InitStartSeq + InitAckSeq + InitLastSeq (wraps reset). */
    private static void initSeqs(final long[] s, final int b, final boolean orig, final long start, final long ack,
        final long last)
    {
        s[b + FlowLayout.START_SEQ] = FlowLayout.withHalf(s[b + FlowLayout.START_SEQ], orig, start & 0xFFFF_FFFFL);
        s[b + (orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP)] = ack & 0xFFFF_FFFFL;
        s[b + (orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP)] = last & 0xFFFF_FFFFL;
        s[b + FlowLayout.FLAGS] |= FlowFlags.seqKnown(orig);
    }

    private static void updateLast(final long[] s, final int b, final boolean orig, final long seq)
    {
        advance(s, b, orig ? FlowLayout.LAST_SEQ_ORIG : FlowLayout.LAST_SEQ_RESP, seq);
    }

    private static void updateAck(final long[] s, final int b, final boolean orig, final long seq)
    {
        advance(s, b, orig ? FlowLayout.ACK_SEQ_ORIG : FlowLayout.ACK_SEQ_RESP, seq);
    }

    /** UpdateLastSeq / UpdateAckSeq: a new 32-bit value (low half), counting wraps of the space (high half). */
    private static void advance(final long[] s, final int b, final int field, final long seq)
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
    private static int delta(final long a, final long b)
    {
        return (int)(a - b);
    }

    /** get_relative_seq; {@link Long#MIN_VALUE} flags an underflow (Zeek reports it and returns the negative). */
    private static long relative(final long[] s, final int b, final boolean orig, final long cur, final long last,
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

    // ---- the packet ----------------------------------------------------------------------------------------------

    /**
     * Processes one TCP segment with a valid checksum. Returns whether the roles flipped (SYN/SYN-ACK reversal).
     */
    static boolean process(final long[] s, final int b, final boolean origIn, final DecodedPacket p,
        final ConnectionConfig config, final PendingData pending, final int flow)
    {
        boolean orig = origIn;
        final int flags = p.tcpFlags;
        final boolean syn = (flags & DecodedPacket.SYN) != 0;
        final boolean fin = (flags & DecodedPacket.FIN) != 0;
        final boolean rst = (flags & DecodedPacket.RST) != 0;
        final boolean ackFlag = (flags & DecodedPacket.ACK) != 0;
        final int len = p.payloadLength;
        final long baseSeq = p.seq;
        final long ackSeq = p.ack;

        s[b + FlowLayout.FLAGS] |= (long)flags << (orig ? FlowFlags.TCP_FLAGS_ORIG_SHIFT : FlowFlags.TCP_FLAGS_RESP_SHIFT);
        setPartialStatus(s, b, orig, syn, ackFlag);

        final int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        final long onePast = (baseSeq + segLen) & 0xFFFF_FFFFL;
        initEndpoint(s, b, orig, syn, baseSeq, onePast);

        final long relSeq = relative(s, b, orig, baseSeq, last(s, b, orig), lastWraps(s, b, orig));
        final boolean seqUnderflow = relSeq < 0 && lastWraps(s, b, orig) == 0;

        updateHistory(s, b, orig, syn, fin, rst, ackFlag, relSeq, len);
        updateWindow(s, b, orig, p.window, rst);

        final long f0 = s[b + FlowLayout.FLAGS];
        if ((f0 & FlowFlags.DID_CLOSE_ORIG) == 0 || (f0 & FlowFlags.DID_CLOSE_RESP) == 0)
        {
            s[b + FlowLayout.LAST_TS] = Math.max(s[b + FlowLayout.LAST_TS], p.timestampNanos);
        }
        if (syn)
        {
            initWindow(s, b, orig, ackFlag, p.windowScale);
            options(s, b, orig, p);
        }
        if (fin)
        {
            s[b + FlowLayout.FLAGS] |= FlowFlags.fin(orig);
        }
        long relAck = 0;
        if (ackFlag)
        {
            if (state(s, b, !orig) == EndpointState.INACTIVE)
            {
                relAck = 1;
                // init_peer: number the peer's sequence space as if its SYN had been seen.
                final long a = (ackSeq - 1) & 0xFFFF_FFFFL;
                initSeqs(s, b, !orig, a, a, a);
            }
            else
            {
                relAck = relative(s, b, !orig, ackSeq, ack(s, b, !orig), ackWraps(s, b, !orig));
                if (relAck < 0 && ackWraps(s, b, !orig) == 0)
                {
                    relAck = 0;
                }
                else if (!rst)
                {
                    final int d = delta(ackSeq, ack(s, b, !orig));
                    if (!(ackSeq == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0)
                    {
                        updateAck(s, b, !orig, ackSeq);
                    }
                }
            }
        }
        final int deltaLast = updateLastSeq(s, b, orig, onePast, syn, fin, rst, len);
        handshakeTimes(s, b, orig, p, syn, ackFlag);

        final int doClose = stateMachine(s, b, orig, syn, fin, rst, ackFlag, len, baseSeq, deltaLast, p.timestampNanos,
            config);
        final boolean flipped = (doClose & FLIPPED) != 0;
        if (flipped)
        {
            orig = !orig;
        }
        if (ackFlag)
        {
            ackReceived(s, b, !orig, relAck, pending, flow);
        }
        if (len > 0 && p.capturedPayload >= len && !rst && !seqUnderflow)
        {
            // DataSent: only fully captured data reaches the reassembler.
            delivered(s, b, orig, syn ? relSeq + 1 : relSeq, len, pending, flow);
        }
        if ((doClose & CLOSE) != 0)
        {
            connectionClosed(s, b, orig, config);
        }
        return flipped;
    }

    private static void setPartialStatus(final long[] s, final int b, final boolean orig, final boolean syn,
        final boolean ack)
    {
        final long f = s[b + FlowLayout.FLAGS];
        final long seenBit = orig ? FIRST_SEEN_ORIG : FIRST_SEEN_RESP;
        if ((f & seenBit) != 0)
        {
            return;
        }
        if (orig)
        {
            s[b + FlowLayout.FLAGS] = (!syn || ack) ? f | PARTIAL | seenBit : (f & ~PARTIAL) | seenBit;
        }
        else
        {
            s[b + FlowLayout.FLAGS] = ((f & PARTIAL) == 0 && !syn) ? f | PARTIAL | seenBit : f | seenBit;
        }
    }

    static final long PARTIAL = 1L << 45;
    static final long FIRST_SEEN_ORIG = 1L << 46;
    static final long FIRST_SEEN_RESP = 1L << 47;

    private static void initEndpoint(final long[] s, final int b, final boolean orig, final boolean syn,
        final long baseSeq, final long onePast)
    {
        final int state = state(s, b, orig);
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

    /** update_history (TCPSessionAdapter.cc). */
    private static void updateHistory(final long[] s, final int b, final boolean orig, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final long relSeq, final int len)
    {
        final int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        final int histField = orig ? FlowLayout.HIST_SEQ_ORIG : FlowLayout.HIST_SEQ_RESP;
        if (bits > 1)
        {
            History.checkOnce(s, b, fin && rst ? History.I : History.Q, orig);
        }
        else if (bits == 1)
        {
            final long rel32 = relSeq & 0xFFFF_FFFFL;
            if (syn)
            {
                final int code = ack ? History.H : History.S;
                // S and H share one seen bit (HIST_SYN_PKT), kept under S.
                final boolean seenBefore = checkOnceAs(s, b, History.S, code, orig);
                if (seenBefore && rel32 != FlowLayout.half(s[b + histField], true))
                {
                    History.append(s, b, code, orig);
                }
                s[b + histField] = FlowLayout.withHalf(s[b + histField], true, rel32);
            }
            if (fin)
            {
                final long finSeq = (relSeq + len) & 0xFFFF_FFFFL;
                if (History.checkOnce(s, b, History.F, orig) && finSeq != FlowLayout.half(s[b + histField], false))
                {
                    History.append(s, b, History.F, orig);
                }
                s[b + histField] = FlowLayout.withHalf(s[b + histField], false, finSeq);
            }
            if (rst)
            {
                if (History.checkOnce(s, b, History.R, orig)
                    && rel32 != FlowLayout.half(s[b + FlowLayout.HIST_RST], orig))
                {
                    History.append(s, b, History.R, orig);
                }
                s[b + FlowLayout.HIST_RST] = FlowLayout.withHalf(s[b + FlowLayout.HIST_RST], orig, rel32);
            }
        }
        else if (len > 0)
        {
            History.checkOnce(s, b, History.D, orig);
        }
        else if (ack)
        {
            History.checkOnce(s, b, History.A, orig);
        }
    }

    /** CheckHistory with the seen bit of {@code bitCode} but the letter {@code letter}. */
    private static boolean checkOnceAs(final long[] s, final int b, final int bitCode, final int letter,
        final boolean orig)
    {
        final long bit = 1L << ((orig ? 0 : FlowFlags.SEEN_RESP_SHIFT) + bitCode);
        final long meta = s[b + FlowLayout.META];
        if ((meta & bit) != 0)
        {
            return true;
        }
        s[b + FlowLayout.META] = meta | bit;
        History.append(s, b, letter, orig);
        return false;
    }

    private static int windowScale(final long[] s, final int b, final boolean orig)
    {
        return (int)(s[b + FlowLayout.META] >>> (orig ? FlowFlags.WSCALE_ORIG_SHIFT : FlowFlags.WSCALE_RESP_SHIFT)) & 0xF;
    }

    private static void setWindowScale(final long[] s, final int b, final boolean orig, final int scale)
    {
        final int shift = orig ? FlowFlags.WSCALE_ORIG_SHIFT : FlowFlags.WSCALE_RESP_SHIFT;
        s[b + FlowLayout.META] = (s[b + FlowLayout.META] & ~(0xFL << shift)) | ((long)scale << shift);
    }

    /** update_window: a zero window counts (W, log-scaled) unless it comes with a RST or after the peer's FIN. */
    private static void updateWindow(final long[] s, final int b, final boolean orig, final int window,
        final boolean rst)
    {
        final long scaled = (long)window << windowScale(s, b, orig);
        if (scaled == 0 && !rst && state(s, b, !orig) != EndpointState.CLOSED
            && state(s, b, orig) != EndpointState.RESET)
        {
            History.scaled(s, b, History.W, orig, FlowLayout.COUNT_W);
        }
    }

    private static void initWindow(final long[] s, final int b, final boolean orig, final boolean ack,
        final int scale)
    {
        if (scale < 0)
        {
            setWindowScale(s, b, orig, 0);
            if (ack)
            {
                setWindowScale(s, b, !orig, 0);
            }
        }
        else
        {
            setWindowScale(s, b, orig, Math.min(scale, 14));
        }
    }

    /** update_last_seq; returns delta_last. Data that does not advance the sequence space is a retransmission. */
    private static int updateLastSeq(final long[] s, final int b, final boolean orig, final long lastSeq,
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
        else if (state(s, b, orig) == EndpointState.RESET)
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

    static final int CLOSE = 1;
    static final int FLIPPED = 2;

    /** UpdateStateMachine; returns CLOSE when ConnectionClosed is due, FLIPPED when the roles swapped. */
    private static int stateMachine(final long[] s, final int b, final boolean origIn, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final int len, final long baseSeq,
        final int deltaLast, final long now, final ConnectionConfig config)
    {
        boolean orig = origIn;
        int result = 0;
        final int mine = state(s, b, orig);
        switch (mine)
        {
            case EndpointState.INACTIVE:
            {
                if (syn)
                {
                    if (orig)
                    {
                        setState(s, b, orig, ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
                        if (config.tcpAttemptDelay > 0)
                        {
                            s[b + FlowLayout.FLAGS] |= FlowFlags.ATTEMPT_ARMED;
                            s[b + FlowLayout.SYN_TS] = now;
                        }
                    }
                    else
                    {
                        if (!ack && state(s, b, true) == EndpointState.SYN_ACK_SENT && baseSeq == start(s, b, false))
                        {
                            // SYN/SYN-ACK reversal (capture reordering): flip the roles and establish.
                            flipRoles(s, b, false);
                            orig = true;
                            result |= FLIPPED;
                            setState(s, b, false, EndpointState.ESTABLISHED);
                        }
                        if (state(s, b, !orig) == EndpointState.SYN_SENT)
                        {
                            setState(s, b, !orig, EndpointState.ESTABLISHED);
                        }
                        setState(s, b, orig, EndpointState.ESTABLISHED);
                    }
                }
                result |= closeBy(s, b, orig, fin, rst);
                if (state(s, b, orig) == EndpointState.INACTIVE)
                {
                    if (!orig && len == 0 && state(s, b, true) == EndpointState.SYN_SENT)
                    {
                        // Some stacks ack an initial SYN before their SYN-ACK: not a partial connection.
                        break;
                    }
                    if (ack && state(s, b, !orig) == EndpointState.ESTABLISHED)
                    {
                        // SYN-ACK seen but not the SYN: establish rather than call it partial.
                        setState(s, b, orig, EndpointState.ESTABLISHED);
                        s[b + FlowLayout.FLAGS] &= ~PARTIAL;
                    }
                    else
                    {
                        setState(s, b, orig, EndpointState.PARTIAL);
                    }
                }
                break;
            }
            case EndpointState.SYN_SENT:
            case EndpointState.SYN_ACK_SENT:
                result |= closeBy(s, b, orig, fin, rst);
                break;
            case EndpointState.ESTABLISHED:
            case EndpointState.PARTIAL:
                if (syn && mine == EndpointState.PARTIAL && state(s, b, !orig) == EndpointState.INACTIVE && !ack)
                {
                    setState(s, b, orig, EndpointState.SYN_SENT);
                }
                if (fin && !rst)
                {
                    setState(s, b, orig, EndpointState.CLOSED);
                    final long f = s[b + FlowLayout.FLAGS];
                    if (FlowFlags.state(f, !orig) == EndpointState.RESET
                        && FlowFlags.prevState(f, !orig) == EndpointState.CLOSED)
                    {
                        // The peer sent a FIN and then a RST: that was a normal close after all.
                        setState(s, b, !orig, EndpointState.CLOSED);
                    }
                    result |= CLOSE;
                }
                if (rst)
                {
                    setState(s, b, orig, EndpointState.RESET);
                    result |= CLOSE;
                }
                break;
            case EndpointState.CLOSED:
                if (rst && state(s, b, !orig) != EndpointState.CLOSED)
                {
                    setState(s, b, orig, EndpointState.RESET);
                    if ((s[b + FlowLayout.FLAGS] & FlowFlags.didClose(orig)) == 0)
                    {
                        result |= CLOSE;
                    }
                }
                break;
            default:
                break;
        }
        return result;
    }

    /** A FIN closes the sender's side, an RST (which wins if both are set) resets it; either ends the connection. */
    private static int closeBy(final long[] s, final int b, final boolean orig, final boolean fin, final boolean rst)
    {
        if (rst)
        {
            setState(s, b, orig, EndpointState.RESET);
            return CLOSE;
        }
        if (fin)
        {
            setState(s, b, orig, EndpointState.CLOSED);
            return CLOSE;
        }
        return 0;
    }

    /** Where a side's in-order data (or data declared missing) ends, as a relative sequence number. */
    private static long gapMark(final long[] s, final int b, final boolean side)
    {
        return Math.max(1, FlowLayout.half(s[b + FlowLayout.GAP_MARK], side));
    }

    private static void setGapMark(final long[] s, final int b, final boolean side, final long mark)
    {
        s[b + FlowLayout.GAP_MARK] = FlowLayout.withHalf(s[b + FlowLayout.GAP_MARK], side, Math.min(mark, 0xFFFF_FFFFL));
    }

    /**
     * DataSent reaching the reassembler: data at or below the delivered point moves it (and with it any data that
     * had arrived above a hole that is now filled); data above it waits in {@link PendingData}, as Zeek's block list
     * keeps it, so that it is not counted as missing when the acknowledgement comes.
     */
    private static void delivered(final long[] s, final int b, final boolean side, final long relDataSeq, final int len,
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
    private static long streamKey(final long[] s, final int b, final boolean side, final int flow)
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
    private static void ackReceived(final long[] s, final int b, final boolean side, final long ackedIn,
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
        if ((f & PARTIAL) != 0 && relAck <= 2)
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

    private static void gap(final long[] s, final int b, final boolean side, final long length, final boolean report)
    {
        if (report)
        {
            s[b + FlowLayout.MISSED_BYTES] += length;
            History.scaled(s, b, History.G, side, FlowLayout.COUNT_G);
        }
    }

    /** ConnectionClosed: arms Zeek's connection-delete or expire timer. */
    private static void connectionClosed(final long[] s, final int b, final boolean orig, final ConnectionConfig config)
    {
        long f = s[b + FlowLayout.FLAGS];
        if ((f & FlowFlags.didClose(orig)) != 0)
        {
            return;
        }
        f |= FlowFlags.didClose(orig);
        s[b + FlowLayout.FLAGS] = f;
        final boolean complete = FlowFlags.state(f, orig) == EndpointState.RESET || (f & FlowFlags.didClose(!orig)) != 0
            || FlowFlags.state(f, !orig) == EndpointState.INACTIVE;
        final long lastTime = s[b + FlowLayout.LAST_TS];
        if (complete)
        {
            // CancelTimers, then the delete timer.
            s[b + FlowLayout.FLAGS] = f & ~FlowFlags.ATTEMPT_ARMED;
            s[b + FlowLayout.EXPIRE_FROM] = 0;
            s[b + FlowLayout.DELETE_AT] = lastTime + config.tcpCloseDelay;
        }
        else if (FlowFlags.prevState(f, orig) != EndpointState.INACTIVE)
        {
            s[b + FlowLayout.EXPIRE_FROM] = lastTime + config.tcpSessionTimer;
        }
    }

    private static void handshakeTimes(final long[] s, final int b, final boolean orig, final DecodedPacket p,
        final boolean syn, final boolean ack)
    {
        final long h = s[b + FlowLayout.HANDSHAKE];
        final long synTs = s[b + FlowLayout.SYN_TS];
        if (syn && ack && !orig && synTs != 0 && (h & 0xFFFF_FFFFL) == 0)
        {
            s[b + FlowLayout.HANDSHAKE] = FlowLayout.withHalf(h, true, clampDelta(p.timestampNanos - synTs));
        }
        else if (!syn && ack && orig && (h & 0xFFFF_FFFFL) != 0 && (h >>> 32) == 0)
        {
            final long synAckTs = synTs + (h & 0xFFFF_FFFFL) - 1;
            s[b + FlowLayout.HANDSHAKE] = FlowLayout.withHalf(h, false, clampDelta(p.timestampNanos - synAckTs));
        }
    }

    /** A delta in ns + 1 (0 means unknown), saturating at 32 bits (4.29 s). */
    private static long clampDelta(final long nanos)
    {
        return Math.min(Math.max(nanos, 0) + 1, 0xFFFF_FFFFL);
    }

    private static void options(final long[] s, final int b, final boolean orig, final DecodedPacket p)
    {
        long o = s[b + FlowLayout.OPTIONS];
        if (p.mss >= 0)
        {
            final int shift = orig ? 0 : 16;
            o = (o & ~(0xFFFFL << shift)) | ((long)p.mss << shift);
        }
        if (p.windowScale >= 0)
        {
            final int shift = orig ? 32 : 40;
            o = (o & ~(0xFFL << shift)) | ((long)(p.windowScale + 1) << shift);
        }
        if (p.sackPermitted)
        {
            o |= orig ? 1L << 48 : 1L << 49;
        }
        if (p.hasTimestamps)
        {
            o |= orig ? 1L << 50 : 1L << 51;
        }
        s[b + FlowLayout.OPTIONS] = o;
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
        final long seenO = (flags & FIRST_SEEN_ORIG) != 0 ? FIRST_SEEN_RESP : 0;
        final long seenR = (flags & FIRST_SEEN_RESP) != 0 ? FIRST_SEEN_ORIG : 0;
        s[b + FlowLayout.FLAGS] = (flags & ~(FIRST_SEEN_ORIG | FIRST_SEEN_RESP | PARTIAL)) | seenO | seenR;
        if (rewriteHistory)
        {
            History.rewriteFlipped(s, b);
        }
        else
        {
            History.append(s, b, History.CARET, true);
        }
    }

    private static void swap(final long[] s, final int b, final int x, final int y)
    {
        final long t = s[b + x];
        s[b + x] = s[b + y];
        s[b + y] = t;
    }

    private static void swapHalves(final long[] s, final int b, final int field)
    {
        final long v = s[b + field];
        s[b + field] = (v >>> 32) | (v << 32);
    }

    // ---- sizes --------------------------------------------------------------------------------------------------

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
