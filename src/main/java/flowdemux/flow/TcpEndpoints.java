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

    static int state(final FlowSlot f, final boolean orig)
    {
        return FlowFlags.state(f.flags(), orig);
    }

    /** TCP_Endpoint::SetState, including the switch to the longer inactivity timeout. */
    static void setState(final FlowSlot f, final boolean orig, final int next)
    {
        long flags = f.flags();
        final int current = FlowFlags.state(flags, orig);
        if (next == current)
        {
            return;
        }
        if (!handshake(next) && handshake(current) && handshake(FlowFlags.state(flags, !orig)))
        {
            flags |= FlowFlags.PAST_HANDSHAKE;
        }
        final int stateShift = orig ? FlowFlags.STATE_ORIG_SHIFT : FlowFlags.STATE_RESP_SHIFT;
        final int prevShift = orig ? FlowFlags.PREV_STATE_ORIG_SHIFT : FlowFlags.PREV_STATE_RESP_SHIFT;
        flags = (flags & ~(0xFL << prevShift)) | ((long)current << prevShift);
        flags = (flags & ~(0xFL << stateShift)) | ((long)next << stateShift);
        f.flags(flags);
    }

    static boolean handshake(final int state)
    {
        return state == EndpointState.INACTIVE || state == EndpointState.SYN_SENT || state == EndpointState.SYN_ACK_SENT;
    }

    static void setPartialStatus(final FlowSlot f, final boolean orig, final boolean syn,
        final boolean ack)
    {
        final long flags = f.flags();
        final long seenBit = orig ? FlowFlags.FIRST_SEEN_ORIG : FlowFlags.FIRST_SEEN_RESP;
        if ((flags & seenBit) != 0)
        {
            return;
        }
        if (orig)
        {
            f.flags((!syn || ack) ? flags | FlowFlags.PARTIAL | seenBit : (flags & ~FlowFlags.PARTIAL) | seenBit);
        }
        else
        {
            f.flags(((flags & FlowFlags.PARTIAL) == 0 && !syn) ? flags | FlowFlags.PARTIAL | seenBit : flags | seenBit);
        }
    }

    static final int CLOSE = 1;

    static final int FLIPPED = 2;

    /** UpdateStateMachine; returns CLOSE when ConnectionClosed is due, FLIPPED when the roles swapped. */
    static int stateMachine(final FlowSlot f, final boolean origIn, final boolean syn,
        final boolean fin, final boolean rst, final boolean ack, final int len, final long baseSeq,
        final int deltaLast, final long now, final ConnectionConfig config)
    {
        boolean orig = origIn;
        int result = 0;
        final int mine = state(f, orig);
        switch (mine)
        {
            case EndpointState.INACTIVE:
            {
                if (syn)
                {
                    if (orig)
                    {
                        setState(f, orig, ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
                        if (config.tcpAttemptDelay > 0)
                        {
                            f.setFlags(FlowFlags.ATTEMPT_ARMED);
                            f.synTs(now);
                        }
                    }
                    else
                    {
                        if (!ack && state(f, true) == EndpointState.SYN_ACK_SENT
                            && baseSeq == TcpSequence.start(f, false))
                        {
                            // SYN/SYN-ACK reversal (capture reordering): flip the roles and establish.
                            TcpRoleFlip.flipRoles(f, false);
                            orig = true;
                            result |= FLIPPED;
                            setState(f, false, EndpointState.ESTABLISHED);
                        }
                        if (state(f, !orig) == EndpointState.SYN_SENT)
                        {
                            setState(f, !orig, EndpointState.ESTABLISHED);
                        }
                        setState(f, orig, EndpointState.ESTABLISHED);
                    }
                }
                result |= closeBy(f, orig, fin, rst);
                if (state(f, orig) == EndpointState.INACTIVE)
                {
                    if (!orig && len == 0 && state(f, true) == EndpointState.SYN_SENT)
                    {
                        // Some stacks ack an initial SYN before their SYN-ACK: not a partial connection.
                        break;
                    }
                    if (ack && state(f, !orig) == EndpointState.ESTABLISHED)
                    {
                        // SYN-ACK seen but not the SYN: establish rather than call it partial.
                        setState(f, orig, EndpointState.ESTABLISHED);
                        f.clearFlags(FlowFlags.PARTIAL);
                    }
                    else
                    {
                        setState(f, orig, EndpointState.PARTIAL);
                    }
                }
                break;
            }
            case EndpointState.SYN_SENT:
            case EndpointState.SYN_ACK_SENT:
                result |= closeBy(f, orig, fin, rst);
                break;
            case EndpointState.ESTABLISHED:
            case EndpointState.PARTIAL:
                if (syn && mine == EndpointState.PARTIAL && state(f, !orig) == EndpointState.INACTIVE && !ack)
                {
                    setState(f, orig, EndpointState.SYN_SENT);
                }
                if (fin && !rst)
                {
                    setState(f, orig, EndpointState.CLOSED);
                    final long flags = f.flags();
                    if (FlowFlags.state(flags, !orig) == EndpointState.RESET
                        && FlowFlags.prevState(flags, !orig) == EndpointState.CLOSED)
                    {
                        // The peer sent a FIN and then a RST: that was a normal close after all.
                        setState(f, !orig, EndpointState.CLOSED);
                    }
                    result |= CLOSE;
                }
                if (rst)
                {
                    setState(f, orig, EndpointState.RESET);
                    result |= CLOSE;
                }
                break;
            case EndpointState.CLOSED:
                if (rst && state(f, !orig) != EndpointState.CLOSED)
                {
                    setState(f, orig, EndpointState.RESET);
                    if ((f.flags() & FlowFlags.didClose(orig)) == 0)
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
    static int closeBy(final FlowSlot f, final boolean orig, final boolean fin, final boolean rst)
    {
        if (rst)
        {
            setState(f, orig, EndpointState.RESET);
            return CLOSE;
        }
        if (fin)
        {
            setState(f, orig, EndpointState.CLOSED);
            return CLOSE;
        }
        return 0;
    }

    /** ConnectionClosed: arms Zeek's connection-delete or expire timer. */
    static void connectionClosed(final FlowSlot f, final boolean orig, final ConnectionConfig config)
    {
        long flags = f.flags();
        if ((flags & FlowFlags.didClose(orig)) != 0)
        {
            return;
        }
        flags |= FlowFlags.didClose(orig);
        f.flags(flags);
        final boolean complete = FlowFlags.state(flags, orig) == EndpointState.RESET
            || (flags & FlowFlags.didClose(!orig)) != 0 || FlowFlags.state(flags, !orig) == EndpointState.INACTIVE;
        final long lastTime = f.lastTs();
        if (complete)
        {
            // CancelTimers, then the delete timer.
            f.flags(flags & ~FlowFlags.ATTEMPT_ARMED);
            f.expireFrom(0);
            f.deleteAt(lastTime + config.tcpCloseDelay);
        }
        else if (FlowFlags.prevState(flags, orig) != EndpointState.INACTIVE)
        {
            f.expireFrom(lastTime + config.tcpSessionTimer);
        }
    }
}
