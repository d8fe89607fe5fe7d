package flowdemux.flow;

import flowdemux.decode.DecodedPacket;

/**
 * Per-packet TCP analysis of a flow, following Zeek's TCP analyzer (TCPSessionAdapter::Process): the order of the
 * steps for one segment, and the history letters, windows, handshake times and options. The steps' own state is in
 * {@link TcpSequence} (sequence space), {@link TcpEndpoints} (state machine and closes), {@link TcpContentGaps}
 * (gaps) and {@link TcpRoleFlip} (the originator turns out to be the responder). Stateless: everything lives in the
 * flow's slot. {@code orig} says whether the packet came from the originator.
 */
final class TcpTracking
{
    private TcpTracking()
    {
    }

    /**
     * Processes one TCP segment with a valid checksum. Returns whether the roles flipped (SYN/SYN-ACK reversal).
     */
    static boolean process(final FlowSlot f, final boolean origIn, final DecodedPacket p,
        final ConnectionConfig config, final PendingData pending)
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

        f.setFlags((long)flags << (orig ? FlowFlags.TCP_FLAGS_ORIG_SHIFT : FlowFlags.TCP_FLAGS_RESP_SHIFT));
        TcpEndpoints.setPartialStatus(f, orig, syn, ackFlag);

        final int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        final long onePast = (baseSeq + segLen) & 0xFFFF_FFFFL;
        TcpSequence.initEndpoint(f, orig, syn, baseSeq, onePast);

        final long relSeq = TcpSequence.relative(f, orig, baseSeq, TcpSequence.last(f, orig),
            TcpSequence.lastWraps(f, orig));
        final boolean seqUnderflow = relSeq < 0 && TcpSequence.lastWraps(f, orig) == 0;

        updateHistory(f, orig, syn, fin, rst, ackFlag, relSeq, len);
        updateWindow(f, orig, p.window, rst);

        final long f0 = f.flags();
        if ((f0 & FlowFlags.DID_CLOSE_ORIG) == 0 || (f0 & FlowFlags.DID_CLOSE_RESP) == 0)
        {
            f.advanceLastTs(p.timestampNanos);
        }
        if (syn)
        {
            initWindow(f, orig, ackFlag, p.windowScale);
            f.options(orig, p.mss, p.windowScale, p.sackPermitted, p.hasTimestamps);
        }
        if (fin)
        {
            f.setFlags(FlowFlags.fin(orig));
        }
        long relAck = 0;
        if (ackFlag)
        {
            if (TcpEndpoints.state(f, !orig) == EndpointState.INACTIVE)
            {
                relAck = 1;
                // init_peer: number the peer's sequence space as if its SYN had been seen.
                final long a = (ackSeq - 1) & 0xFFFF_FFFFL;
                TcpSequence.initSeqs(f, !orig, a, a, a);
            }
            else
            {
                relAck = TcpSequence.relative(f, !orig, ackSeq, TcpSequence.ack(f, !orig),
                    TcpSequence.ackWraps(f, !orig));
                if (relAck < 0 && TcpSequence.ackWraps(f, !orig) == 0)
                {
                    relAck = 0;
                }
                else if (!rst)
                {
                    final int d = TcpSequence.delta(ackSeq, TcpSequence.ack(f, !orig));
                    if (!(ackSeq == 0 && d > TcpSequence.TOO_LARGE_SEQ_DELTA) && d > 0)
                    {
                        TcpSequence.updateAck(f, !orig, ackSeq);
                    }
                }
            }
        }
        final int deltaLast = TcpSequence.updateLastSeq(f, orig, onePast, syn, fin, rst, len);
        handshakeTimes(f, orig, p, syn, ackFlag);

        final int doClose = TcpEndpoints.stateMachine(f, orig, syn, fin, rst, ackFlag, len, baseSeq, deltaLast,
            p.timestampNanos, config);
        final boolean flipped = (doClose & TcpEndpoints.FLIPPED) != 0;
        if (flipped)
        {
            orig = !orig;
        }
        if (ackFlag)
        {
            TcpContentGaps.ackReceived(f, !orig, relAck, pending);
        }
        if (len > 0 && p.capturedPayload >= len && !rst && !seqUnderflow)
        {
            // DataSent: only fully captured data reaches the reassembler.
            TcpContentGaps.delivered(f, orig, syn ? relSeq + 1 : relSeq, len, pending);
        }
        if ((doClose & TcpEndpoints.CLOSE) != 0)
        {
            TcpEndpoints.connectionClosed(f, orig, config);
        }
        return flipped;
    }

    /** update_history (TCPSessionAdapter.cc). */
    private static void updateHistory(final FlowSlot f, final boolean orig, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final long relSeq, final int len)
    {
        final int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1)
        {
            History.checkOnce(f, fin && rst ? History.I : History.Q, orig);
        }
        else if (bits == 1)
        {
            final long rel32 = relSeq & 0xFFFF_FFFFL;
            if (syn)
            {
                final int code = ack ? History.H : History.S;
                // S and H share one seen bit (HIST_SYN_PKT), kept under S.
                final boolean seenBefore = checkOnceAs(f, History.S, code, orig);
                if (seenBefore && rel32 != f.lastSynSeq(orig))
                {
                    History.append(f, code, orig);
                }
                f.lastSynSeq(orig, rel32);
            }
            if (fin)
            {
                final long finSeq = (relSeq + len) & 0xFFFF_FFFFL;
                if (History.checkOnce(f, History.F, orig) && finSeq != f.lastFinSeq(orig))
                {
                    History.append(f, History.F, orig);
                }
                f.lastFinSeq(orig, finSeq);
            }
            if (rst)
            {
                if (History.checkOnce(f, History.R, orig) && rel32 != f.lastRstSeq(orig))
                {
                    History.append(f, History.R, orig);
                }
                f.lastRstSeq(orig, rel32);
            }
        }
        else if (len > 0)
        {
            History.checkOnce(f, History.D, orig);
        }
        else if (ack)
        {
            History.checkOnce(f, History.A, orig);
        }
    }

    /** CheckHistory with the seen bit of {@code bitCode} but the letter {@code letter}. */
    private static boolean checkOnceAs(final FlowSlot f, final int bitCode, final int letter,
        final boolean orig)
    {
        final long bit = 1L << ((orig ? 0 : FlowFlags.SEEN_RESP_SHIFT) + bitCode);
        final long meta = f.meta();
        if ((meta & bit) != 0)
        {
            return true;
        }
        f.meta(meta | bit);
        History.append(f, letter, orig);
        return false;
    }

    private static int windowScale(final FlowSlot f, final boolean orig)
    {
        return (int)(f.meta() >>> (orig ? FlowFlags.WSCALE_ORIG_SHIFT : FlowFlags.WSCALE_RESP_SHIFT)) & 0xF;
    }

    private static void setWindowScale(final FlowSlot f, final boolean orig, final int scale)
    {
        final int shift = orig ? FlowFlags.WSCALE_ORIG_SHIFT : FlowFlags.WSCALE_RESP_SHIFT;
        f.meta((f.meta() & ~(0xFL << shift)) | ((long)scale << shift));
    }

    /** update_window: a zero window counts (W, log-scaled) unless it comes with a RST or after the peer's FIN. */
    private static void updateWindow(final FlowSlot f, final boolean orig, final int window,
        final boolean rst)
    {
        final long scaled = (long)window << windowScale(f, orig);
        if (scaled == 0 && !rst && TcpEndpoints.state(f, !orig) != EndpointState.CLOSED
            && TcpEndpoints.state(f, orig) != EndpointState.RESET)
        {
            History.scaled(f, History.W, orig);
        }
    }

    private static void initWindow(final FlowSlot f, final boolean orig, final boolean ack,
        final int scale)
    {
        if (scale < 0)
        {
            setWindowScale(f, orig, 0);
            if (ack)
            {
                setWindowScale(f, !orig, 0);
            }
        }
        else
        {
            setWindowScale(f, orig, Math.min(scale, 14));
        }
    }

    private static void handshakeTimes(final FlowSlot f, final boolean orig, final DecodedPacket p,
        final boolean syn, final boolean ack)
    {
        final long synTs = f.synTs();
        final long synAck = f.synAckDelay();
        if (syn && ack && !orig && synTs != 0 && synAck < 0)
        {
            f.synAckDelay(p.timestampNanos - synTs);
        }
        else if (!syn && ack && orig && synAck >= 0 && f.ackDelay() < 0)
        {
            f.ackDelay(p.timestampNanos - (synTs + synAck));
        }
    }
}
