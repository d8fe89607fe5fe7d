package flowdemux;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The conn.log side of the IPFIX comparisons: a row's last millisecond is known to a microsecond either way. */
class NfcapdTest
{
    private static final String HEADER = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration"
        + "\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n";

    /** A refused TCP connection over ::1, as a live test saw it: ts (cut to the us) and duration (rounded to it). */
    private static String log(final String ts, final String duration)
    {
        return HEADER + ts + "\tC1\t::1\t59281\t::1\t44387\ttcp\t" + duration + "\t1\t80\t1\t60\n";
    }

    private static final long FIRST = 1796120570432L;

    /** The collector's record of that connection: first and last millisecond. */
    private static TreeMap<String, Integer> exported(final long last)
    {
        final TreeMap<String, Integer> rows = new TreeMap<>();
        rows.put("6 ::1 59281 ::1 44387 | 1 80 1 60 | " + FIRST + " " + last, 1);
        return rows;
    }

    /** The conn.log's rows settled against a collector whose record ends at {@code last}. */
    private static TreeMap<String, Integer> settled(final String log, final long last)
    {
        return Nfcapd.fromConnLog(log, exported(last));
    }

    @Test
    void aLastMicrosecondOnAMillisecondsEdgeTakesTheCollectorsMillisecond()
    {
        // ts + duration = .432999 + .000001 = .433000, but the last packet may have come at .4329996 (a ts cut from
        // .4329990 and a duration of 0.6 us rounded up), so .432 and .433 are both what the conn.log allows.
        final String log = log("1796120570.432999", "0.000001");
        assertEquals(exported(FIRST), settled(log, FIRST));
        assertEquals(exported(FIRST + 1), settled(log, FIRST + 1));
        // Without the collector's rows, the sum's own millisecond.
        assertEquals(exported(FIRST + 1), Nfcapd.fromConnLog(log));
    }

    @Test
    void aLastMicrosecondAwayFromTheEdgeStaysExact()
    {
        // .432500 + .000498 = .432998: a microsecond either way is still .432, so .433 from the collector is a
        // difference the comparison must show.
        final String log = log("1796120570.432500", "0.000498");
        assertNotEquals(exported(FIRST + 1), settled(log, FIRST + 1));
        assertEquals(exported(FIRST), settled(log, FIRST + 1));
    }
}
