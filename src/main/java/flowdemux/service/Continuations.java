package flowdemux.service;

import flowdemux.util.Bytes;
import flowdemux.util.Hashing;

/**
 * On the reader: the TCP directions whose next segments detection needs whole, because a message it reads whole
 * (a TLS ClientHello, for its JA4; an HTTP request's header, for its Host) began in a segment that did not hold all
 * of it. The reader copies only a short
 * prefix of most segments ({@link ServicePrefix}); a segment that continues such a message is copied as far as the
 * message goes (by sequence number, so that retransmissions and segments out of order are copied too). Directions
 * are told apart by a hash of their addresses and ports: a collision only copies some
 * other segment's bytes too, which detection decides the same on. Bounded: when {@link #CAPACITY} messages are
 * pending, one more is not followed, and a message whose rest never came is forgotten after
 * {@link #STALE_AFTER} payload segments.
 */
public final class Continuations
{
    /** The most bytes of one message followed (a ClientHello with a post-quantum key share is about 1.8 KB). */
    public static final int MAX_BYTES = 16_384;
    static final int CAPACITY = 1024;
    static final long STALE_AFTER = 1 << 20;
    private static final int HANDSHAKE = 0x16;
    private static final int CLIENT_HELLO = 1;
    private static final int RECORD_HEADER = 5;
    private static final int MAX_RECORD = 16_384;

    private final long[] keys = new long[CAPACITY * 2];
    /** The sequence number just past the message: segments before it continue it (retransmissions too). */
    private final long[] endSeq = new long[CAPACITY * 2];
    private final long[] since = new long[CAPACITY * 2];
    private int count;
    private long segments;

    /**
     * How many of a TCP segment's {@code n} captured payload bytes {@code b[o, o + n)} to copy, given that its prefix
     * rule wanted {@code wanted}: all of a segment that continues a pending message (up to its end), all of one that
     * starts a ClientHello (which is then followed if it goes on), else {@code wanted}. {@code seq}: the segment's
     * sequence number.
     */
    public int wanted(final long srcHi, final long srcLo, final int srcPort, final long dstHi, final long dstLo,
        final int dstPort, final long seq, final byte[] b, final int o, final int n, final int wanted)
    {
        segments++;
        int want = wanted;
        if (count > 0)
        {
            final int slot = find(key(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort));
            if (slot >= 0)
            {
                final int before = (int)(endSeq[slot] - seq);
                if (before > 0)
                {
                    want = Math.max(wanted, Math.min(n, before));
                }
                else
                {
                    remove(slot); // the sender is past the message
                }
            }
        }
        final int c = n > 0 ? b[o] & 0xFF : 0;
        return c == HANDSHAKE || (c >= 'A' && c <= 'Z')
            ? begun(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, seq, b, o, n, want) : want;
    }

    /** A segment that may begin a message read whole (a handshake record, an HTTP request): kept off the common path. */
    private int begun(final long srcHi, final long srcLo, final int srcPort, final long dstHi, final long dstLo,
        final int dstPort, final long seq, final byte[] b, final int o, final int n, final int want)
    {
        if (n < RECORD_HEADER + 4 && n > 0 && (b[o] & 0xFF) == HANDSHAKE && (n == 1 || b[o + 1] == 3))
        {
            // The first bytes of a handshake record, alone in a segment (a message written a few bytes at a time):
            // what follows is the record, whole if its length is known.
            final int whole = n >= RECORD_HEADER ? RECORD_HEADER + Bytes.u16(b, o + 3) : MAX_BYTES;
            add(key(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort), (seq + Math.min(MAX_BYTES, whole)) & 0xFFFF_FFFFL);
            return Math.max(want, n);
        }
        if (n < ServiceInspector.PACKET_BYTES && Signatures.requestStart(b, o, n, true) && !Opening.headerEnd(b, o, n))
        {
            // An HTTP request whose header goes on in the next segments: detection reads it whole (Host,
            // User-Agent), up to a packet's bytes.
            add(key(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort), (seq + ServiceInspector.PACKET_BYTES) & 0xFFFF_FFFFL);
            return Math.max(want, n);
        }
        if (n < RECORD_HEADER + 4 || (b[o] & 0xFF) != HANDSHAKE || (b[o + 5] & 0xFF) != CLIENT_HELLO)
        {
            return want;
        }
        // The handshake message, and a record header for each 16 KiB of it.
        final int message = 4 + ((b[o + 6] & 0xFF) << 16 | Bytes.u16(b, o + 7));
        final int whole = Math.min(MAX_BYTES, message + RECORD_HEADER * (1 + message / MAX_RECORD));
        if (whole > n)
        {
            add(key(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort), (seq + whole) & 0xFFFF_FFFFL);
        }
        return Math.max(want, Math.min(n, whole));
    }

    private static long key(final long srcHi, final long srcLo, final int srcPort, final long dstHi, final long dstLo,
        final int dstPort)
    {
        final long h = Hashing.mix(srcLo * 0x9E3779B97F4A7C15L + dstLo + ((long)srcPort << 16 | dstPort));
        final long k = Hashing.mix(h ^ srcHi ^ Long.rotateLeft(dstHi, 29));
        return k == 0 ? 1 : k;
    }

    private int find(final long key)
    {
        final int mask = keys.length - 1;
        for (int i = (int)key & mask; keys[i] != 0; i = (i + 1) & mask)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }
        return -1;
    }

    private void add(final long key, final long end)
    {
        final int known = find(key);
        if (known >= 0)
        {
            endSeq[known] = end; // a new message of the same direction
            since[known] = segments;
            return;
        }
        if (count == CAPACITY)
        {
            forgetStale();
            if (count == CAPACITY)
            {
                return;
            }
        }
        final int mask = keys.length - 1;
        int i = (int)key & mask;
        while (keys[i] != 0)
        {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        endSeq[i] = end;
        since[i] = segments;
        count++;
    }

    private void forgetStale()
    {
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i] != 0 && segments - since[i] > STALE_AFTER)
            {
                remove(i);
                i--; // the slot may hold an entry moved back into it
            }
        }
    }

    /** Backward-shift deletion, so that no tombstone is left. */
    private void remove(final int slot)
    {
        final int mask = keys.length - 1;
        int hole = slot;
        int i = slot;
        while (true)
        {
            i = (i + 1) & mask;
            if (keys[i] == 0)
            {
                break;
            }
            final int home = (int)keys[i] & mask;
            final boolean between = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!between)
            {
                keys[hole] = keys[i];
                endSeq[hole] = endSeq[i];
                since[hole] = since[i];
                hole = i;
            }
        }
        keys[hole] = 0;
        count--;
    }
}
