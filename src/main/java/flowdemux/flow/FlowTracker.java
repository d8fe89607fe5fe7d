package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.ports.LikelyServerPorts;

/**
 * Puts decoded packets into flows: builds the canonical bidirectional key, finds or creates the flow, decides
 * who the originator is, and updates counters and connection state. One tracker owns one {@link FlowTable}; the
 * per-packet path allocates nothing.
 */
public final class FlowTracker
{
    private final FlowTable table;
    private final FragmentPorts fragments = new FragmentPorts();
    private long packetsInFlows;
    private long flowsCreated;

    public FlowTracker(final int maxFlows, final FlowSink sink)
    {
        this.table = new FlowTable(maxFlows, sink);
    }

    public FlowTable table()
    {
        return table;
    }

    /** Accounts a decoded packet to its flow; returns why not when it cannot be. */
    public DropReason onPacket(final DecodedPacket p)
    {
        final int protocol = p.protocol;
        final boolean icmp = protocol == DecodedPacket.PROTO_ICMP || protocol == DecodedPacket.PROTO_ICMPV6;
        if (p.laterFragment)
        {
            if (!fragments.recall(p))
            {
                return DropReason.FRAGMENT_WITHOUT_FIRST;
            }
        }
        else if (p.moreFragments)
        {
            fragments.remember(p);
        }

        int srcPort = p.srcPort;
        int dstPort = p.dstPort;
        if (icmp)
        {
            final int counterpart = IcmpKeys.counterpart(protocol == DecodedPacket.PROTO_ICMPV6, p.icmpType);
            srcPort = p.icmpType;
            dstPort = counterpart >= 0 ? counterpart : p.icmpCode;
        }

        final boolean srcIsA = compare(p.srcHi, p.srcLo, srcPort, p.dstHi, p.dstLo, dstPort) <= 0;
        final long aHi = srcIsA ? p.srcHi : p.dstHi;
        final long aLo = srcIsA ? p.srcLo : p.dstLo;
        final long bHi = srcIsA ? p.dstHi : p.srcHi;
        final long bLo = srcIsA ? p.dstLo : p.srcLo;
        final long portsProto = FlowLayout.portsProto(srcIsA ? srcPort : dstPort, srcIsA ? dstPort : srcPort, protocol);
        final long hash = FlowTable.hash(aHi, aLo, bHi, bLo, portsProto);

        int flow = table.find(aHi, aLo, bHi, bLo, portsProto, hash);
        final boolean created = flow < 0;
        if (created)
        {
            flow = table.insert(aHi, aLo, bHi, bLo, portsProto, hash);
            flowsCreated++;
        }
        final long[] s = table.page(flow);
        final int b = FlowTable.base(flow);
        if (created)
        {
            s[b + FlowLayout.FIRST_TS] = p.timestampNanos;
            s[b + FlowLayout.SERIAL] = p.packetIndex;
            s[b + FlowLayout.META] = (long)(p.vlanId + 1) << 8;
            final boolean flip = flipsOriginator(p, srcPort, dstPort);
            // The originator is the first packet's sender unless Zeek's server-port heuristic says otherwise.
            final boolean origIsA = srcIsA != flip;
            s[b + FlowLayout.FLAGS] = (origIsA ? FlowFlags.ORIG_IS_A : 0) | (flip ? FlowFlags.FLIPPED : 0);
            if (flip)
            {
                History.append(s, b, History.CARET, true);
            }
        }
        final boolean orig = srcIsA == ((s[b + FlowLayout.FLAGS] & FlowFlags.ORIG_IS_A) != 0);
        s[b + FlowLayout.LAST_TS] = Math.max(s[b + FlowLayout.LAST_TS], p.timestampNanos);
        s[b + (orig ? FlowLayout.PKTS_ORIG : FlowLayout.PKTS_RESP)]++;
        s[b + (orig ? FlowLayout.IP_BYTES_ORIG : FlowLayout.IP_BYTES_RESP)] += p.ipTotalLength;
        s[b + (orig ? FlowLayout.PAYLOAD_ORIG : FlowLayout.PAYLOAD_RESP)] += p.payloadLength;

        if (protocol == DecodedPacket.PROTO_TCP && !p.laterFragment)
        {
            TcpTracking.update(s, b, orig, p);
        }
        else if (protocol == DecodedPacket.PROTO_UDP)
        {
            // Zeek: D on the originator's first packet, d on the responder's, whatever the payload.
            History.appendOnce(s, b, History.D, orig);
            final long flags = s[b + FlowLayout.FLAGS];
            s[b + FlowLayout.FLAGS] = FlowFlags.withState(flags, orig, EndpointState.ESTABLISHED);
        }
        packetsInFlows++;
        return DropReason.NONE;
    }

    /** Zeek's originator rule for a new connection (ZEEK-CONN.md section 7, rule 2). */
    private static boolean flipsOriginator(final DecodedPacket p, final int srcPort, final int dstPort)
    {
        if (p.protocol == DecodedPacket.PROTO_TCP)
        {
            final boolean bareSyn = (p.tcpFlags & (DecodedPacket.SYN | DecodedPacket.ACK)) == DecodedPacket.SYN;
            if (bareSyn || p.laterFragment)
            {
                return false;
            }
            final boolean srcLikely = LikelyServerPorts.isTcp(srcPort);
            final boolean dstLikely = LikelyServerPorts.isTcp(dstPort);
            if (srcLikely && dstLikely)
            {
                return (p.tcpFlags & DecodedPacket.SYN) == 0 && srcPort < dstPort;
            }
            return srcLikely;
        }
        if (p.protocol == DecodedPacket.PROTO_UDP)
        {
            return LikelyServerPorts.isUdp(srcPort) && !LikelyServerPorts.isUdp(dstPort);
        }
        return false;
    }

    /** Orders (address, port) pairs: the lower one is endpoint A of the canonical key. */
    private static int compare(final long hiA, final long loA, final int portA, final long hiB, final long loB,
        final int portB)
    {
        if (hiA != hiB)
        {
            return Long.compareUnsigned(hiA, hiB);
        }
        if (loA != loB)
        {
            return Long.compareUnsigned(loA, loB);
        }
        return Integer.compare(portA, portB);
    }

    /** Hands every open flow to the sink and empties the table. */
    public void flushAll(final FlowSink sink, final EndReason reason)
    {
        table.forEach(flow ->
        {
            sink.flowEnded(table, flow, reason);
            table.remove(flow);
        });
    }

    public long packetsInFlows()
    {
        return packetsInFlows;
    }

    public long flowsCreated()
    {
        return flowsCreated;
    }
}
