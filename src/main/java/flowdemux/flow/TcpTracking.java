package flowdemux.flow;

import flowdemux.decode.DecodedPacket;

/**
 * Per-packet TCP bookkeeping of a flow: Zeek's endpoint state machine (ZEEK-CONN.md section 3), history letters
 * (section 5), sequence-space sizes, handshake times, retransmissions and the options each side offered.
 * Stateless: everything lives in the flow's slot.
 */
final class TcpTracking
{
    private static final long KNOWN = 1L << 32;
    /** Per endpoint: its state before it went to RESET was CLOSED ("FIN then RST" is a normal close). */
    private static final long CLOSED_BEFORE_RESET_ORIG = 1L << 12;
    private static final long CLOSED_BEFORE_RESET_RESP = 1L << 13;

    private TcpTracking()
    {
    }

    static void update(final long[] s, final int b, final boolean orig, final DecodedPacket p)
    {
        final int flags = p.tcpFlags;
        final boolean syn = (flags & DecodedPacket.SYN) != 0;
        final boolean fin = (flags & DecodedPacket.FIN) != 0;
        final boolean rst = (flags & DecodedPacket.RST) != 0;
        final boolean ack = (flags & DecodedPacket.ACK) != 0;
        final int len = p.payloadLength;

        long f = s[b + FlowLayout.FLAGS];
        f |= (long)flags << (orig ? FlowFlags.TCP_FLAGS_ORIG_SHIFT : FlowFlags.TCP_FLAGS_RESP_SHIFT);
        s[b + FlowLayout.FLAGS] = f;

        recordHistory(s, b, orig, syn, fin, rst, ack, len);
        sequence(s, b, orig, p, syn, fin, ack, len);
        handshakeTimes(s, b, orig, p, syn, ack);
        options(s, b, orig, p, syn);
        stateMachine(s, b, orig, syn, fin, rst, ack, len);
    }

    private static void recordHistory(final long[] s, final int b, final boolean orig, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final int len)
    {
        final int n = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (n > 1)
        {
            History.appendOnce(s, b, fin && rst && !syn ? History.I : History.Q, orig);
        }
        else if (syn)
        {
            // S and H share one "seen" bit per direction; a SYN retransmitted with the same ISN adds nothing.
            final long seenBit = 1L << ((orig ? FlowFlags.SEEN_ORIG_SHIFT : FlowFlags.SEEN_RESP_SHIFT) + History.S);
            final long f = s[b + FlowLayout.FLAGS];
            if ((f & seenBit) == 0)
            {
                s[b + FlowLayout.FLAGS] = f | seenBit;
                History.append(s, b, ack ? History.H : History.S, orig);
            }
        }
        else if (fin)
        {
            History.appendOnce(s, b, History.F, orig);
        }
        else if (rst)
        {
            History.appendOnce(s, b, History.R, orig);
        }
        else if (len > 0)
        {
            History.appendOnce(s, b, History.D, orig);
        }
        else if (ack)
        {
            History.appendOnce(s, b, History.A, orig);
        }
    }

    private static void sequence(final long[] s, final int b, final boolean orig, final DecodedPacket p,
        final boolean syn, final boolean fin, final boolean ack, final int len)
    {
        final int isnField = orig ? FlowLayout.ISN_ORIG : FlowLayout.ISN_RESP;
        final int endField = orig ? FlowLayout.SEQ_END_ORIG : FlowLayout.SEQ_END_RESP;
        long isn = s[b + isnField];
        if ((isn & KNOWN) == 0)
        {
            isn = KNOWN | p.seq;
            s[b + isnField] = isn;
        }
        final long lastEnd = s[b + endField];
        final long end32 = p.seq + len + (syn ? 1 : 0) + (fin ? 1 : 0);
        // Unwrap the 32-bit sequence space against the highest end seen so far.
        final int delta = (int)(end32 - ((isn + lastEnd) & 0xFFFF_FFFFL));
        final long end = lastEnd + delta;
        if (len > 0 && end <= lastEnd && (s[b + FlowLayout.PKTS_ORIG] + s[b + FlowLayout.PKTS_RESP]) > 1)
        {
            s[b + FlowLayout.RETRANSMITS] += orig ? 1 : 1L << 32;
        }
        if (end > lastEnd)
        {
            s[b + endField] = end;
        }
        if (ack)
        {
            final int peerIsn = orig ? FlowLayout.ISN_RESP : FlowLayout.ISN_ORIG;
            final long peer = s[b + peerIsn];
            if ((peer & KNOWN) != 0)
            {
                final int ackedField = orig ? FlowLayout.ACKED_RESP : FlowLayout.ACKED_ORIG;
                final int peerEnd = orig ? FlowLayout.SEQ_END_RESP : FlowLayout.SEQ_END_ORIG;
                final long base = s[b + peerEnd];
                final int ackDelta = (int)(p.ack - ((peer + base) & 0xFFFF_FFFFL));
                final long acked = base + ackDelta;
                if (acked > s[b + ackedField] && ackDelta < (1 << 30))
                {
                    s[b + ackedField] = acked;
                }
            }
        }
    }

    private static void handshakeTimes(final long[] s, final int b, final boolean orig, final DecodedPacket p,
        final boolean syn, final boolean ack)
    {
        if (syn && !ack && orig && s[b + FlowLayout.SYN_TS] == 0)
        {
            s[b + FlowLayout.SYN_TS] = p.timestampNanos;
        }
        else if (syn && ack && !orig && s[b + FlowLayout.SYN_ACK_TS] == 0 && s[b + FlowLayout.SYN_TS] != 0)
        {
            s[b + FlowLayout.SYN_ACK_TS] = p.timestampNanos;
        }
        else if (!syn && ack && orig && s[b + FlowLayout.ACK_TS] == 0 && s[b + FlowLayout.SYN_ACK_TS] != 0)
        {
            s[b + FlowLayout.ACK_TS] = p.timestampNanos;
        }
    }

    private static void options(final long[] s, final int b, final boolean orig, final DecodedPacket p,
        final boolean syn)
    {
        if (!syn)
        {
            return;
        }
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

    /** Zeek's UpdateStateMachine, by the sending endpoint's current state. */
    private static void stateMachine(final long[] s, final int b, final boolean orig, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final int len)
    {
        long f = s[b + FlowLayout.FLAGS];
        final int mine = FlowFlags.state(f, orig);
        final int peer = FlowFlags.state(f, !orig);
        int next = mine;
        int nextPeer = peer;
        switch (mine)
        {
            case EndpointState.INACTIVE:
                if (syn)
                {
                    if (orig)
                    {
                        next = ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT;
                    }
                    else
                    {
                        next = EndpointState.ESTABLISHED;
                        if (peer == EndpointState.SYN_SENT || peer == EndpointState.SYN_ACK_SENT)
                        {
                            nextPeer = EndpointState.ESTABLISHED;
                        }
                    }
                }
                else if (fin)
                {
                    next = EndpointState.CLOSED;
                }
                else if (rst)
                {
                    next = EndpointState.RESET;
                }
                else if (!orig && peer == EndpointState.SYN_SENT && len == 0 && ack)
                {
                    next = EndpointState.INACTIVE;
                }
                else if (peer == EndpointState.ESTABLISHED)
                {
                    next = EndpointState.ESTABLISHED;
                }
                else
                {
                    next = EndpointState.PARTIAL;
                }
                break;
            case EndpointState.SYN_SENT:
            case EndpointState.SYN_ACK_SENT:
                if (fin)
                {
                    next = EndpointState.CLOSED;
                }
                else if (rst)
                {
                    next = EndpointState.RESET;
                }
                break;
            case EndpointState.ESTABLISHED:
            case EndpointState.PARTIAL:
                if (syn && !rst && !fin && mine == EndpointState.PARTIAL && peer == EndpointState.INACTIVE)
                {
                    next = EndpointState.SYN_SENT;
                }
                else if (fin && !rst)
                {
                    next = EndpointState.CLOSED;
                    final long peerClosedBit = orig ? CLOSED_BEFORE_RESET_RESP : CLOSED_BEFORE_RESET_ORIG;
                    if (peer == EndpointState.RESET && (f & peerClosedBit) != 0)
                    {
                        nextPeer = EndpointState.CLOSED;
                    }
                }
                else if (rst)
                {
                    next = EndpointState.RESET;
                }
                break;
            case EndpointState.CLOSED:
                if (rst && peer != EndpointState.CLOSED)
                {
                    next = EndpointState.RESET;
                    f |= orig ? CLOSED_BEFORE_RESET_ORIG : CLOSED_BEFORE_RESET_RESP;
                }
                break;
            default:
                break;
        }
        f = FlowFlags.withState(f, orig, next);
        f = FlowFlags.withState(f, !orig, nextPeer);
        s[b + FlowLayout.FLAGS] = f;
    }
}
