package flowdemux.decode;

/**
 * Keyed packets packed into a {@code long[]}, {@link #WORDS} longs each, one after another: the form in which the
 * reader hands a batch to a worker. A {@link DecodedPacket} object spreads its 53 fields over about 260 bytes, and
 * every one of those cache lines crosses from the reader's core to the worker's and back with each use of a batch;
 * packed, a packet is 128 bytes written front to back. Only what tracking reads is carried (the key, its hash, times,
 * lengths, TCP header fields, service-detection bytes); the rest of the decode (header offsets, fragment fields, TTL,
 * checksum states) stays with the reader, which has used it by then.
 */
public final class PackedPackets
{
    /** Longs a packet. */
    public static final int WORDS = 16;

    private static final int TIMESTAMP = 0;
    private static final int CAPTURE_NOW = 1;
    private static final int KEY_A_HI = 2;
    private static final int KEY_A_LO = 3;
    private static final int KEY_B_HI = 4;
    private static final int KEY_B_LO = 5;
    private static final int KEY_PORTS_PROTO = 6;
    private static final int KEY_HASH = 7;
    private static final int PACKET_INDEX = 8;
    /** seq (low 32 bits), ack (high 32): both unsigned 32-bit numbers. */
    private static final int SEQ_ACK = 9;
    /** payloadLength (low 32), ipTotalLength (high 32). */
    private static final int LENGTHS = 10;
    /** tcpFlags (low 32), window (high 32). */
    private static final int FLAGS_WINDOW = 11;
    /** mss (low 32), windowScale (high 32). */
    private static final int OPTIONS = 12;
    /** frames (low 32), capturedPayload (high 32). */
    private static final int FRAMES = 13;
    /** inspectOffset (low 32), inspectLength (high 32). */
    private static final int INSPECT = 14;
    /**
     * vlanId + 1 (bits 0-15: the id is 12 bits, or -1 for none), protocol (16-23), keySrcIsA, checksumBad,
     * sackPermitted, hasTimestamps (24-27), the tunnel the packet carries (28-31), expectedService (32-39), the
     * instance of the tunnel the packet is inside (40-63).
     */
    private static final int MISC = 15;
    private static final int PROTOCOL_SHIFT = 16;
    private static final int BITS_SHIFT = 24;
    private static final int CARRIES_SHIFT = 28;
    private static final int TUNNEL_SHIFT = 40;

    private static final long LOW = 0xFFFF_FFFFL;

    private PackedPackets()
    {
    }

    /**
     * Writes keyed {@code p}'s tracked fields at packet {@code index} of {@code words}; its service-detection bytes
     * are the {@code inspectLength} at {@code inspectOffset} of the arena that goes with {@code words}.
     */
    public static void pack(final DecodedPacket p, final int inspectOffset, final int inspectLength,
        final long[] words, final int index)
    {
        final int at = index * WORDS;
        words[at + TIMESTAMP] = p.timestampNanos;
        words[at + CAPTURE_NOW] = p.captureNow;
        words[at + KEY_A_HI] = p.keyAHi;
        words[at + KEY_A_LO] = p.keyALo;
        words[at + KEY_B_HI] = p.keyBHi;
        words[at + KEY_B_LO] = p.keyBLo;
        words[at + KEY_PORTS_PROTO] = p.keyPortsProto;
        words[at + KEY_HASH] = p.keyHash;
        words[at + PACKET_INDEX] = p.packetIndex;
        words[at + SEQ_ACK] = (p.seq & LOW) | (p.ack << 32);
        words[at + LENGTHS] = pair(p.payloadLength, p.ipTotalLength);
        words[at + FLAGS_WINDOW] = pair(p.tcpFlags, p.window);
        words[at + OPTIONS] = pair(p.mss, p.windowScale);
        words[at + FRAMES] = pair(p.frames, p.capturedPayload);
        words[at + INSPECT] = pair(inspectOffset, inspectLength);
        words[at + MISC] = ((p.vlanId + 1) & 0xFFFF) | (p.protocol & 0xFF) << PROTOCOL_SHIFT
            | bit(p.keySrcIsA, 0) | bit(p.checksumBad, 1) | bit(p.sackPermitted, 2) | bit(p.hasTimestamps, 3)
            | (long)(p.carries & 0xF) << CARRIES_SHIFT | (long)(p.expectedService & 0xFF) << 32
            | (long)p.tunnelInstance << TUNNEL_SHIFT;
    }

    /**
     * Sets {@code p} to packet {@code index} of {@code words}, its service-detection bytes in {@code arena}. Fields
     * not carried (ports, header offsets, fragment fields, TTL, checksum states) keep what they had; the addresses come
     * back from the key.
     */
    public static void unpack(final long[] words, final int index, final byte[] arena, final DecodedPacket p)
    {
        final int at = index * WORDS;
        p.timestampNanos = words[at + TIMESTAMP];
        p.captureNow = words[at + CAPTURE_NOW];
        final long aHi = words[at + KEY_A_HI];
        final long aLo = words[at + KEY_A_LO];
        final long bHi = words[at + KEY_B_HI];
        final long bLo = words[at + KEY_B_LO];
        final long portsProto = words[at + KEY_PORTS_PROTO];
        p.keyAHi = aHi;
        p.keyALo = aLo;
        p.keyBHi = bHi;
        p.keyBLo = bLo;
        p.keyPortsProto = portsProto;
        p.keyHash = words[at + KEY_HASH];
        p.packetIndex = words[at + PACKET_INDEX];
        final long seqAck = words[at + SEQ_ACK];
        p.seq = seqAck & LOW;
        p.ack = seqAck >>> 32;
        final long lengths = words[at + LENGTHS];
        p.payloadLength = (int)lengths;
        p.ipTotalLength = (int)(lengths >>> 32);
        final long flagsWindow = words[at + FLAGS_WINDOW];
        p.tcpFlags = (int)flagsWindow;
        p.window = (int)(flagsWindow >>> 32);
        final long options = words[at + OPTIONS];
        p.mss = (int)options;
        p.windowScale = (int)(options >>> 32);
        final long frames = words[at + FRAMES];
        p.frames = (int)frames;
        p.capturedPayload = (int)(frames >>> 32);
        final long inspect = words[at + INSPECT];
        p.inspectOffset = (int)inspect;
        p.inspectLength = (int)(inspect >>> 32);
        p.inspectBytes = arena;
        final long misc = words[at + MISC];
        p.vlanId = ((int)misc & 0xFFFF) - 1;
        p.protocol = (int)(misc >>> PROTOCOL_SHIFT) & 0xFF;
        p.expectedService = (int)(misc >>> 32) & 0xFF;
        p.carries = (int)(misc >>> CARRIES_SHIFT) & 0xF;
        p.tunnelInstance = (int)(misc >>> TUNNEL_SHIFT);
        final boolean srcIsA = (misc & bit(true, 0)) != 0;
        p.keySrcIsA = srcIsA;
        p.checksumBad = (misc & bit(true, 1)) != 0;
        p.sackPermitted = (misc & bit(true, 2)) != 0;
        p.hasTimestamps = (misc & bit(true, 3)) != 0;
        p.srcHi = srcIsA ? aHi : bHi;
        p.srcLo = srcIsA ? aLo : bLo;
        p.dstHi = srcIsA ? bHi : aHi;
        p.dstLo = srcIsA ? bLo : aLo;
    }

    /** The key hash of packet {@code index}, for a lookahead over a batch. */
    public static long keyHash(final long[] words, final int index)
    {
        return words[index * WORDS + KEY_HASH];
    }

    private static long pair(final int low, final int high)
    {
        return (low & LOW) | ((long)high << 32);
    }

    private static long bit(final boolean set, final int n)
    {
        return set ? 1L << (BITS_SHIFT + n) : 0;
    }
}
