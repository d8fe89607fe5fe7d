package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** FragmentReassembly on its own: completion by coverage, not by bytes counted; limits; timeouts; IPv6 lengths. */
class FragmentReassemblyTest
{
    private static final long SECOND = 1_000_000_000L;

    /** A fragment of datagram {@code id} (UDP from 10.0.0.2:40000 to 10.0.0.53:53), payload [offset, offset+len). */
    private static DecodedPacket fragment(final int id, final int offset, final int len, final boolean more,
        final long time, final int version)
    {
        final DecodedPacket p = new DecodedPacket();
        p.ipVersion = version;
        p.srcLo = DecodedPacket.IPV4_MAPPED_PREFIX | 0x0A000002L;
        p.dstLo = DecodedPacket.IPV4_MAPPED_PREFIX | 0x0A000035L;
        p.protocol = DecodedPacket.PROTO_UDP;
        p.fragmentId = id;
        p.fragmentOffset = offset;
        p.moreFragments = more;
        p.fragment = true;
        p.laterFragment = offset != 0;
        p.ipHeaderLength = version == 6 ? 48 : 20;
        p.ipTotalLength = p.ipHeaderLength + len;
        p.timestampNanos = time;
        if (offset == 0)
        {
            p.srcPort = 40000;
            p.dstPort = 53;
            p.hasPorts = true;
            p.payloadLength = len - 8;
        }
        return p;
    }

    @Test
    void completesWhenEveryByteIsThereInAnyOrder()
    {
        final FragmentReassembly r = new FragmentReassembly(300 * SECOND);
        assertEquals(0, r.add(fragment(1, 800, 208, false, 0, 4)), "the last piece first");
        assertEquals(0, r.add(fragment(1, 400, 400, true, 1, 4)));
        final DecodedPacket first = fragment(1, 0, 400, true, 2, 4);
        assertEquals(3, r.add(first), "the first piece last completes it: three frames");
        assertEquals(20 + 1008, first.ipTotalLength);
        assertEquals(1000, first.payloadLength);
        assertEquals(53, first.dstPort);
        assertFalse(first.fragment);
        r.finish();
        assertEquals(0, r.incompleteFrames());
    }

    @Test
    void duplicatesAndOverlapsDoNotFillAHole()
    {
        final FragmentReassembly r = new FragmentReassembly(300 * SECOND);
        assertEquals(0, r.add(fragment(2, 0, 400, true, 0, 4)));
        assertEquals(0, r.add(fragment(2, 0, 400, true, 1, 4)), "a duplicate");
        assertEquals(0, r.add(fragment(2, 200, 200, true, 2, 4)), "an overlap inside what is there");
        assertEquals(0, r.add(fragment(2, 800, 208, false, 3, 4)), "408 + 400 + 200 + 208 bytes, still a hole");
        assertEquals(5, r.add(fragment(2, 392, 416, true, 4, 4)), "the hole filled, overlapping both sides");
        r.finish();
        assertEquals(0, r.incompleteFrames());
    }

    @Test
    void ipv6DatagramsLoseTheirFragmentHeader()
    {
        final FragmentReassembly r = new FragmentReassembly(300 * SECOND);
        r.add(fragment(3, 0, 400, true, 0, 6));
        final DecodedPacket last = fragment(3, 400, 100, false, 1, 6);
        assertEquals(2, r.add(last));
        assertEquals(40 + 500, last.ipTotalLength, "the reassembled datagram: fixed header and payload");
    }

    @Test
    void tooManyPiecesTimeoutsAndLeftoversAreIncomplete()
    {
        final FragmentReassembly r = new FragmentReassembly(5 * SECOND);
        // Every other 8-byte piece: disjoint ranges until there are more than the reassembler follows.
        int frames = 0;
        for (int i = 0; i <= FragmentReassembly.MAX_RANGES; i++)
        {
            assertEquals(0, r.add(fragment(4, 16 * (i + 1), 8, true, i, 4)));
            frames++;
        }
        assertEquals(frames, r.incompleteFrames(), "given up: all its frames incomplete");
        // A datagram whose next piece comes after the timeout starts over; the stale one counts as incomplete.
        r.add(fragment(5, 0, 400, true, 0, 4));
        assertEquals(0, r.add(fragment(5, 400, 100, false, 6 * SECOND, 4)));
        assertEquals(frames + 1, r.incompleteFrames());
        r.finish();
        assertEquals(frames + 2, r.incompleteFrames(), "what is still waiting at the end");
    }
}
