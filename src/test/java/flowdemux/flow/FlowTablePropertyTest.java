package flowdemux.flow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the flow table with random inserts, updates, deletes, growth and eviction and checks it against a
 * {@link HashMap} model after every step: same keys present, same values, evictions reported to the sink and
 * removed from the model, no tombstones (index occupancy equals size).
 */
class FlowTablePropertyTest
{
    private record Key(long aHi, long aLo, long bHi, long bLo, long portsProto)
    {
        long hash()
        {
            return FlowKeys.hash(aHi, aLo, bHi, bLo, portsProto);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99_999})
    void agreesWithHashMapModel(final long seed)
    {
        final Random random = new Random(seed);
        final int maxFlows = 50 + random.nextInt(400);
        final Map<Key, Long> model = new HashMap<>();
        final Set<Key> evictedKeys = new HashSet<>();
        final FlowSink sink = (table, flow, reason) ->
        {
            assertEquals(EndReason.EVICTED, reason);
            evictedKeys.add(keyOf(table, flow));
        };
        final FlowTable table = new FlowTable(maxFlows, sink);
        // A small key space makes collisions, updates of existing flows and re-inserts of deleted ones common.
        final List<Key> universe = new ArrayList<>();
        for (int i = 0; i < maxFlows * 3; i++)
        {
            universe.add(randomKey(random, i % 7 == 0));
        }
        long clock = 0;
        for (int step = 0; step < 20_000; step++)
        {
            final Key k = universe.get(random.nextInt(universe.size()));
            final int op = random.nextInt(10);
            clock++;
            final int found = table.find(k.aHi, k.aLo, k.bHi, k.bLo, k.portsProto, k.hash());
            assertEquals(model.containsKey(k), found >= 0, "presence of " + k + " at step " + step);
            if (op < 6)
            {
                int flow = found;
                if (flow < 0)
                {
                    evictedKeys.clear();
                    flow = table.insert(k.aHi, k.aLo, k.bHi, k.bLo, k.portsProto, k.hash());
                    for (final Key gone : evictedKeys)
                    {
                        assertTrue(model.remove(gone) != null, "evicted a flow the model does not have");
                    }
                    assertTrue(evictedKeys.size() <= 1);
                    model.put(k, 0L);
                }
                final FlowSlot f = new FlowSlot().wrap(table, flow);
                f.advanceLastTs(clock);
                f.count(true, 0, 1);
                model.merge(k, 1L, Long::sum);
            }
            else if (op < 9 && found >= 0)
            {
                table.remove(found);
                model.remove(k);
            }
            assertEquals(model.size(), table.size());
            assertTrue(table.size() <= maxFlows);
            if (step % 500 == 0)
            {
                assertEquals(table.size(), table.indexOccupancy(), "index entries = live flows (no tombstones)");
                for (final Map.Entry<Key, Long> e : model.entrySet())
                {
                    final Key m = e.getKey();
                    final int flow = table.find(m.aHi, m.aLo, m.bHi, m.bLo, m.portsProto, m.hash());
                    assertTrue(flow >= 0, "model key missing from table");
                    assertEquals(e.getValue(), new FlowSlot().wrap(table, flow).payloadBytes(true));
                }
            }
        }
        assertTrue(table.evictions() > 0, "the run should have filled the table and evicted");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 1000, 70_000})
    void growsFromSmallToLargeWithoutLosingFlows(final int n)
    {
        final FlowTable table = new FlowTable(n, (t, f, r) -> { throw new AssertionError("no eviction below max"); });
        final Random random = new Random(n);
        final List<Key> keys = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final Key k = new Key(0, random.nextLong(), 0, random.nextLong(), FlowKeys.portsProto(i & 0xFFFF, 80, 6));
            keys.add(k);
            new FlowSlot().wrap(table, table.insert(k.aHi, k.aLo, k.bHi, k.bLo, k.portsProto, k.hash())).serial(i);
        }
        for (int i = 0; i < n; i++)
        {
            final Key k = keys.get(i);
            final int flow = table.find(k.aHi, k.aLo, k.bHi, k.bLo, k.portsProto, k.hash());
            assertEquals(i, new FlowSlot().wrap(table, flow).serial());
        }
        assertEquals(n, table.size());
    }

    /**
     * Tunnel parents against a model (the first two distinct instances in the order their packets came): instances
     * small enough for the flags and too large for them, one, two and more per connection, a slot used again after
     * its connection ended.
     */
    @Test
    void tunnelParentsAreTheFirstTwoTunnelsEachConnectionCameIn()
    {
        final FlowTable table = new FlowTable(1000, (t, f, r) -> assertTrue(r != EndReason.EVICTED, "no eviction"));
        final Random random = new Random(7);
        for (int round = 0; round < 3; round++)
        {
            final List<Integer> flows = new ArrayList<>();
            final List<List<Integer>> model = new ArrayList<>();
            for (int i = 0; i < 500; i++)
            {
                final Key k = new Key(0, random.nextLong(), 0, random.nextLong(), FlowKeys.portsProto(i, 80, 17));
                final int flow = table.insert(k.aHi, k.aLo, k.bHi, k.bLo, k.portsProto, k.hash());
                new FlowSlot().wrap(table, flow).flags(0);
                flows.add(flow);
                model.add(new ArrayList<>());
            }
            for (int n = 0; n < 5000; n++)
            {
                final int c = random.nextInt(flows.size());
                // Around the flags' limit (0x3FFE) as often as far below it.
                final int instance = random.nextBoolean() ? 1 + random.nextInt(4)
                    : FlowFlags.TUNNELS_FULL - 2 + random.nextInt(5);
                final FlowSlot f = new FlowSlot().wrap(table, flows.get(c));
                table.tunnelParent(f, flows.get(c), instance);
                final List<Integer> m = model.get(c);
                if (m.size() < 2 && !m.contains(instance))
                {
                    m.add(instance);
                }
            }
            for (int c = 0; c < flows.size(); c++)
            {
                final long flags = new FlowSlot().wrap(table, flows.get(c)).flags();
                final long parents = table.tunnelParents(flows.get(c), flags);
                final List<Integer> got = new ArrayList<>();
                if ((int)parents != 0)
                {
                    got.add((int)parents);
                }
                if ((int)(parents >>> 32) != 0)
                {
                    got.add((int)(parents >>> 32));
                }
                assertEquals(model.get(c), got, "parents of connection " + c + " in round " + round);
                table.end(flows.get(c), EndReason.TIMEOUT);
            }
            assertEquals(0, table.size());
        }
    }

    private static Key randomKey(final Random r, final boolean v6)
    {
        final long aHi = v6 ? r.nextLong() : 0;
        final long bHi = v6 ? r.nextLong() : 0;
        final long aLo = v6 ? r.nextLong() : 0x0000_FFFF_0000_0000L | (r.nextInt(64) & 0xFFFF_FFFFL);
        final long bLo = v6 ? r.nextLong() : 0x0000_FFFF_0000_0000L | (r.nextInt(4) & 0xFFFF_FFFFL);
        return new Key(aHi, aLo, bHi, bLo, FlowKeys.portsProto(r.nextInt(8), r.nextInt(3), r.nextBoolean() ? 6 : 17));
    }

    private static Key keyOf(final FlowTable t, final int flow)
    {
        final FlowSlot f = new FlowSlot().wrap(t, flow);
        return new Key(f.aHi(), f.aLo(), f.bHi(), f.bLo(), f.portsProto());
    }
}
