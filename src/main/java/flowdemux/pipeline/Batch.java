package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;

/** A preallocated batch of packet descriptors, filled by the reader and drained by one worker, then reused. */
final class Batch
{
    static final int SIZE = 256;

    final DecodedPacket[] packets = new DecodedPacket[SIZE];
    int count;
    /** The first payload bytes of the packets, for service detection, one after another; null when it is off. */
    private byte[] payloads;
    private int payloadsUsed;
    /** The reader has no more packets: the worker finishes after this batch. */
    boolean last;
    /** With {@link #last}: the reader's final capture time. */
    long finalNow;
    /** A rolling report asks for the worker's open connections, after this batch's packets; or null. */
    flowdemux.flow.FlowSink snapshot;
    /** Counted down by the worker once {@link #snapshot} has them. */
    java.util.concurrent.CountDownLatch snapshotTaken;

    /** Adds a copy of {@code p} with up to {@code prefix} of its payload bytes. */
    void add(final DecodedPacket p, final int prefix)
    {
        if (prefix > 0 && payloads == null)
        {
            payloads = new byte[SIZE * prefix];
        }
        payloadsUsed += p.copyTo(packets[count++], prefix, payloads, payloadsUsed);
    }

    /** Empty again, for the reader to fill. */
    void clear()
    {
        count = 0;
        payloadsUsed = 0;
    }

    Batch()
    {
        for (int i = 0; i < SIZE; i++)
        {
            packets[i] = new DecodedPacket();
        }
    }
}
