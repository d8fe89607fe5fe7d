package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTest
{
    /**
     * A scan: 50,000 one-packet UDP flows, 10 ms apart, so about 6,000 are within Zeek's 60 s UDP inactivity timeout
     * at any time. The sweep must keep the table near that, not let ended flows pile up until --max-flows evicts:
     * with a sweep that only ran every so many packets the table held every flow of the scan.
     */
    @Test
    void theSweepKeepsUpWithNewFlows()
    {
        final int flows = 50_000;
        final long[] ended = new long[EndReason.values().length];
        final ConnectionConfig config = new ConnectionConfig();
        config.dnsSessionTimeout = 0; // the UDP inactivity timeout alone, not DNS's shorter session timeout
        final FlowTracker tracker = new FlowTracker(1_000_000, (t, f, reason) -> ended[reason.ordinal()]++, config);
        final DecodedPacket p = flowdemux.Captures.udpToDns();
        final long start = 1_700_000_000_000_000_000L;
        for (int i = 0; i < flows; i++)
        {
            p.srcLo = DecodedPacket.IPV4_MAPPED_PREFIX | (0x0A00_0000L + i);
            p.packetIndex = i;
            p.timestampNanos = start + i * 10_000_000L;
            tracker.onPacket(p);
        }
        final long live = 60_000 / 10;
        final long peak = tracker.table().peakSize();
        assertTrue(peak >= live && peak < 2 * live, "peak table size " + peak + " for about " + live + " live flows");
        assertEquals(0, ended[EndReason.EVICTED.ordinal()]);
        assertTrue(ended[EndReason.TIMEOUT.ordinal()] > flows - 2 * live, ended[EndReason.TIMEOUT.ordinal()]
            + " timed out");
    }
}
