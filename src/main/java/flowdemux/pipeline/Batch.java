package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.PackedPackets;

/**
 * A preallocated batch of keyed packets, packed ({@link PackedPackets}), filled by the reader and drained by one
 * worker, then reused.
 */
final class Batch
{
    /**
     * 512 rather than 256: a worker that waits on the reader (most of a read, on two cores) wakes once per batch, and
     * each wake-up is a park, a yield or two and their system calls; fewer, larger batches wake it less often.
     */
    static final int SIZE = 512;

    final long[] packets = new long[SIZE * PackedPackets.WORDS];
    int count;
    /** The first payload bytes of the packets, for service detection, one after another; null when it is off. */
    byte[] payloads;
    private int payloadsUsed;
    /** The reader has no more packets: the worker finishes after this batch. */
    boolean last;
    /** With {@link #last}: the reader's final capture time. */
    long finalNow;
    /** After this batch's packets, the worker's capture clock moves on to this (a quiet live link); or MIN_VALUE. */
    long advanceTo = Long.MIN_VALUE;
    /** A rolling report asks for the worker's open connections, after this batch's packets; or null. */
    flowdemux.flow.FlowSink snapshot;
    /** Counted down by the worker once {@link #snapshot} has them. */
    java.util.concurrent.CountDownLatch snapshotTaken;

    /** Adds a copy of keyed {@code p} with up to {@code prefix} of its payload bytes. */
    void add(final DecodedPacket p, final int prefix)
    {
        if (prefix > 0 && payloads == null)
        {
            // Room for a whole ClientHello beyond the prefix of every packet (service.Continuations).
            payloads = new byte[SIZE * prefix + flowdemux.service.Continuations.MAX_BYTES];
        }
        // The payload bytes go into the batch's arena (the reader's buffer is reused before a worker gets to them),
        // one packet's after another, so that the copies stay in few cache lines. What the reader chose to keep
        // fits: it hands on a batch that has no room for it (fits) first.
        final int room = payloads == null ? 0 : payloads.length - payloadsUsed;
        final int n = Math.min(p.inspectLength, room);
        if (n > 0)
        {
            System.arraycopy(p.inspectBytes, p.inspectOffset, payloads, payloadsUsed, n);
        }
        PackedPackets.pack(p, payloadsUsed, n, packets, count++);
        payloadsUsed += n;
    }

    /** Whether {@link #add} has room for all of the packet's kept payload bytes. */
    boolean fits(final DecodedPacket p)
    {
        return payloads == null || payloadsUsed + p.inspectLength <= payloads.length;
    }

    /** Empty again, for the reader to fill. */
    void clear()
    {
        count = 0;
        payloadsUsed = 0;
    }
}
