package flowdemux.reassembly;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reassembly by construction: the expected bytes and gaps are known from how the segments were cut. */
class StreamReassemblerTest
{
    /** Collects what was delivered, checking that offsets only go forward and join up. */
    static final class Collected implements StreamReassembler.Output
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<long[]> gaps = new ArrayList<>();
        long end;

        @Override
        public void data(final long offset, final byte[] b, final int from, final int length)
        {
            assertEquals(end, offset, "data continues the stream");
            assertTrue(length > 0);
            bytes.write(b, from, length);
            end += length;
        }

        @Override
        public void gap(final long offset, final long length)
        {
            assertEquals(end, offset, "a gap continues the stream");
            gaps.add(new long[] {offset, length});
            end += length;
        }

        String text()
        {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void seg(final StreamReassembler r, final long isn, final long offset, final String s)
    {
        r.segment((isn + 1 + offset) & 0xFFFF_FFFFL, ascii("xx" + s), 2, s.length());
    }

    @Test
    void retransmissionsCountOnceAndOutOfOrderSegmentsTakeTheirPlace()
    {
        final Collected c = new Collected();
        final StreamReassembler r = new StreamReassembler(1 << 16, 64, c);
        final long isn = 1000;
        r.syn(isn);
        seg(r, isn, 0, "GET ");
        seg(r, isn, 8, "HTTP");
        seg(r, isn, 0, "GET ");
        seg(r, isn, 4, "/ab ");
        seg(r, isn, 12, "/1.1");
        r.finish();
        assertEquals("GET /ab HTTP/1.1", c.text());
        assertEquals(List.of(), c.gaps);
        assertEquals(4, r.duplicateBytes());
    }

    @Test
    void theFirstDataSeenWinsOverlapsWithOtherContent()
    {
        final Collected c = new Collected();
        final StreamReassembler r = new StreamReassembler(1 << 16, 64, c);
        final long isn = 7;
        r.syn(isn);
        seg(r, isn, 4, "EFGH");      // out of order, held
        seg(r, isn, 2, "xxyyzz");    // overlaps the held bytes: its last two are dropped, "xxyy" fills 2..5? no: 2..3
        seg(r, isn, 0, "AB");
        seg(r, isn, 0, "QQQQQQQQQQ"); // all old but the last two bytes
        r.finish();
        assertEquals("ABxxEFGHQQ", c.text());
    }

    @Test
    void missingBytesAreReportedAsGapsAtTheEnd()
    {
        final Collected c = new Collected();
        final StreamReassembler r = new StreamReassembler(1 << 16, 64, c);
        r.syn(0xFFFF_FFF0L); // the sequence numbers wrap inside the stream
        seg(r, 0xFFFF_FFF0L, 0, "0123456789");
        seg(r, 0xFFFF_FFF0L, 20, "KLMNOPQRST");
        seg(r, 0xFFFF_FFF0L, 40, "end");
        r.finish();
        assertEquals("0123456789KLMNOPQRSTend", c.text());
        assertEquals(2, c.gaps.size());
        assertArrayEquals(new long[] {10, 10}, c.gaps.get(0));
        assertArrayEquals(new long[] {30, 10}, c.gaps.get(1));
        assertEquals(20, r.gapBytes());
    }

    @Test
    void withoutTheSynTheStreamStartsAtTheFirstSegment()
    {
        final Collected c = new Collected();
        final StreamReassembler r = new StreamReassembler(1 << 16, 64, c);
        r.segment(5000, ascii("hello"), 0, 5);
        r.segment(5005, ascii(" world"), 0, 6);
        r.finish();
        assertEquals("hello world", c.text());
    }

    @Test
    void aFullBufferGivesUpTheOldestHoleAndKeepsEveryByteSeenOnce()
    {
        final Collected c = new Collected();
        final StreamReassembler r = new StreamReassembler(64, 4, c);
        r.syn(0);
        seg(r, 0, 0, "aaaa");
        // A hole at 4..8, then more out-of-order data than the buffer holds.
        for (int i = 0; i < 20; i++)
        {
            seg(r, 0, 8 + 10L * i, "bbbbbbbbbb");
        }
        r.finish();
        assertTrue(r.overflows() > 0, "the buffer overflowed");
        assertEquals(4 + 200, c.bytes.size());
        assertEquals(1, c.gaps.size());
        assertArrayEquals(new long[] {4, 4}, c.gaps.get(0));
    }

    @Test
    void randomCutsRetransmissionsAndReorderingGiveTheStreamBack()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 300; round++)
        {
            final byte[] stream = new byte[1 + random.nextInt(5000)];
            random.nextBytes(stream);
            final List<int[]> cuts = new ArrayList<>();
            int at = 0;
            while (at < stream.length)
            {
                final int n = Math.min(stream.length - at, 1 + random.nextInt(300));
                cuts.add(new int[] {at, n});
                if (random.nextInt(5) == 0)
                {
                    cuts.add(new int[] {at, n}); // a retransmission
                }
                at += n;
            }
            // Shuffle locally, as a network reorders.
            for (int i = 0; i + 1 < cuts.size(); i++)
            {
                if (random.nextInt(3) == 0)
                {
                    java.util.Collections.swap(cuts, i, i + 1 + random.nextInt(Math.min(4, cuts.size() - i - 1)));
                }
            }
            final Collected c = new Collected();
            final StreamReassembler r = new StreamReassembler(1 << 16, 256, c);
            final long isn = random.nextLong() & 0xFFFF_FFFFL;
            r.syn(isn);
            for (final int[] cut : cuts)
            {
                r.segment((isn + 1 + cut[0]) & 0xFFFF_FFFFL, stream, cut[0], cut[1]);
            }
            r.finish();
            assertArrayEquals(stream, c.bytes.toByteArray(), "round " + round);
            assertEquals(List.of(), c.gaps);
        }
    }
}
