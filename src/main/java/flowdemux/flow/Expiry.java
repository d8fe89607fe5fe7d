package flowdemux.flow;

/**
 * When Zeek would remove a connection, given no further packet for it: the earliest of its inactivity timeout,
 * the TCP attempt timer, the connection-delete timer armed by a complete close, and the expire timer that fires
 * every tcp_session_timer. All run on capture time. A connection's state cannot change without a packet of its
 * own, so deciding at its next packet (or at a sweep) gives the same answer as a timer would have.
 */
final class Expiry
{
    private Expiry()
    {
    }

    /** The capture time at which the connection goes, or {@link Long#MAX_VALUE}. */
    static long removalTime(final FlowSlot f, final ConnectionConfig c)
    {
        final long flags = f.flags();
        final int protocol = f.protocol();
        final long last = f.lastTs();
        if (protocol != 6)
        {
            final long timeout = protocol == 17 ? c.udpInactivity
                : protocol == 1 || protocol == 58 ? c.icmpInactivity : c.otherInactivity;
            final long t = saturatingAdd(last, timeout);
            if (protocol == 17 && c.dnsSessionTimeout > 0 && isDns(f))
            {
                // Zeek's DNS analyzer checks every dns_session_timeout from the first packet and removes the
                // connection once it has been quiet for that less a second.
                final long quietEnough = last + c.dnsSessionTimeout - 1_000_000_000L;
                return Math.min(t, firstTickAfter(f.firstTs() + c.dnsSessionTimeout, c.dnsSessionTimeout,
                    quietEnough - 1));
            }
            return t;
        }
        final int respPort = f.port(false);
        final long inactivity = c.hasLongInactivity(protocol, respPort) || (flags & FlowFlags.LONG_INACTIVITY) != 0
            ? c.longInactivity
            : (flags & FlowFlags.PAST_HANDSHAKE) != 0 ? c.tcpInactivity : c.udpInactivity;
        long t = saturatingAdd(last, inactivity);
        final long deleteAt = f.deleteAt();
        if (deleteAt != 0)
        {
            return Math.min(t, deleteAt);
        }
        final int os = FlowFlags.state(flags, true);
        final int rs = FlowFlags.state(flags, false);
        if ((flags & FlowFlags.ATTEMPT_ARMED) != 0 && attemptFires(os, rs))
        {
            t = Math.min(t, f.synTs() + c.tcpAttemptDelay);
        }
        if (expireFires(flags, os, rs))
        {
            final long threshold = last + c.tcpConnectionLinger;
            t = Math.min(t, firstTickAfter(f.firstTs() + c.tcpSynTimeout, c.tcpSessionTimer, threshold));
            final long extra = f.expireFrom();
            if (extra != 0)
            {
                t = Math.min(t, firstTickAfter(extra, c.tcpSessionTimer, threshold));
            }
        }
        return t;
    }

    /**
     * Whether Zeek's DNS analyzer would be on this UDP connection: its ports (53, 137, 5353 and 5355, as its DNS
     * script registers them), or DNS found in its payload (Zeek's signatures attach it elsewhere).
     */
    private static boolean isDns(final FlowSlot f)
    {
        final int port = f.port(false);
        return port == 53 || port == 137 || port == 5353 || port == 5355
            || (flowdemux.service.ServiceInspector.services(f.serviceState())
            & flowdemux.service.ServiceId.bit(flowdemux.service.ServiceId.DNS)) != 0;
    }

    /**
     * Applies the timers due by {@code now} that do not remove the connection: a spent attempt timer is disarmed
     * so that a later state cannot make it fire.
     */
    static void settle(final FlowSlot f, final long now, final ConnectionConfig c)
    {
        if ((f.flags() & FlowFlags.ATTEMPT_ARMED) != 0 && f.synTs() + c.tcpAttemptDelay <= now)
        {
            f.clearFlags(FlowFlags.ATTEMPT_ARMED);
        }
    }

    private static boolean attemptFires(final int os, final int rs)
    {
        return (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT) && rs == EndpointState.INACTIVE;
    }

    /** ExpireTimer's condition once the connection has been quiet for tcp_connection_linger. */
    private static boolean expireFires(final long flags, final int os, final int rs)
    {
        final boolean origClosed = (flags & FlowFlags.DID_CLOSE_ORIG) != 0;
        final boolean respClosed = (flags & FlowFlags.DID_CLOSE_RESP) != 0;
        if (origClosed || respClosed)
        {
            if ((origClosed && respClosed) || os == EndpointState.RESET || rs == EndpointState.RESET
                || os == EndpointState.INACTIVE || rs == EndpointState.INACTIVE)
            {
                return true;
            }
        }
        return os == EndpointState.INACTIVE && rs == EndpointState.INACTIVE;
    }

    /** The first tick of first, first + period, ... that is strictly after {@code after}. */
    private static long firstTickAfter(final long first, final long period, final long after)
    {
        if (first > after)
        {
            return first;
        }
        final long k = (after - first) / period + 1;
        return first + k * period;
    }

    private static long saturatingAdd(final long a, final long b)
    {
        final long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }
}
