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
        TcpEndpoints.setPartialStatus(s, b, orig, syn, ackFlag);

        final int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        final long onePast = (baseSeq + segLen) & 0xFFFF_FFFFL;
        TcpSequence.initEndpoint(s, b, orig, syn, baseSeq, onePast);

        final long relSeq = TcpSequence.relative(s, b, orig, baseSeq, TcpSequence.last(s, b, orig),
            TcpSequence.lastWraps(s, b, orig));
        final boolean seqUnderflow = relSeq < 0 && TcpSequence.lastWraps(s, b, orig) == 0;

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
            if (TcpEndpoints.state(s, b, !orig) == EndpointState.INACTIVE)
            {
                relAck = 1;
                // init_peer: number the peer's sequence space as if its SYN had been seen.
                final long a = (ackSeq - 1) & 0xFFFF_FFFFL;
                TcpSequence.initSeqs(s, b, !orig, a, a, a);
            }
            else
            {
                relAck = TcpSequence.relative(s, b, !orig, ackSeq, TcpSequence.ack(s, b, !orig),
                    TcpSequence.ackWraps(s, b, !orig));
                if (relAck < 0 && TcpSequence.ackWraps(s, b, !orig) == 0)
                {
                    relAck = 0;
                }
                else if (!rst)
                {
                    final int d = TcpSequence.delta(ackSeq, TcpSequence.ack(s, b, !orig));
                    if (!(ackSeq == 0 && d > TcpSequence.TOO_LARGE_SEQ_DELTA) && d > 0)
                    {
                        TcpSequence.updateAck(s, b, !orig, ackSeq);
                    }
                }
            }
        }
        final int deltaLast = TcpSequence.updateLastSeq(s, b, orig, onePast, syn, fin, rst, len);
        handshakeTimes(s, b, orig, p, syn, ackFlag);

        final int doClose = TcpEndpoints.stateMachine(s, b, orig, syn, fin, rst, ackFlag, len, baseSeq, deltaLast,
            p.timestampNanos, config);
        final boolean flipped = (doClose & TcpEndpoints.FLIPPED) != 0;
        if (flipped)
        {
            orig = !orig;
        }
        if (ackFlag)
        {
            TcpContentGaps.ackReceived(s, b, !orig, relAck, pending, flow);
        }
        if (len > 0 && p.capturedPayload >= len && !rst && !seqUnderflow)
        {
            // DataSent: only fully captured data reaches the reassembler.
            TcpContentGaps.delivered(s, b, orig, syn ? relSeq + 1 : relSeq, len, pending, flow);
        }
        if ((doClose & TcpEndpoints.CLOSE) != 0)
        {
            TcpEndpoints.connectionClosed(s, b, orig, config);
        }
        return flipped;
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
        if (scaled == 0 && !rst && TcpEndpoints.state(s, b, !orig) != EndpointState.CLOSED
            && TcpEndpoints.state(s, b, orig) != EndpointState.RESET)
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
}
