package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.PackedPackets;
import flowdemux.service.ServiceInspector;

/**
 * Puts decoded packets into connections as Zeek does: builds the canonical bidirectional key, ends connections
 * whose timers ran out (on capture time) or whose 5-tuple is reused, decides who the originator is, and updates
 * counters and connection state. One tracker owns one {@link FlowTable}; the per-packet path allocates nothing.
 */
public final class FlowTracker
{
    /**
     * The incremental sweep for connections whose timers have run out: a few slots for every new connection, so that
     * it keeps up with connections however few packets each has (a scan's single SYNs too), and some every
     * SWEEP_EVERY packets, for quiet tables. At 64 slots per 1024 packets alone it fell behind: on the 14.4M-packet /
     * 1M-connection generated capture the tables filled with ended connections up to --max-flows (295 evicted), and
     * peak RSS was 585 MB. A hand that examines k slots per new connection leaves about live * (1 + 1/(2k - 1)) slots
     * in use.
     */
    private static final int SWEEP_EVERY = 1024;
    private static final int SWEEP_FLOWS = 64;
    private static final int SWEEP_PER_NEW_FLOW = 2;
    /** Slots one {@link #advance} examines: a live capture's clock ticks ten times a second. */
    private static final int SWEEP_PER_ADVANCE = 1 << 16;

    private final FlowTable table;
    private final FlowSink sink;
    private final ConnectionConfig config;
    /** Service detection, or null when it is off. */
    private final ServiceInspector inspector;
    private long packetCounter;
    private int sweepHand;
    private long now = Long.MIN_VALUE;
    private long flowsCreated;
    /** Told of each new connection, or null (a read). */
    private ConnectionStarts starts;
    /** The view of the connection a packet belongs to; the sweep has its own, as it may run in between. */
    private final FlowSlot slot = new FlowSlot();
    private final FlowSlot swept = new FlowSlot();

    public FlowTracker(final int maxFlows, final FlowSink sink, final ConnectionConfig config)
    {
        this.table = new FlowTable(maxFlows, sink);
        this.table.uidSeed = config.uidSeed;
        this.table.communityIdSeed = config.communityIdSeed;
        this.sink = sink;
        this.config = config;
        this.inspector = config.serviceBytes > 0 ? table.services : null;
        if (inspector != null)
        {
            inspector.bound(config.serviceBytes);
        }
    }

    public FlowTracker(final int maxFlows, final FlowSink sink)
    {
        this(maxFlows, sink, new ConnectionConfig());
    }

    /** Sets the seed of the uids of the connections not yet ended (before the first packet, in practice). */
    public void seedUids(final long seed)
    {
        table.uidSeed = seed;
    }

    public FlowTable table()
    {
        return table;
    }

    /**
     * Accounts a decoded, whole (reassembled) datagram to its connection. Returns the number of captured frames now
     * in connections ({@code p.frames}).
     */
    public int onPacket(final DecodedPacket p)
    {
        FlowKeys.key(p);
        return onKeyedPacket(p);
    }

    /** The connection the last packet tracked went to, as it stands; valid until the next packet. */
    public FlowSlot lastConnection()
    {
        return slot;
    }

    /** Whether batches pay for their lookahead: the table has outgrown the caches. */
    public boolean lookaheadPays()
    {
        return table.lookaheadPays();
    }

    /** Folded words of the batch lookahead, kept so that the JIT cannot drop its loads. */
    private long touched;

    /** Index words of the batch being looked ahead (grown once to the batch size). */
    private long[] lookahead = new long[256];

    /** The packet of a packed batch being tracked: a worker's own, so it stays in its cache. */
    private final DecodedPacket unpacked = new DecodedPacket();

    /**
     * Tracks the first {@code count} keyed packets of a packed batch ({@link PackedPackets}; {@code arena} holds
     * their service-detection bytes). With a large table, first in two passes: every packet's index slot, then every
     * matching record (FlowTable.touch: independent loads whose cache misses overlap), so that the tracking itself
     * finds what it reads in the cache. Returns the frames now in connections.
     */
    public long onKeyedBatch(final long[] packets, final int count, final byte[] arena)
    {
        return onKeyedBatch(packets, count, arena, null, null);
    }

    /**
     * {@link #onKeyedBatch(long[], int, byte[])}, telling in {@code serials} and {@code flows} (when not null) the
     * serial and the table slot of each packet's connection as it stood after the packet.
     */
    public long onKeyedBatch(final long[] packets, final int count, final byte[] arena, final long[] serials,
        final int[] flows)
    {
        if (table.lookaheadPays())
        {
            // Two passes: the index slots of the whole batch, then the records they name, so that the misses of each
            // pass overlap instead of waiting one after another (docs/performance.md, "Behind the code's choices").
            if (lookahead.length < count)
            {
                lookahead = new long[count];
            }
            for (int i = 0; i < count; i++)
            {
                lookahead[i] = table.touchIndex(PackedPackets.keyHash(packets, i));
            }
            long seen = 0;
            for (int i = 0; i < count; i++)
            {
                seen ^= table.touchRecord(PackedPackets.keyHash(packets, i), lookahead[i]);
            }
            touched ^= seen;
        }
        final DecodedPacket p = unpacked;
        long frames = 0;
        for (int i = 0; i < count; i++)
        {
            PackedPackets.unpack(packets, i, arena, p);
            frames += onKeyedPacket(p);
            if (serials != null)
            {
                serials[i] = slot.serial();
                flows[i] = slot.flow();
            }
        }
        return frames;
    }

    /** {@link #onPacket} for a packet whose key the reader has set already ({@link FlowKeys#key}). */
    public int onKeyedPacket(final DecodedPacket p)
    {
        // Timers run on the reader's capture time, which never goes backwards (a packet from the past does not
        // rewind them, as in Zeek); every worker sees the same clock, so results do not depend on the worker count.
        now = Math.max(now, Math.max(p.captureNow, p.timestampNanos));
        final int frames = p.frames;
        if ((++packetCounter & (SWEEP_EVERY - 1)) == 0)
        {
            sweep(SWEEP_FLOWS);
        }

        final int protocol = p.protocol;
        final boolean srcIsA = p.keySrcIsA;
        final long portsProto = p.keyPortsProto;

        int flow = table.find(p.keyAHi, p.keyALo, p.keyBHi, p.keyBLo, portsProto, p.keyHash);
        final FlowSlot f = slot;
        if (flow >= 0)
        {
            f.wrap(table, flow);
            if (Expiry.removalTime(f, config) <= now)
            {
                end(flow, EndReason.TIMEOUT);
                flow = -1;
            }
            else
            {
                Expiry.settle(f, now, config);
                if (protocol == DecodedPacket.PROTO_TCP && isReuse(f, p))
                {
                    end(flow, EndReason.REUSE);
                    flow = -1;
                }
            }
        }
        if (flow < 0)
        {
            // Before the insert: the sweep must not meet the new slot before start() fills it.
            sweep(SWEEP_PER_NEW_FLOW);
            flow = table.insert(p.keyAHi, p.keyALo, p.keyBHi, p.keyBLo, portsProto, p.keyHash);
            flowsCreated++;
            final int portA = FlowKeys.portA(portsProto);
            final int portB = FlowKeys.portB(portsProto);
            start(f.wrap(table, flow), srcIsA, p, srcIsA ? portA : portB, srcIsA ? portB : portA);
            if (starts != null)
            {
                starts.started(p.packetIndex, protocol, p.keyAHi, p.keyALo, portA, p.keyBHi, p.keyBLo, portB,
                    p.timestampNanos);
            }
        }
        boolean orig = srcIsA == f.origIsA();
        final int tunnel = p.tunnelInstance;
        if (tunnel != 0 && !FlowTable.tunnelParentKnown(f.flags(), tunnel))
        {
            table.tunnelParent(f, flow, tunnel);
        }
        if (p.carries != 0 && protocol == DecodedPacket.PROTO_UDP)
        {
            tunnelService(f, p.carries);
        }

        if (p.checksumBad)
        {
            // Zeek drops the packet after noting it: C/c in the history (TCP, UDP), nothing counted.
            if (protocol == DecodedPacket.PROTO_TCP || protocol == DecodedPacket.PROTO_UDP)
            {
                History.scaled(f, History.C, orig);
            }
            return frames;
        }
        // The sender's last sequence number before this packet (TCP): where a new turn of its starts.
        long sentBefore = 0;
        if (protocol == DecodedPacket.PROTO_TCP)
        {
            if (History.isExactly(f, History.H, true) && (p.tcpFlags & (DecodedPacket.SYN | DecodedPacket.FIN
                | DecodedPacket.RST)) == 0 && (p.payloadLength > 0 || (p.tcpFlags & DecodedPacket.ACK) != 0))
            {
                // It began with a SYN-ACK and now goes on: the SYN-ACK's sender was the responder.
                TcpRoleFlip.flipRoles(f, true);
                orig = !orig;
            }
            if (inspector != null && (f.flags() & FlowFlags.SERVICE_DONE) == 0)
            {
                sentBefore = (f.flags() & FlowFlags.seqKnown(orig)) != 0 ? f.lastSeqWord(orig) & 0xFFFF_FFFFL
                    : p.seq; // its first packet: the sequence space starts there
            }
            if (TcpTracking.process(f, orig, p, config, table.pending))
            {
                orig = !orig;
            }
        }
        else
        {
            f.advanceLastTs(p.timestampNanos);
            if (protocol == DecodedPacket.PROTO_UDP)
            {
                // Zeek: D on the originator's first packet, d on the responder's, whatever the payload.
                History.checkOnce(f, History.D, orig);
            }
        }
        if (inspector != null && (f.flags() & FlowFlags.SERVICE_DONE) == 0)
        {
            inspect(f, srcIsA, orig, p, sentBefore);
        }
        f.setFlags(FlowFlags.active(orig));
        f.count(orig, p.ipTotalLength, p.payloadLength);
        if (config.activeTimeout > 0)
        {
            final long since = Math.max(f.firstTs(), f.interimAt());
            if (now - since >= config.activeTimeout)
            {
                // An interim record of a long connection: same uid, counts so far; the connection goes on.
                f.interimAt(now);
                sink.flowEnded(table, flow, EndReason.ACTIVE);
            }
        }
        return frames;
    }

    /**
     * The outer connection of a tunnel over UDP is named by its tunnel, as Zeek's tunnel analyzers confirm it, and
     * its payload (the packets inside) is not looked into.
     */
    private static void tunnelService(final FlowSlot f, final int tunnel)
    {
        final int id = serviceOf(tunnel);
        if (id >= 0)
        {
            f.serviceState(ServiceInspector.withService(f.serviceState(), id));
            f.setFlags(FlowFlags.SERVICE_DONE);
        }
    }

    private static int serviceOf(final int tunnel)
    {
        switch (tunnel)
        {
            case flowdemux.decode.Tunnel.VXLAN:
                return flowdemux.service.ServiceId.VXLAN;
            case flowdemux.decode.Tunnel.GENEVE:
                return flowdemux.service.ServiceId.GENEVE;
            case flowdemux.decode.Tunnel.GTPV1:
                return flowdemux.service.ServiceId.GTPV1;
            case flowdemux.decode.Tunnel.TEREDO:
                return flowdemux.service.ServiceId.TEREDO;
            case flowdemux.decode.Tunnel.AYIYA:
                return flowdemux.service.ServiceId.AYIYA;
            default:
                return -1;
        }
    }

    /** Tells {@code listener} of every new connection (live process attribution), or no one when null. */
    public void connectionStarts(final ConnectionStarts listener)
    {
        this.starts = listener;
    }

    /** The registry the reader numbers its tunnels in, for the connections inside them to name theirs. */
    public void tunnels(final TunnelRegistry registry)
    {
        table.tunnels(registry);
    }

    /** Service detection on a connection still undecided: SYNs open it, payload feeds it. */
    private void inspect(final FlowSlot f, final boolean fromA, final boolean orig, final DecodedPacket p,
        final long sentBefore)
    {
        final boolean tcp = p.protocol == DecodedPacket.PROTO_TCP;
        if (tcp && (p.tcpFlags & DecodedPacket.SYN) != 0)
        {
            f.serviceState(ServiceInspector.synSeen(f.serviceState()));
        }
        if (p.inspectLength > 0 && (tcp || p.protocol == DecodedPacket.PROTO_UDP)
            && f.inspect(inspector, fromA, orig, tcp, p.seq, sentBefore, p.inspectBytes, p.inspectOffset,
                p.inspectLength, p.payloadLength))
        {
            f.setFlags(FlowFlags.SERVICE_DONE);
        }
        if ((ServiceInspector.services(f.serviceState()) & LONG_INACTIVITY_SERVICES) != 0)
        {
            f.setFlags(FlowFlags.LONG_INACTIVITY);
        }
    }

    /** Zeek's analyzer_inactivity_timeouts: its SSH and FTP analyzers, once confirmed, keep a connection an hour. */
    private static final int LONG_INACTIVITY_SERVICES = flowdemux.service.ServiceId.bit(flowdemux.service.ServiceId.SSH)
        | flowdemux.service.ServiceId.bit(flowdemux.service.ServiceId.FTP);

    /** A new connection: its first packet's sender is the originator unless Zeek's heuristics say otherwise. */
    private void start(final FlowSlot f, final boolean srcIsA, final DecodedPacket p, final int srcPort,
        final int dstPort)
    {
        f.firstTs(p.timestampNanos);
        f.advanceLastTs(p.timestampNanos);
        f.serial(p.packetIndex);
        f.meta((long)(p.vlanId + 1) << FlowFlags.VLAN_SHIFT);
        final boolean flip = flipsOriginator(p, srcPort, dstPort);
        final boolean origIsA = srcIsA != flip;
        f.flags((origIsA ? FlowFlags.ORIG_IS_A : 0) | (flip ? FlowFlags.FLIPPED : 0));
        if (flip)
        {
            History.append(f, History.CARET, true);
        }
        if (p.expectedService > 0)
        {
            // A data connection an FTP control connection announced: Zeek names it so and looks no further.
            f.serviceState(ServiceInspector.withService(0, p.expectedService - 1));
            f.setFlags(FlowFlags.SERVICE_DONE);
        }
    }

    /** Zeek's WantConnection (TCP, UDP): flip when the first packet looks like it came from the server. */
    private boolean flipsOriginator(final DecodedPacket p, final int srcPort, final int dstPort)
    {
        if (p.protocol == DecodedPacket.PROTO_TCP)
        {
            final int f = p.tcpFlags;
            if ((f & DecodedPacket.SYN) != 0 && (f & DecodedPacket.ACK) == 0)
            {
                return false;
            }
            if (config.likelyServerPorts.isTcp(srcPort))
            {
                if (config.likelyServerPorts.isTcp(dstPort))
                {
                    // Both plausible: flip only if this is not a SYN-ACK and the source is the lower port.
                    return (f & DecodedPacket.SYN) == 0 && srcPort < dstPort;
                }
                return true;
            }
            return false;
        }
        if (p.protocol == DecodedPacket.PROTO_UDP)
        {
            // A datagram to a broadcast or multicast address is never a server's reply.
            return config.likelyServerPorts.isUdp(srcPort) && !config.likelyServerPorts.isUdp(dstPort)
                && !isBroadcastOrMulticast(p.dstHi, p.dstLo);
        }
        return false;
    }

    static boolean isBroadcastOrMulticast(final long hi, final long lo)
    {
        if (hi == 0 && (lo & 0xFFFF_FFFF_0000_0000L) == DecodedPacket.IPV4_MAPPED_PREFIX)
        {
            final long v4 = lo & 0xFFFF_FFFFL;
            return v4 == 0xFFFF_FFFFL || (v4 >>> 28) == 0xE;
        }
        return (hi >>> 56) == 0xFF;
    }

    /** TCPSessionAdapter::IsReuse: a SYN that starts a new connection on a 5-tuple still in the table. */
    private static boolean isReuse(final FlowSlot slot, final DecodedPacket p)
    {
        final int f = p.tcpFlags;
        if ((f & DecodedPacket.SYN) == 0)
        {
            return false;
        }
        final long flags = slot.flags();
        boolean connOrig = true;
        if ((f & DecodedPacket.ACK) != 0)
        {
            if (FlowFlags.state(flags, true) != EndpointState.INACTIVE)
            {
                return false;
            }
            connOrig = false;
        }
        final boolean closed = (flags & (FlowFlags.DID_CLOSE_ORIG | FlowFlags.DID_CLOSE_RESP)) != 0;
        if (!closed)
        {
            final long start = (flags & FlowFlags.seqKnown(connOrig)) != 0 ? slot.startSeq(connOrig) : 0;
            if (p.seq == start)
            {
                return false;
            }
            final long respStart = (flags & FlowFlags.SEQ_KNOWN_RESP) != 0 ? slot.startSeq(false) : 0;
            if ((f & DecodedPacket.ACK) == 0 && FlowFlags.state(flags, true) == EndpointState.SYN_ACK_SENT
                && FlowFlags.state(flags, false) == EndpointState.INACTIVE && p.seq == respStart)
            {
                return false; // SYN/SYN-ACK reversal, handled by the state machine
            }
        }
        return true;
    }

    private void end(final int flow, final EndReason reason)
    {
        table.end(flow, reason);
    }

    /**
     * Moves the capture clock on to {@code captureNanos} (never back) with no packet, and ends what a sweep of part
     * of the table finds timed out: a live capture's clock on a quiet link.
     */
    public void advance(final long captureNanos)
    {
        now = Math.max(now, captureNanos);
        sweep(SWEEP_PER_ADVANCE);
    }

    /** Ends a few connections whose timers have run out, so memory follows the live connections. */
    private void sweep(final int slots)
    {
        final int high = table.highWater();
        if (high == 0)
        {
            return;
        }
        for (int i = 0; i < slots; i++)
        {
            if (sweepHand >= high)
            {
                sweepHand = 0;
            }
            final int flow = sweepHand++;
            if (table.isLive(flow) && Expiry.removalTime(swept.wrap(table, flow), config) <= now)
            {
                end(flow, EndReason.TIMEOUT);
            }
        }
    }

    /**
     * Ends every open connection at the end of the input: those whose timers had run out by {@code finalNow} (the
     * last capture time) as timed out, the others as open at the end, whether or not a sweep had got to them.
     */
    public void flushAll(final long finalNow)
    {
        final long at = Math.max(now, finalNow);
        table.forEach(flow -> end(flow, Expiry.removalTime(swept.wrap(table, flow), config) <= at
            ? EndReason.TIMEOUT : EndReason.END_OF_INPUT));
        table.release();
        sink.allEnded();
    }

    /** Hands every open connection to {@code sink} as it stands, without ending it (rolling live reports). */
    public void snapshot(final FlowSink snapshotSink)
    {
        table.forEach(flow -> snapshotSink.flowEnded(table, flow, EndReason.ACTIVE));
    }

    public long flowsCreated()
    {
        return flowsCreated;
    }

    public ConnectionConfig config()
    {
        return config;
    }
}
