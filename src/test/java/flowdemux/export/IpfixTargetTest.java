package flowdemux.export;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What --ipfix accepts, and dateTimeNanoseconds' NTP encoding. */
class IpfixTargetTest
{
    @Test
    void targets()
    {
        assertEquals(new IpfixTarget("127.0.0.1", 2055, false), IpfixTarget.parse("127.0.0.1:2055"));
        assertEquals(new IpfixTarget("collector.example", 4739, false), IpfixTarget.parse("collector.example"));
        assertEquals(new IpfixTarget("10.0.0.1", 4739, true), IpfixTarget.parse("tcp://10.0.0.1:4739"));
        assertEquals(new IpfixTarget("2001:db8::10", 9995, false), IpfixTarget.parse("udp://[2001:db8::10]:9995"));
        assertEquals(new IpfixTarget("::1", 4739, true), IpfixTarget.parse("tcp://[::1]"));
        assertEquals("tcp://[::1]:4739", IpfixTarget.parse("tcp://[::1]").toString());
        for (final String bad : new String[] {"sctp://a:1", "a:0", "a:65536", "a:x", "2001:db8::1:4739", "[::1",
            "[::1]4739", ":4739"})
        {
            assertThrows(IllegalArgumentException.class, () -> IpfixTarget.parse(bad), bad);
        }
    }

    @Test
    void nanosecondsAsNtpTimeReadBackExactly()
    {
        // 2024-03-01 12:00:00.003 UTC: 3,918,283,200 s after 1900.
        final long unix = 1_709_294_400_003_000_000L;
        final long ntp = IpfixRecords.ntp(unix);
        assertEquals(1_709_294_400L + 2_208_988_800L, ntp >>> 32);
        for (final long nanos : new long[] {0, 1, 3_000_000, 999_999_999, 123_456_789})
        {
            final long fraction = IpfixRecords.ntp(1_700_000_000_000_000_000L + nanos) & 0xffffffffL;
            assertEquals(nanos, fraction * 1_000_000_000L >>> 32, "truncating back gives the nanosecond");
        }
    }
}
