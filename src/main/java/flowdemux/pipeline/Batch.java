package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;

/** A preallocated batch of packet descriptors, filled by the reader and drained by one worker, then reused. */
final class Batch
{
    static final int SIZE = 256;

    final DecodedPacket[] packets = new DecodedPacket[SIZE];
    int count;
    /** The reader has no more packets: the worker finishes after this batch. */
    boolean last;
    /** With {@link #last}: the reader's final capture time. */
    long finalNow;
    /** A rolling report asks for the worker's open connections, after this batch's packets; or null. */
    flowdemux.flow.FlowSink snapshot;
    /** Counted down by the worker once {@link #snapshot} has them. */
    java.util.concurrent.CountDownLatch snapshotTaken;

    Batch()
    {
        for (int i = 0; i < SIZE; i++)
        {
            packets[i] = new DecodedPacket();
        }
    }
}
