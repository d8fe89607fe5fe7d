package flowdemux.host;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many producers (the workers), one consumer (the lookup thread), fixed records of {@link #FIELDS} longs, nothing
 * allocated per record: a producer claims a ticket with a CAS on the tail, writes its fields and publishes the slot
 * by its sequence number (a release store); the consumer reads a slot once its sequence says so. Full: the producer
 * gives up (the caller counts it) rather than wait.
 */
final class RequestRing
{
    static final int FIELDS = 9;

    private final int mask;
    private final long[] fields;
    /** Per slot: ticket + 1 once published. */
    private final AtomicLongArray published;
    private final AtomicLong tail = new AtomicLong();
    /** The consumer's next ticket; read by producers to see whether the ring is full. */
    private final AtomicLong head = new AtomicLong();

    RequestRing(final int capacityPowerOfTwo)
    {
        if (Integer.bitCount(capacityPowerOfTwo) != 1)
        {
            throw new IllegalArgumentException("a power of two");
        }
        this.mask = capacityPowerOfTwo - 1;
        this.fields = new long[capacityPowerOfTwo * FIELDS];
        this.published = new AtomicLongArray(capacityPowerOfTwo);
    }

    /** Publishes one record; false when the ring is full. */
    boolean offer(final long f0, final long f1, final long f2, final long f3, final long f4, final long f5,
        final long f6, final long f7, final long f8)
    {
        long ticket;
        do
        {
            ticket = tail.get();
            if (ticket - head.get() > mask)
            {
                return false;
            }
        }
        while (!tail.compareAndSet(ticket, ticket + 1));
        final int at = (int)(ticket & mask) * FIELDS;
        fields[at] = f0;
        fields[at + 1] = f1;
        fields[at + 2] = f2;
        fields[at + 3] = f3;
        fields[at + 4] = f4;
        fields[at + 5] = f5;
        fields[at + 6] = f6;
        fields[at + 7] = f7;
        fields[at + 8] = f8;
        published.lazySet((int)(ticket & mask), ticket + 1);
        return true;
    }

    /** The consumer's view of one record. */
    @FunctionalInterface
    interface Reader
    {
        void read(long[] fields, int at);
    }

    /** Hands every published record to {@code reader}, in ticket order; the consumer's thread only. */
    int drain(final Reader reader)
    {
        int n = 0;
        long ticket = head.get();
        while (published.get((int)(ticket & mask)) == ticket + 1)
        {
            reader.read(fields, (int)(ticket & mask) * FIELDS);
            ticket++;
            head.lazySet(ticket);
            n++;
        }
        return n;
    }
}
