package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class FlowKeysTest
{
    private static DecodedPacket packet(final int protocol, final long srcLo, final int srcPort, final long dstLo,
        final int dstPort)
    {
        final DecodedPacket p = new DecodedPacket();
        p.protocol = protocol;
        p.srcLo = DecodedPacket.IPV4_MAPPED_PREFIX | srcLo;
        p.dstLo = DecodedPacket.IPV4_MAPPED_PREFIX | dstLo;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        return p;
    }

    /** Both directions of a connection get one key, one hash and one worker; the source side is told apart. */
    @Test
    void bothDirectionsShareKeyHashAndWorker()
    {
        final Random random = new Random(11);
        for (int i = 0; i < 10_000; i++)
        {
            final long a = random.nextInt();
            final long b = random.nextInt(4) == 0 ? a : random.nextInt();
            final int pa = random.nextInt(65536);
            final int pb = random.nextInt(65536);
            final DecodedPacket there = packet(DecodedPacket.PROTO_TCP, a & 0xFFFF_FFFFL, pa, b & 0xFFFF_FFFFL, pb);
            final DecodedPacket back = packet(DecodedPacket.PROTO_TCP, b & 0xFFFF_FFFFL, pb, a & 0xFFFF_FFFFL, pa);
            final int workers = 1 + random.nextInt(8);
            final int w = FlowKeys.worker(there, workers);
            assertEquals(w, FlowKeys.worker(back, workers));
            assertEquals(there.keyHash, back.keyHash);
            assertEquals(there.keyPortsProto, back.keyPortsProto);
            assertEquals(there.keyALo, back.keyALo);
            assertEquals(there.keyBLo, back.keyBLo);
            if (a != b || pa != pb)
            {
                assertNotEquals(there.keySrcIsA, back.keySrcIsA);
            }
            assertEquals(there.keyHash, FlowKeys.hash(there.keyAHi, there.keyALo, there.keyBHi, there.keyBLo,
                there.keyPortsProto), "the table probes with the same hash the reader dispatched by");
        }
    }

    /** An ICMP echo and its reply are one connection (type 8 and its counterpart 0, Zeek's key). */
    @Test
    void icmpEchoAndReplyShareAKey()
    {
        final DecodedPacket echo = packet(DecodedPacket.PROTO_ICMP, 1, 0, 2, 0);
        echo.icmpType = 8;
        final DecodedPacket reply = packet(DecodedPacket.PROTO_ICMP, 2, 0, 1, 0);
        reply.icmpType = 0;
        FlowKeys.key(echo);
        FlowKeys.key(reply);
        assertEquals(echo.keyHash, reply.keyHash);
        assertEquals(echo.keyPortsProto, reply.keyPortsProto);
    }
}
