package flowdemux.source;

import org.jctools.queues.SpscArrayQueue;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * A live capture read on a thread of its own, so that libpcap's ring is drained even while the analysis is busy (a
 * rolling report, a burst of ended connections, a collection): the capture thread copies packets into
 * {@link CaptureSlab}s and hands them over a single-producer single-consumer ring (JCTools); the analysis thread
 * reads them as a {@link CaptureReader} and hands the slabs back. When every slab is waiting for the analysis, the
 * capture thread keeps draining libpcap and throws those packets away, counted as flowdemux's drops: it never blocks
 * on the analysis, and nothing is lost without being counted.
 */
public final class LiveFeed implements CaptureReader
{
    /** Slabs between the two threads by default: 32 MiB, about 100,000 packets of a few hundred bytes. */
    public static final int DEFAULT_SLABS = 32;
    /** How often the capture thread reads libpcap's counters. */
    private static final long COUNTERS_EVERY_NANOS = 100_000_000L;
    /** Capture thread: pause when libpcap has nothing (it hands over whole blocks, at least every read timeout). */
    private static final long QUIET_PARK_NANOS = 1_000_000;
    /** Analysis thread: pause when no slab is waiting. */
    private static final long WAIT_PARK_NANOS = 1_000_000;
    private static final long JOIN_MILLIS = 5_000;

    private final LiveCapture capture;
    private final SpscArrayQueue<CaptureSlab> full;
    private final SpscArrayQueue<CaptureSlab> free;
    /** Where packets go when no slab is free: filled, counted and cleared. */
    private final CaptureSlab overflow = new CaptureSlab();
    private final Runnable onIdle;
    private final Thread thread;
    private volatile boolean done;
    private volatile Throwable failure;
    /** Packets read from libpcap but thrown away because the analysis was behind (capture thread writes). */
    private volatile long dropped;
    /** Packets read from libpcap, handed over or dropped (capture thread writes). */
    private volatile long taken;
    /** libpcap's {received, dropped by the kernel, dropped by the interface} as last read, or null. */
    private volatile long[] counters;

    // The analysis thread's side.
    private CaptureSlab reading;
    private int position;
    private long index;
    private long bytes;

    /**
     * @param slabs  slabs between the two threads (1 MiB each)
     * @param onIdle called on the analysis thread between slabs and while it waits (at least every millisecond)
     */
    public LiveFeed(final LiveCapture capture, final int slabs, final Runnable onIdle)
    {
        this.capture = capture;
        this.onIdle = onIdle;
        this.full = new SpscArrayQueue<>(slabs);
        this.free = new SpscArrayQueue<>(slabs);
        for (int i = 0; i < slabs; i++)
        {
            free.offer(new CaptureSlab());
        }
        this.thread = new Thread(this::capture, "flowdemux-capture");
        this.thread.setDaemon(true);
    }

    /** Starts the capture thread. */
    public LiveFeed start()
    {
        thread.start();
        return this;
    }

    private void capture()
    {
        CaptureSlab slab = null;
        long countersAt = System.nanoTime();
        counters = capture.stats();
        try
        {
            while (!capture.ended())
            {
                if (slab == null)
                {
                    slab = free.relaxedPoll();
                }
                final int added;
                if (slab == null)
                {
                    added = capture.fill(overflow);
                    dropped += overflow.count;
                    overflow.clear();
                }
                else
                {
                    added = capture.fill(slab);
                    // Hand over a full slab at once, and a partial one as soon as the analysis has nothing else to
                    // do: while it is busy, packets gather into fewer, fuller slabs instead of using up the slabs.
                    if (slab.count > 0 && (!slab.hasRoom(CaptureSlab.BYTES >> 2) || full.isEmpty()))
                    {
                        full.offer(slab);
                        slab = null;
                    }
                }
                if (added > 0)
                {
                    taken += added;
                }
                final long now = System.nanoTime();
                if (now - countersAt >= COUNTERS_EVERY_NANOS)
                {
                    countersAt = now;
                    counters = capture.stats();
                }
                if (added == 0)
                {
                    LockSupport.parkNanos(QUIET_PARK_NANOS);
                }
            }
        }
        catch (IOException | RuntimeException | Error e)
        {
            failure = e;
        }
        finally
        {
            if (slab != null && slab.count > 0)
            {
                full.offer(slab); // the ring holds every slab: this always succeeds
            }
            counters = capture.stats();
            done = true;
        }
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException
    {
        int idle = 0;
        while (true)
        {
            final CaptureSlab slab = reading;
            if (slab != null)
            {
                final int i = position;
                if (i < slab.count)
                {
                    position = i + 1;
                    record.set(slab.data, slab.offset[i], slab.captured[i], slab.original[i]);
                    record.timestampNanos = slab.timestamp[i];
                    record.linkType = capture.linkType();
                    record.interfaceId = 0;
                    record.fileOffset = bytes;
                    record.index = index++;
                    bytes += slab.captured[i];
                    return true;
                }
                slab.clear();
                free.offer(slab);
                reading = null;
            }
            final boolean wasDone = done;
            reading = full.relaxedPoll();
            position = 0;
            if (reading != null)
            {
                onIdle.run();
                continue;
            }
            if (wasDone)
            {
                // Everything was handed over before done was set, and the ring is empty: the end.
                rethrowFailure();
                return false;
            }
            onIdle.run();
            if (++idle < 20)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(WAIT_PARK_NANOS);
            }
        }
    }

    private void rethrowFailure() throws IOException
    {
        final Throwable f = failure;
        if (f instanceof IOException io)
        {
            throw io;
        }
        if (f instanceof RuntimeException r)
        {
            throw r;
        }
        if (f instanceof Error e)
        {
            throw e;
        }
    }

    /** Ends the capture: the packets read so far are still handed over. Safe from any thread. */
    public void stop()
    {
        capture.stop();
    }

    /**
     * {received, dropped by the kernel, dropped by the interface, dropped by flowdemux}: libpcap's counters as the
     * capture thread last read them (-1 where libpcap cannot say), and the packets this feed threw away.
     */
    public long[] stats()
    {
        final long[] c = counters;
        final long own = dropped;
        return c == null ? new long[] {-1, -1, -1, own} : new long[] {c[0], c[1], c[2], own};
    }

    /** Packets read from libpcap so far, whether handed over or dropped. Safe from any thread. */
    public long taken()
    {
        return taken;
    }

    public boolean isLoopback()
    {
        return capture.isLoopback();
    }

    public int linkType()
    {
        return capture.linkType();
    }

    @Override
    public String formatName()
    {
        return capture.formatName();
    }

    @Override
    public int[] linkTypes()
    {
        return capture.linkTypes();
    }

    @Override
    public long position()
    {
        return bytes;
    }

    /** Stops the capture thread and then closes the handle, which no thread reads any more. */
    @Override
    public void close()
    {
        capture.stop();
        try
        {
            thread.join(JOIN_MILLIS);
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive())
        {
            capture.close();
        }
    }
}
