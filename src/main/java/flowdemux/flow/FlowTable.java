package flowdemux.flow;

import flowdemux.util.Hashing;

import java.util.Arrays;

/**
 * Open-addressed flow table over primitive arrays, keyed by the canonical 5-tuple.
 * <p>
 * Two parts: an index of {@code long} slots, linear probing over a power-of-two array, each slot holding the
 * upper 32 bits of the key's hash and the flow's number + 1 (0 = empty); and the flow store, pages of
 * {@link FlowSlot#STRIDE} longs per flow. Probing compares the stored hash first and touches the store only on a
 * hash match. Deletion shifts the rest of the probe chain back (no tombstones, so chains never rot). Growth doubles
 * the index only (8 bytes per slot); the store grows by whole pages, so existing flows never move.
 * <p>
 * Bounded by {@code maxFlows}: inserting into a full table evicts the least recently seen of a few flows taken in
 * clock order, handing it to the {@link FlowSink} first, so nothing is lost silently. Single writer; not thread-safe.
 */
public final class FlowTable
{
    /** 1024 flows a page: about 300 KB, under half a G1 region of a small heap, so pages are not humongous. */
    static final int PAGE_SHIFT = 10;
    static final int PAGE_FLOWS = 1 << PAGE_SHIFT;
    static final int PAGE_MASK = PAGE_FLOWS - 1;
    static final float LOAD_FACTOR = 0.65f;
    /** Flows examined per eviction; the oldest of them goes. */
    static final int EVICTION_SAMPLE = 8;

    private final int maxFlows;
    private final FlowSink sink;
    /** TCP data that arrived above a hole in its stream, per flow that has some (content-gap accounting). */
    final PendingData pending = new PendingData();
    /** Service detection's per-connection notes live here, and go when the connection does. */
    final flowdemux.service.ServiceInspector services = new flowdemux.service.ServiceInspector();
    private long[] index;
    private int indexMask;
    private int resizeThreshold;
    private long[][] pages = new long[1][];
    private int[] freeFlows = new int[64];
    private int freeCount;
    private int highWater;
    private int size;
    private int clockHand;
    private long evictions;
    private long peakSize;
    /** Mixed into every connection's uid, so that two captures' logs do not share uids (see FlowRecord.uid). */
    long uidSeed;
    /** The Community ID seed the records are hashed with. */
    int communityIdSeed;
    /**
     * The tunnels each connection inside tunnels came through: up to two instances of the reader's registry (low and
     * high 32 bits; Zeek's tunnel_parents holds both directions' when they differ), only for such connections.
     */
    private final org.agrona.collections.Long2LongHashMap tunnelParents =
        new org.agrona.collections.Long2LongHashMap(0);
    /** The registry those instances are numbered in, or null for a read that looks into no tunnel. */
    TunnelRegistry tunnels;

    public FlowTable(final int maxFlows, final FlowSink sink)
    {
        if (maxFlows < 1)
        {
            throw new IllegalArgumentException("maxFlows must be at least 1");
        }
        this.maxFlows = maxFlows;
        this.sink = sink;
        allocateIndex(Hashing.nextPowerOfTwo(Math.max(16, Math.min(1 << 14, (int)(maxFlows / LOAD_FACTOR) + 1))));
    }

    private void allocateIndex(final int capacity)
    {
        index = new long[capacity];
        indexMask = capacity - 1;
        resizeThreshold = (int)(capacity * LOAD_FACTOR);
    }

    /**
     * Loads what a lookup of {@code hash} will read first, without deciding anything: the index slot and, when its
     * tag matches, the record's first line (its key). A worker calls it for a whole batch before tracking any of it,
     * so that the cache misses of many packets are in flight at once rather than one after another; the record's
     * next lines follow through the hardware's adjacent-line prefetch (loading every line of the record measured no
     * better: TrackBenchmark at 1M flows, 6.8-7.3 M/s for the first line, 6.8 M/s for all). Returns the loaded words
     * folded together, for the caller to keep, so that the loads are not optimised away.
     */
    public long touch(final long hash)
    {
        return touchRecord(hash, touchIndex(hash));
    }

    /**
     * The first half of {@link #touch}, for a pass of its own over a batch: the index slot's word. With the slots of
     * the whole batch loaded first, their misses overlap instead of each waiting behind the record load before it.
     */
    public long touchIndex(final long hash)
    {
        return index[(int)(hash >>> 32) & indexMask];
    }

    /** The second half of {@link #touch}: the first word of the record the index slot names, when the tag matches. */
    public long touchRecord(final long hash, final long entry)
    {
        if (entry == 0 || (int)(entry >>> 32) != (int)(hash >>> 32))
        {
            return entry;
        }
        final int flow = (int)entry - 1;
        return entry ^ FlowSlot.firstWord(pages[flow >>> PAGE_SHIFT], base(flow));
    }

    /**
     * Whether {@link #touch} before a batch pays: only once the records outgrow the caches. Below this many flows
     * (10 MB of records) they are mostly cached and the extra pass is pure cost.
     */
    public boolean lookaheadPays()
    {
        return size >= LOOKAHEAD_FROM;
    }

    static final int LOOKAHEAD_FROM = 1 << 15;

    /** The flow with this key, or -1. */
    public int find(final long aHi, final long aLo, final long bHi, final long bLo, final long portsProto, final long hash)
    {
        final long[] index = this.index;
        final int mask = indexMask;
        final int tag = (int)(hash >>> 32);
        int slot = tag & mask;
        long entry;
        while ((entry = index[slot]) != 0)
        {
            if ((int)(entry >>> 32) == tag)
            {
                final int flow = (int)entry - 1;
                if (keyEquals(flow, aHi, aLo, bHi, bLo, portsProto))
                {
                    return flow;
                }
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * Adds a flow with this key, which must not be present. When the table is full, first evicts one flow through
     * the sink. Returns the new flow's number; its fields other than the key are zero.
     */
    public int insert(final long aHi, final long aLo, final long bHi, final long bLo, final long portsProto, final long hash)
    {
        if (size >= maxFlows)
        {
            evictOne();
        }
        if (size >= resizeThreshold)
        {
            grow();
        }
        final int flow = allocateFlow();
        FlowSlot.init(pages[flow >>> PAGE_SHIFT], base(flow), aHi, aLo, bHi, bLo, portsProto);
        final int tag = (int)(hash >>> 32);
        int slot = tag & indexMask;
        while (index[slot] != 0)
        {
            slot = (slot + 1) & indexMask;
        }
        index[slot] = ((long)tag << 32) | (flow + 1L);
        size++;
        peakSize = Math.max(peakSize, size);
        return flow;
    }

    /** Removes a flow without telling the sink (see {@link #end}). */
    void remove(final int flow)
    {
        pending.removeFlow(flow);
        if (!tunnelParents.isEmpty())
        {
            tunnelParents.remove(flow);
        }
        final long[] page = pages[flow >>> PAGE_SHIFT];
        final int base = base(flow);
        final long h = FlowSlot.keyHash(page, base);
        final int tag = (int)(h >>> 32);
        int slot = tag & indexMask;
        final long wanted = ((long)tag << 32) | (flow + 1L);
        while (index[slot] != wanted)
        {
            if (index[slot] == 0)
            {
                throw new IllegalStateException("flow " + flow + " is not in the index");
            }
            slot = (slot + 1) & indexMask;
        }
        deleteSlot(slot);
        FlowSlot.vacate(page, base);
        if (freeCount == freeFlows.length)
        {
            freeFlows = Arrays.copyOf(freeFlows, freeCount * 2);
        }
        freeFlows[freeCount++] = flow;
        size--;
    }

    /**
     * Notes that {@code flow} (its slot {@code f}) had a packet inside tunnel {@code instance} (a third one is not
     * kept). The first parent lives in the slot's flags, a map entry is made only for a second (or a first too large
     * for the flags), and a connection with two is marked full so that none of its later packets looks further.
     */
    void tunnelParent(final FlowSlot f, final int flow, final int instance)
    {
        if (tunnelParentKnown(f.flags(), instance))
        {
            return;
        }
        final int held = (int)(f.flags() >>> FlowFlags.TUNNEL_SHIFT);
        if (held == 0)
        {
            if (instance < FlowFlags.TUNNELS_FULL)
            {
                f.setFlags((long)instance << FlowFlags.TUNNEL_SHIFT);
            }
            else
            {
                tunnelParents.put(flow, instance & 0xFFFF_FFFFL);
                f.setFlags((long)FlowFlags.TUNNELS_IN_MAP << FlowFlags.TUNNEL_SHIFT);
            }
            return;
        }
        final long had = held == FlowFlags.TUNNELS_IN_MAP ? tunnelParents.get(flow) : held;
        if ((int)had != instance)
        {
            tunnelParents.put(flow, (had & 0xFFFF_FFFFL) | (long)instance << 32);
            f.clearFlags(FlowFlags.TUNNEL_BITS);
            f.setFlags((long)FlowFlags.TUNNELS_FULL << FlowFlags.TUNNEL_SHIFT);
        }
    }

    /** Whether a packet in tunnel {@code instance} changes nothing of the tunnel parents these flags describe. */
    static boolean tunnelParentKnown(final long flags, final int instance)
    {
        final int held = (int)(flags >>> FlowFlags.TUNNEL_SHIFT);
        return held == FlowFlags.TUNNELS_FULL || (held == instance && instance < FlowFlags.TUNNELS_FULL);
    }

    /** The tunnel instances of {@code flow} with these flags (low and high 32 bits; 0 for none). */
    long tunnelParents(final int flow, final long flags)
    {
        final int held = (int)(flags >>> FlowFlags.TUNNEL_SHIFT);
        return held < FlowFlags.TUNNELS_FULL ? held : tunnelParents.get(flow);
    }

    /** The registry the read numbers its tunnels in (the reader's), for the records to name their tunnels. */
    public void tunnels(final TunnelRegistry registry)
    {
        this.tunnels = registry;
    }

    /** Backward-shift deletion for linear probing: later entries of the chain move up so no tombstone is left. */
    private void deleteSlot(final int deleted)
    {
        final long[] index = this.index;
        final int mask = indexMask;
        int hole = deleted;
        int slot = deleted;
        while (true)
        {
            slot = (slot + 1) & mask;
            final long entry = index[slot];
            if (entry == 0)
            {
                break;
            }
            final int home = (int)(entry >>> 32) & mask;
            // The entry may fill the hole unless its home lies cyclically in (hole, slot].
            final boolean homeInRange = hole <= slot ? (home > hole && home <= slot) : (home > hole || home <= slot);
            if (!homeInRange)
            {
                index[hole] = entry;
                hole = slot;
            }
        }
        index[hole] = 0;
    }

    private void grow()
    {
        final long[] old = index;
        allocateIndex(old.length * 2);
        for (final long entry : old)
        {
            if (entry != 0)
            {
                int slot = (int)(entry >>> 32) & indexMask;
                while (index[slot] != 0)
                {
                    slot = (slot + 1) & indexMask;
                }
                index[slot] = entry;
            }
        }
    }

    private int allocateFlow()
    {
        if (freeCount > 0)
        {
            return freeFlows[--freeCount];
        }
        final int flow = highWater++;
        final int page = flow >>> PAGE_SHIFT;
        if (page == pages.length)
        {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        if (pages[page] == null)
        {
            pages[page] = new long[PAGE_FLOWS * FlowSlot.STRIDE];
        }
        return flow;
    }

    private void evictOne()
    {
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        int examined = 0;
        for (int step = 0; step < highWater && examined < EVICTION_SAMPLE; step++)
        {
            final int flow = clockHand;
            clockHand = clockHand + 1 == highWater ? 0 : clockHand + 1;
            if (!isLive(flow))
            {
                continue;
            }
            examined++;
            final long last = FlowSlot.lastTs(pages[flow >>> PAGE_SHIFT], base(flow));
            if (last < oldest)
            {
                oldest = last;
                victim = flow;
            }
        }
        evictions++;
        end(victim, EndReason.EVICTED);
    }

    /**
     * Ends a connection: hands it to the sink, then frees its slot. The one way a connection leaves the table, whether
     * its timers ran out, its ports were reused, the input ended or the table was full.
     */
    public void end(final int flow, final EndReason reason)
    {
        if (reason != EndReason.ACTIVE)
        {
            FlowSlot.settleService(pages[flow >>> PAGE_SHIFT], base(flow), services);
        }
        sink.flowEnded(this, flow, reason);
        services.release(FlowSlot.serviceState(pages[flow >>> PAGE_SHIFT], base(flow)));
        remove(flow);
    }

    private boolean keyEquals(final int flow, final long aHi, final long aLo, final long bHi, final long bLo,
        final long portsProto)
    {
        return FlowSlot.keyEquals(pages[flow >>> PAGE_SHIFT], base(flow), aHi, aLo, bHi, bLo, portsProto);
    }

    public boolean isLive(final int flow)
    {
        return flow >= 0 && flow < highWater && FlowSlot.occupied(pages[flow >>> PAGE_SHIFT], base(flow));
    }

    /** The page holding a flow's fields, at {@link #base}; FlowSlot reads them. */
    long[] page(final int flow)
    {
        return pages[flow >>> PAGE_SHIFT];
    }

    static int base(final int flow)
    {
        return (flow & PAGE_MASK) * FlowSlot.STRIDE;
    }

    /** Calls {@code action} for every live flow; the action may remove the flow it is given. */
    public void forEach(final java.util.function.IntConsumer action)
    {
        for (int flow = 0; flow < highWater; flow++)
        {
            if (isLive(flow))
            {
                action.accept(flow);
            }
        }
    }

    /** One past the highest flow number ever used. */
    public int highWater()
    {
        return highWater;
    }

    public int size()
    {
        return size;
    }

    public long evictions()
    {
        return evictions;
    }

    public long peakSize()
    {
        return peakSize;
    }

    public int maxFlows()
    {
        return maxFlows;
    }

    /** Gives back the memory of an emptied table (after the end of the input), so the report has room. */
    public void release()
    {
        if (size != 0)
        {
            throw new IllegalStateException("release an empty table only");
        }
        allocateIndex(16);
        pages = new long[1][];
        highWater = 0;
        freeCount = 0;
        clockHand = 0;
    }

    /** Index slots in use, for tests: must equal {@link #size()}. */
    int indexOccupancy()
    {
        int n = 0;
        for (final long e : index)
        {
            if (e != 0)
            {
                n++;
            }
        }
        return n;
    }

    /** Service detection's notes of the connections in this table. */
    public flowdemux.service.ServiceNotes serviceNotes()
    {
        return services.notes();
    }

    /** Heap bytes held by the index and the store. */
    public long memoryBytes()
    {
        long pagesBytes = 0;
        for (final long[] p : pages)
        {
            if (p != null)
            {
                pagesBytes += 8L * p.length;
            }
        }
        return 8L * index.length + pagesBytes + 4L * freeFlows.length;
    }
}
