package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.util.Hashing;

/**
 * Accounts IP fragments per datagram, as Zeek does after reassembly: a connection counts one packet per datagram,
 * with the datagram's length as its IP bytes (for IPv6 without its fragment header, which reassembly removes), once
 * every byte of it has arrived, whatever order the fragments came in and however they overlap. Only the byte
 * ranges seen (up to {@link #MAX_RANGES} disjoint ones a datagram) and the first fragment's transport header fields
 * are kept, never payload bytes, in a fixed direct-mapped table: a datagram that is overwritten by a newer one, times
 * out (Zeek's 5 minutes), arrives in more pieces than that, or is still incomplete at the end is counted as
 * incomplete, with the number of frames it had.
 */
public final class FragmentReassembly
{
    private static final int SLOTS = 4096;
    private static final int MASK = SLOTS - 1;
    /** Disjoint byte ranges kept per datagram; in-order fragments merge into one, so only reordering uses more. */
    static final int MAX_RANGES = 16;
    /** IPv6's fragment header, part of each fragment but not of the reassembled datagram. */
    private static final int IPV6_FRAGMENT_HEADER = 8;

    // Per slot: key, progress, and the first fragment's transport fields.
    private final long[] srcHi = new long[SLOTS];
    private final long[] srcLo = new long[SLOTS];
    private final long[] dstHi = new long[SLOTS];
    private final long[] dstLo = new long[SLOTS];
    private final long[] idProto = new long[SLOTS];
    private final long[] firstSeen = new long[SLOTS];
    private final int[] frames = new int[SLOTS];
    /** Per slot, MAX_RANGES [start, end) byte ranges of the payload seen, sorted and disjoint; and their count. */
    private final long[] rangeStart = new long[SLOTS * MAX_RANGES];
    private final long[] rangeEnd = new long[SLOTS * MAX_RANGES];
    private final int[] ranges = new int[SLOTS];
    /** Datagram payload length once the last fragment is seen, else -1. */
    private final long[] total = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final boolean[] haveFirst = new boolean[SLOTS];
    private final int[] headerLength = new int[SLOTS];
    private final int[] transportHeader = new int[SLOTS];
    private final int[] ports = new int[SLOTS];
    private final boolean[] hasPorts = new boolean[SLOTS];
    private final int[] tcpFlags = new int[SLOTS];
    private final long[] seq = new long[SLOTS];
    private final long[] ack = new long[SLOTS];
    private final int[] window = new int[SLOTS];
    private final int[] icmp = new int[SLOTS];
    private final long timeout;
    private long incompleteFrames;
    private long overwritten;

    public FragmentReassembly(final long timeoutNanos)
    {
        this.timeout = timeoutNanos;
    }

    private static long key(final DecodedPacket p)
    {
        return (p.fragmentId << 8) | p.protocol;
    }

    /**
     * Takes one fragment. Returns 0 while its datagram is incomplete; when this fragment completes it, fills
     * {@code p} as the whole datagram (first fragment's header fields, total lengths) and returns the datagram's
     * number of frames.
     */
    public int add(final DecodedPacket p)
    {
        final long k = key(p);
        final int slot = (int)Hashing.mix(p.srcLo * 31 + p.dstLo + p.srcHi * 17 + p.dstHi * 13 + k) & MASK;
        if (used[slot] && (srcHi[slot] != p.srcHi || srcLo[slot] != p.srcLo || dstHi[slot] != p.dstHi
            || dstLo[slot] != p.dstLo || idProto[slot] != k || p.timestampNanos - firstSeen[slot] > timeout))
        {
            incompleteFrames += frames[slot];
            overwritten++;
            used[slot] = false;
        }
        if (!used[slot])
        {
            used[slot] = true;
            srcHi[slot] = p.srcHi;
            srcLo[slot] = p.srcLo;
            dstHi[slot] = p.dstHi;
            dstLo[slot] = p.dstLo;
            idProto[slot] = k;
            firstSeen[slot] = p.timestampNanos;
            frames[slot] = 0;
            ranges[slot] = 0;
            total[slot] = -1;
            haveFirst[slot] = false;
        }
        frames[slot]++;
        final int fragmentPayload = p.ipTotalLength - p.ipHeaderLength;
        if (!cover(slot, p.fragmentOffset, p.fragmentOffset + fragmentPayload))
        {
            // Too many pieces to follow: the datagram is given up, its frames counted as incomplete.
            incompleteFrames += frames[slot];
            used[slot] = false;
            return 0;
        }
        if (!p.moreFragments)
        {
            total[slot] = (long)p.fragmentOffset + fragmentPayload;
        }
        if (!p.laterFragment)
        {
            haveFirst[slot] = true;
            headerLength[slot] = p.ipVersion == 6 ? p.ipHeaderLength - IPV6_FRAGMENT_HEADER : p.ipHeaderLength;
            transportHeader[slot] = fragmentPayload - p.payloadLength;
            ports[slot] = (p.srcPort << 16) | p.dstPort;
            hasPorts[slot] = p.hasPorts;
            tcpFlags[slot] = p.tcpFlags;
            seq[slot] = p.seq;
            ack[slot] = p.ack;
            window[slot] = p.window;
            icmp[slot] = (p.icmpType << 16) | (p.icmpCode & 0xFFFF);
        }
        if (!haveFirst[slot] || total[slot] < 0 || ranges[slot] != 1 || rangeStart[slot * MAX_RANGES] != 0
            || rangeEnd[slot * MAX_RANGES] < total[slot])
        {
            return 0;
        }
        used[slot] = false;
        p.laterFragment = false;
        p.moreFragments = false;
        p.fragment = false;
        p.ipHeaderLength = headerLength[slot];
        p.ipTotalLength = (int)Math.min(Integer.MAX_VALUE, headerLength[slot] + total[slot]);
        p.payloadLength = (int)Math.max(0, total[slot] - transportHeader[slot]);
        p.hasPorts = hasPorts[slot];
        p.srcPort = ports[slot] >>> 16;
        p.dstPort = ports[slot] & 0xFFFF;
        p.tcpFlags = tcpFlags[slot];
        p.seq = seq[slot];
        p.ack = ack[slot];
        p.window = window[slot];
        p.icmpType = icmp[slot] >> 16;
        p.icmpCode = (short)icmp[slot];
        // Its checksum covered the whole datagram, which is not kept: it is not verified.
        p.checksumBad = false;
        return frames[slot];
    }

    /** Adds [start, end) to the slot's ranges; false when that would be more than {@link #MAX_RANGES}. */
    private boolean cover(final int slot, final int start, final int end)
    {
        final int n = Ranges.insert(rangeStart, rangeEnd, slot * MAX_RANGES, ranges[slot], MAX_RANGES, start, end);
        if (n < 0)
        {
            return false;
        }
        ranges[slot] = n;
        return true;
    }

    /** Frames of datagrams that never completed so far; {@link #finish} adds those still waiting. */
    public long incompleteFrames()
    {
        return incompleteFrames;
    }

    public long overwritten()
    {
        return overwritten;
    }

    public void finish()
    {
        for (int i = 0; i < SLOTS; i++)
        {
            if (used[i])
            {
                incompleteFrames += frames[i];
                used[i] = false;
            }
        }
    }
}
