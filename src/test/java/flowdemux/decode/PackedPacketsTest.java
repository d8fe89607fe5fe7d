package flowdemux.decode;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PackedPacketsTest
{
    /**
     * Every field tracking reads, as a worker gets it: the extremes of each range (-1 where a field may be unset)
     * and random values between; and nothing of a packet spills into its neighbours' words.
     */
    @Test
    void trackedFieldsSurvivePacking()
    {
        final Random random = new Random(11);
        final long[] words = new long[8 * PackedPackets.WORDS];
        final byte[] arena = new byte[64];
        for (int round = 0; round < 2000; round++)
        {
            final DecodedPacket p = new DecodedPacket();
            final boolean extremes = round % 2 == 0;
            p.timestampNanos = extremes ? Long.MIN_VALUE + round : random.nextLong();
            p.captureNow = extremes ? Long.MAX_VALUE - round : random.nextLong();
            p.keyAHi = random.nextLong();
            p.keyALo = random.nextLong();
            p.keyBHi = random.nextLong();
            p.keyBLo = random.nextLong();
            p.keyPortsProto = random.nextLong();
            p.keyHash = random.nextLong();
            p.keySrcIsA = random.nextBoolean();
            p.packetIndex = extremes ? Long.MAX_VALUE : random.nextLong() >>> 1;
            p.seq = extremes ? 0xFFFF_FFFFL : random.nextLong() & 0xFFFF_FFFFL;
            p.ack = extremes ? 0xFFFF_FFFFL : random.nextLong() & 0xFFFF_FFFFL;
            p.payloadLength = extremes ? Integer.MAX_VALUE : random.nextInt(70_000);
            p.ipTotalLength = extremes ? Integer.MAX_VALUE : random.nextInt(70_000);
            p.tcpFlags = extremes ? 0xFFF : random.nextInt(256);
            p.window = extremes ? 0xFFFF : random.nextInt(0x10000);
            p.mss = extremes ? (round % 4 == 0 ? -1 : 0xFFFF) : random.nextInt(0x10000);
            p.windowScale = extremes ? (round % 4 == 0 ? -1 : 255) : random.nextInt(15);
            p.sackPermitted = random.nextBoolean();
            p.hasTimestamps = random.nextBoolean();
            p.checksumBad = random.nextBoolean();
            p.frames = extremes ? Integer.MAX_VALUE : 1 + random.nextInt(50);
            p.capturedPayload = extremes ? Integer.MAX_VALUE : random.nextInt(70_000);
            p.vlanId = extremes ? (round % 4 == 0 ? -1 : 4095) : random.nextInt(4096);
            p.protocol = extremes ? 255 : random.nextInt(256);
            // A service id + 1 (8 bits packed), and the tunnel fields: 4 bits of type, 24 of instance.
            p.expectedService = extremes ? 255 : random.nextInt(40);
            p.carries = extremes ? 15 : random.nextInt(8);
            p.tunnelInstance = extremes ? (1 << 24) - 1 : random.nextInt(1 << 24);
            final int inspectOffset = random.nextInt(arena.length);
            final int inspectLength = random.nextInt(arena.length - inspectOffset + 1);
            final int index = round % 8;
            final long[] before = words.clone();
            PackedPackets.pack(p, inspectOffset, inspectLength, words, index);
            assertEquals(p.keyHash, PackedPackets.keyHash(words, index));
            // A packet's words are its own: its neighbours in the batch are left as they were.
            for (int w = 0; w < words.length; w++)
            {
                if (w / PackedPackets.WORDS != index)
                {
                    assertEquals(before[w], words[w], "word " + w + " of a neighbour of packet " + index);
                }
            }

            final DecodedPacket q = new DecodedPacket();
            PackedPackets.unpack(words, index, arena, q);
            assertEquals(p.timestampNanos, q.timestampNanos);
            assertEquals(p.captureNow, q.captureNow);
            assertEquals(p.keyAHi, q.keyAHi);
            assertEquals(p.keyALo, q.keyALo);
            assertEquals(p.keyBHi, q.keyBHi);
            assertEquals(p.keyBLo, q.keyBLo);
            assertEquals(p.keyPortsProto, q.keyPortsProto);
            assertEquals(p.keyHash, q.keyHash);
            assertEquals(p.keySrcIsA, q.keySrcIsA);
            assertEquals(p.packetIndex, q.packetIndex);
            assertEquals(p.seq, q.seq);
            assertEquals(p.ack, q.ack);
            assertEquals(p.payloadLength, q.payloadLength);
            assertEquals(p.ipTotalLength, q.ipTotalLength);
            assertEquals(p.tcpFlags, q.tcpFlags);
            assertEquals(p.window, q.window);
            assertEquals(p.mss, q.mss);
            assertEquals(p.windowScale, q.windowScale);
            assertEquals(p.sackPermitted, q.sackPermitted);
            assertEquals(p.hasTimestamps, q.hasTimestamps);
            assertEquals(p.checksumBad, q.checksumBad);
            assertEquals(p.frames, q.frames);
            assertEquals(p.capturedPayload, q.capturedPayload);
            assertEquals(p.vlanId, q.vlanId);
            assertEquals(p.protocol, q.protocol);
            assertEquals(p.expectedService, q.expectedService);
            assertEquals(p.carries, q.carries);
            assertEquals(p.tunnelInstance, q.tunnelInstance);
            assertEquals(inspectOffset, q.inspectOffset);
            assertEquals(inspectLength, q.inspectLength);
            assertSame(arena, q.inspectBytes);
            // The addresses come back from the key: the source is endpoint A when keySrcIsA says so.
            assertEquals(p.keySrcIsA ? p.keyAHi : p.keyBHi, q.srcHi);
            assertEquals(p.keySrcIsA ? p.keyALo : p.keyBLo, q.srcLo);
            assertEquals(p.keySrcIsA ? p.keyBHi : p.keyAHi, q.dstHi);
            assertEquals(p.keySrcIsA ? p.keyBLo : p.keyALo, q.dstLo);
        }
    }
}
