package flowdemux.flow;

/**
 * The endpoint state machine of Zeek's TCP analyzer (TCPSessionAdapter::UpdateStateMachine, TCP_Endpoint::SetState):
 * each side's state in the flow's FLAGS, partial connections, closes and resets, and the timers a close arms.
 */
final class TcpEndpoints
{
    private TcpEndpoints()
    {
    }

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

    static boolean handshake(final int state)
    {
        return state == EndpointState.INACTIVE || state == EndpointState.SYN_SENT || state == EndpointState.SYN_ACK_SENT;
    }

    static void setPartialStatus(final long[] s, final int b, final boolean orig, final boolean syn,
        final boolean ack)
    {
        final long f = s[b + FlowLayout.FLAGS];
        final long seenBit = orig ? FlowFlags.FIRST_SEEN_ORIG : FlowFlags.FIRST_SEEN_RESP;
        if ((f & seenBit) != 0)
        {
            return;
        }
        if (orig)
        {
            s[b + FlowLayout.FLAGS] = (!syn || ack) ? f | FlowFlags.PARTIAL | seenBit
                : (f & ~FlowFlags.PARTIAL) | seenBit;
        }
        else
        {
            s[b + FlowLayout.FLAGS] = ((f & FlowFlags.PARTIAL) == 0 && !syn) ? f | FlowFlags.PARTIAL | seenBit
                : f | seenBit;
        }
    }

    static final int CLOSE = 1;

    static final int FLIPPED = 2;

    /** UpdateStateMachine; returns CLOSE when ConnectionClosed is due, FLIPPED when the roles swapped. */
    static int stateMachine(final long[] s, final int b, final boolean origIn, final boolean syn,
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
                        if (!ack && state(s, b, true) == EndpointState.SYN_ACK_SENT
                            && baseSeq == TcpSequence.start(s, b, false))
                        {
                            // SYN/SYN-ACK reversal (capture reordering): flip the roles and establish.
                            TcpRoleFlip.flipRoles(s, b, false);
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
                        s[b + FlowLayout.FLAGS] &= ~FlowFlags.PARTIAL;
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
    static int closeBy(final long[] s, final int b, final boolean orig, final boolean fin, final boolean rst)
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

    /** ConnectionClosed: arms Zeek's connection-delete or expire timer. */
    static void connectionClosed(final long[] s, final int b, final boolean orig, final ConnectionConfig config)
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
}
