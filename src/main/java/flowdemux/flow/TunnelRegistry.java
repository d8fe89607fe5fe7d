package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.Tunnel;
import flowdemux.util.Hashing;

/**
 * The tunnels a read has met, on the reader's thread: each gets an instance number that the packets inside it carry
 * to their connections ({@link DecodedPacket#tunnelInstance}), and a serial, the key of the uid Zeek gives it.
 * <ul>
 * <li>A tunnel over UDP is its outer connection: its serial is that connection's (the index of its first packet),
 * and it lives as that connection does, until a minute without packets (Zeek's udp_inactivity_timeout, on the
 * reader's clock, which is the flow stage's); tunnel.log says DISCOVER, then CLOSE when it goes or at the end.</li>
 * <li>A tunnel over IP (GRE, IP in IP) has no connection: Zeek keys it by its two addresses and type, gives it a uid
 * of its own that lasts {@code ip_tunnel_timeout} (a day), and logs EXPIRE after an hour without packets
 * ({@code Tunnel::expiration_interval}), DISCOVER again when it comes back.</li>
 * </ul>
 * Instances are numbered from 1 in pages that are never moved, so that a worker which reads an instance named by a
 * packet it was handed reads what the reader wrote before handing it over.
 */
public final class TunnelRegistry
{
    /** What tunnel.log is told. */
    public interface Listener
    {
        /** {@code action}: "Tunnel::DISCOVER", "Tunnel::CLOSE" or "Tunnel::EXPIRE". */
        void tunnel(long timestampNanos, TunnelRegistry tunnels, int instance, String action);
    }

    public static final String DISCOVER = "Tunnel::DISCOVER";
    public static final String CLOSE = "Tunnel::CLOSE";
    public static final String EXPIRE = "Tunnel::EXPIRE";

    private static final long SECOND = 1_000_000_000L;
    private static final long IP_TUNNEL_TIMEOUT = 24 * 3600 * SECOND;
    private static final long EXPIRATION_INTERVAL = 3600 * SECOND;
    /**
     * Serials of IP tunnels: their carrier's packetIndex (record index, depth + 1 above bit 40) with this too, apart
     * from every connection's.
     */
    private static final long IP_TUNNEL_SERIAL = 8L << 40;

    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;
    /** The most instances one read numbers (what a packet can carry: 24 bits); later tunnels carry none. */
    public static final int MAX_INSTANCES = (1 << 24) - 1;

    // Per instance, in pages: the key as first seen (orig first), type, identifier, parent, serial, times.
    private final long[][] words = new long[(MAX_INSTANCES >>> PAGE_BITS) + 1][];
    private static final int W_ORIG_HI = 0;
    private static final int W_ORIG_LO = 1;
    private static final int W_RESP_HI = 2;
    private static final int W_RESP_LO = 3;
    /** orig port (0-15), resp port (16-31), protocol (32-39), type (40-47). */
    private static final int W_PORTS = 4;
    private static final int W_ID = 5;
    private static final int W_PARENT = 6;
    private static final int W_SERIAL = 7;
    private static final int WORDS = 8;

    /**
     * Open addressing from the canonical key to the instance now live for it: per slot the key (four address
     * words, ports and protocol, parent), the instance's last packet time and whether tunnel.log has been told of it
     * (1 once discovered, 0 before and after it closes), one cache line: what each packet of a tunnel costs is
     * the lookup of that line, nothing more.
     */
    private static final int STRIDE = 8;
    private static final int K_LAST = 6;
    private static final int K_OPEN = 7;
    private long[] keys = new long[STRIDE * 64];
    private int[] slots = new int[64];
    private int used;
    private int count;
    /** The key offset of the tunnel {@link #enter} returned last: {@link #carried} follows it for that tunnel. */
    private int lastKey;
    private final long udpInactivity;
    private final flowdemux.ports.LikelyServerPorts serverPorts;
    private Listener listener;
    private long overflow;
    /** The run's uid seed, for the uids of tunnels (FlowRecord.uid). */
    private long uidSeed;

    public TunnelRegistry(final ConnectionConfig config, final Listener listener)
    {
        this.udpInactivity = config.udpInactivity;
        this.uidSeed = config.uidSeed;
        this.serverPorts = config.likelyServerPorts;
        this.listener = listener;
    }

    /**
     * The instance of the tunnel {@code p} carries ({@code p.carries}), {@code p} being its outer packet as decoded
     * (its own tunnel instance, if it is itself inside one, the new instance's parent); {@code now} the reader's
     * clock. 0 when the read has numbered {@link #MAX_INSTANCES} already.
     */
    public int enter(final DecodedPacket p, final long now)
    {
        final int type = p.carries;
        final boolean udp = p.protocol == DecodedPacket.PROTO_UDP;
        final boolean srcFirst = Long.compareUnsigned(p.srcHi, p.dstHi) < 0
            || (p.srcHi == p.dstHi && (Long.compareUnsigned(p.srcLo, p.dstLo) < 0
            || (p.srcLo == p.dstLo && (!udp || p.srcPort <= p.dstPort))));
        final long aHi = srcFirst ? p.srcHi : p.dstHi;
        final long aLo = srcFirst ? p.srcLo : p.dstLo;
        final long bHi = srcFirst ? p.dstHi : p.srcHi;
        final long bLo = srcFirst ? p.dstLo : p.srcLo;
        final long ports = udp ? (long)(srcFirst ? p.srcPort : p.dstPort) << 16 | (srcFirst ? p.dstPort : p.srcPort) : 0;
        // A UDP tunnel is its connection, whatever it carries; an IP tunnel is keyed by its type too.
        final long rest = ports | (long)p.protocol << 32 | (udp ? 0 : (long)type << 40);
        final long parent = p.tunnelInstance;
        final long hash = hash(aHi, aLo, bHi, bLo, rest, parent);
        int i = (int)hash & (slots.length - 1);
        while (slots[i] != 0)
        {
            final int k = STRIDE * i;
            if (keys[k] == aHi && keys[k + 1] == aLo && keys[k + 2] == bHi && keys[k + 3] == bLo && keys[k + 4] == rest
                && keys[k + 5] == parent)
            {
                lastKey = k;
                return touch(slots[i], k, i, p, now, udp);
            }
            i = (i + 1) & (slots.length - 1);
        }
        final int instance = create(p, udp);
        if (instance == 0)
        {
            return 0;
        }
        final int k = STRIDE * i;
        keys[k] = aHi;
        keys[k + 1] = aLo;
        keys[k + 2] = bHi;
        keys[k + 3] = bLo;
        keys[k + 4] = rest;
        keys[k + 5] = parent;
        keys[k + K_LAST] = p.timestampNanos;
        keys[k + K_OPEN] = 0;
        slots[i] = instance;
        lastKey = k;
        if (++used * 2 > slots.length)
        {
            grow();
        }
        return instance;
    }

    /** The tunnel is seen again: the same instance, or, after its time, a new one in its place. */
    private int touch(final int instance, final int k, final int slot, final DecodedPacket p, final long now,
        final boolean udp)
    {
        final long last = keys[k + K_LAST];
        if (udp)
        {
            if (last + udpInactivity <= now)
            {
                // The outer connection has ended (the flow stage ends it at this packet too): a new one begins.
                close(k, instance, last + udpInactivity, CLOSE);
                final int next = create(p, true);
                slots[slot] = next;
                keys[k + K_LAST] = p.timestampNanos;
                return next;
            }
        }
        else if (last + EXPIRATION_INTERVAL <= now)
        {
            close(k, instance, last + EXPIRATION_INTERVAL, EXPIRE);
            if (last + IP_TUNNEL_TIMEOUT <= now)
            {
                final int next = create(p, false);
                slots[slot] = next;
                keys[k + K_LAST] = p.timestampNanos;
                return next;
            }
        }
        keys[k + K_LAST] = Math.max(last, p.timestampNanos);
        return instance;
    }

    private int create(final DecodedPacket p, final boolean udp)
    {
        if (count >= MAX_INSTANCES)
        {
            overflow++;
            return 0;
        }
        final int instance = ++count;
        final int page = instance >>> PAGE_BITS;
        if (words[page] == null)
        {
            words[page] = new long[PAGE * WORDS];
        }
        final long[] w = words[page];
        final int at = offset(instance);
        // Orig and resp as the outer connection has them: its first packet's sender, unless that came from a
        // likely server port to one that is not (the flow stage's rule for UDP).
        final boolean flip = udp && serverPorts.isUdp(p.srcPort) && !serverPorts.isUdp(p.dstPort)
            && !FlowTracker.isBroadcastOrMulticast(p.dstHi, p.dstLo);
        w[at + W_ORIG_HI] = flip ? p.dstHi : p.srcHi;
        w[at + W_ORIG_LO] = flip ? p.dstLo : p.srcLo;
        w[at + W_RESP_HI] = flip ? p.srcHi : p.dstHi;
        w[at + W_RESP_LO] = flip ? p.srcLo : p.dstLo;
        final int origPort = flip ? p.dstPort : p.srcPort;
        final int respPort = flip ? p.srcPort : p.dstPort;
        w[at + W_PORTS] = (udp ? (origPort & 0xFFFFL) | (respPort & 0xFFFFL) << 16 : 0)
            | (long)(p.protocol & 0xFF) << 32 | (long)(p.carries & 0xFF) << 40;
        w[at + W_ID] = p.carriedId;
        w[at + W_PARENT] = p.tunnelInstance;
        w[at + W_SERIAL] = udp ? p.packetIndex : p.packetIndex | IP_TUNNEL_SERIAL;
        return instance;
    }

    /**
     * A packet inside {@code instance} was decoded into a connection: the first since the tunnel was found (or came
     * back after expiring) makes it discovered, as Zeek's tunnel framework registers a tunnel from the connections
     * inside it (a tunnel that carried only ARP is never in tunnel.log). {@code instance} is the one {@link #enter}
     * returned last, whose key line that call has just read.
     */
    public void carried(final int instance, final long timestampNanos)
    {
        if (instance == 0)
        {
            return;
        }
        final int k = slots[lastKey / STRIDE] == instance ? lastKey : keyOf(instance);
        if (keys[k + K_OPEN] == 0)
        {
            keys[k + K_OPEN] = 1;
            listener.tunnel(timestampNanos, this, instance, DISCOVER);
        }
    }

    /** The key offset of a live instance, by a walk of the table: for a caller out of {@link #carried}'s order. */
    private int keyOf(final int instance)
    {
        for (int i = 0; i < slots.length; i++)
        {
            if (slots[i] == instance)
            {
                return STRIDE * i;
            }
        }
        throw new IllegalStateException("tunnel " + instance + " is not live");
    }

    private void close(final int k, final int instance, final long at, final String action)
    {
        if (keys[k + K_OPEN] != 0)
        {
            keys[k + K_OPEN] = 0;
            listener.tunnel(at, this, instance, action);
        }
    }

    /** The input has ended: the UDP tunnels still open close with their connections (IP tunnels log nothing). */
    public void finish()
    {
        // The live instances are those in the table (one replaced was closed then), in the order they were numbered.
        final long[] live = new long[used];
        int n = 0;
        for (int i = 0; i < slots.length; i++)
        {
            if (slots[i] != 0 && protocol(slots[i]) == DecodedPacket.PROTO_UDP)
            {
                live[n++] = (long)slots[i] << 32 | i;
            }
        }
        java.util.Arrays.sort(live, 0, n);
        for (int j = 0; j < n; j++)
        {
            final int k = STRIDE * (int)live[j];
            close(k, (int)(live[j] >>> 32), keys[k + K_LAST], CLOSE);
        }
    }

    private void grow()
    {
        final long[] oldKeys = keys;
        final int[] oldSlots = slots;
        keys = new long[oldKeys.length * 2];
        slots = new int[oldSlots.length * 2];
        int movedLast = 0;
        for (int i = 0; i < oldSlots.length; i++)
        {
            if (oldSlots[i] != 0)
            {
                final int k = STRIDE * i;
                final long hash = hash(oldKeys[k], oldKeys[k + 1], oldKeys[k + 2], oldKeys[k + 3], oldKeys[k + 4],
                    oldKeys[k + 5]);
                int j = (int)hash & (slots.length - 1);
                while (slots[j] != 0)
                {
                    j = (j + 1) & (slots.length - 1);
                }
                System.arraycopy(oldKeys, k, keys, STRIDE * j, STRIDE);
                slots[j] = oldSlots[i];
                if (k == lastKey)
                {
                    movedLast = STRIDE * j;
                }
            }
        }
        lastKey = movedLast;
    }

    private static long hash(final long aHi, final long aLo, final long bHi, final long bLo, final long rest,
        final long parent)
    {
        // Symmetric in nothing (the key is canonical already): one mix of the words folded together.
        return Hashing.mix((aLo * 0x9E3779B97F4A7C15L + bLo) * 31 + (aHi ^ bHi) + rest * 0xC2B2AE3D27D4EB4FL + parent);
    }

    private long[] page(final int instance)
    {
        return words[instance >>> PAGE_BITS];
    }

    private static int offset(final int instance)
    {
        return (instance & (PAGE - 1)) * WORDS;
    }

    public long uidSeed()
    {
        return uidSeed;
    }

    /** The seed the run settled on (from its first packet, when it reads from a pipe or a live capture). */
    public void uidSeed(final long seed)
    {
        this.uidSeed = seed;
    }

    public void listener(final Listener listener)
    {
        this.listener = listener;
    }

    /** Tunnels met after {@link #MAX_INSTANCES}, whose connections name no parent. */
    public long overflow()
    {
        return overflow;
    }

    public long serial(final int instance)
    {
        return page(instance)[offset(instance) + W_SERIAL];
    }

    /** The tunnel this one is inside, or 0. */
    public int parent(final int instance)
    {
        return (int)page(instance)[offset(instance) + W_PARENT];
    }

    public int type(final int instance)
    {
        return (int)(page(instance)[offset(instance) + W_PORTS] >>> 40) & 0xFF;
    }

    public int protocol(final int instance)
    {
        return (int)(page(instance)[offset(instance) + W_PORTS] >>> 32) & 0xFF;
    }

    /** The tunnel's identifier (VNI, TEID, GRE key, ERSPAN session) as first seen, or -1. */
    public long id(final int instance)
    {
        return page(instance)[offset(instance) + W_ID];
    }

    public long origHi(final int instance)
    {
        return page(instance)[offset(instance) + W_ORIG_HI];
    }

    public long origLo(final int instance)
    {
        return page(instance)[offset(instance) + W_ORIG_LO];
    }

    public long respHi(final int instance)
    {
        return page(instance)[offset(instance) + W_RESP_HI];
    }

    public long respLo(final int instance)
    {
        return page(instance)[offset(instance) + W_RESP_LO];
    }

    public int origPort(final int instance)
    {
        return (int)page(instance)[offset(instance) + W_PORTS] & 0xFFFF;
    }

    public int respPort(final int instance)
    {
        return (int)(page(instance)[offset(instance) + W_PORTS] >>> 16) & 0xFFFF;
    }
}
