package flowdemux.flow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data above a hole: merged ranges, delivery when the hole fills, holes found by an acknowledgement. */
class PendingDataTest
{
    @Test
    void rangesMergeAndAreDeliveredWhenTheHoleFills()
    {
        final PendingData p = new PendingData();
        final long k = PendingData.key(7, true);
        p.add(k, 300, 400);
        p.add(k, 500, 600);
        p.add(k, 390, 510); // joins both
        assertEquals(150, p.absorb(k, 150), "the hole 150-300 is still open");
        assertEquals(600, p.absorb(k, 300), "filled: everything to 600 is delivered");
        assertTrue(p.isEmpty(), "nothing left, no entry");
    }

    @Test
    void anAcknowledgementFindsEachHoleAndDeliversWhatArrived()
    {
        final PendingData p = new PendingData();
        final long k = PendingData.key(3, false);
        p.add(k, 200, 300);
        p.add(k, 400, 450);
        p.add(k, 900, 1000);
        final long delivered = p.fillTo(k, 100, 800);
        assertEquals(450, delivered, "delivered through the last range below the acknowledgement");
        assertEquals(2, p.holeCount);
        assertEquals(100, p.holes[0], "100-200");
        assertEquals(100, p.holes[1], "300-400");
        assertEquals(1000, p.absorb(k, 900), "the range above the acknowledgement is kept");
        assertTrue(p.isEmpty());
    }

    @Test
    void manyStreamsAndTheirRemoval()
    {
        final PendingData p = new PendingData();
        for (int flow = 0; flow < 5000; flow++)
        {
            p.add(PendingData.key(flow, flow % 2 == 0), 10, 20);
        }
        for (int flow = 0; flow < 5000; flow += 2)
        {
            p.removeFlow(flow);
        }
        for (int flow = 1; flow < 5000; flow += 2)
        {
            assertEquals(20, p.absorb(PendingData.key(flow, false), 10), "flow " + flow);
        }
        assertTrue(p.isEmpty());
    }

    @Test
    void beyondTheRangeLimitTheHighestIsDropped()
    {
        final PendingData p = new PendingData();
        final long k = PendingData.key(1, true);
        for (int i = 0; i <= PendingData.MAX_RANGES; i++)
        {
            p.add(k, 100 * (i + 1), 100 * (i + 1) + 10);
        }
        p.fillTo(k, 0, 100_000);
        assertEquals(PendingData.MAX_RANGES, p.holeCount, "one hole before each range kept");
    }
}
