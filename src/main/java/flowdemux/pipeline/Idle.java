package flowdemux.pipeline;

import java.util.concurrent.locks.LockSupport;

/**
 * Back-off while a ring is empty or full: spin, then yield, then park briefly (Agrona's BackoffIdleStrategy). Short:
 * on two cores the reader and two workers are three busy threads, and a thread that spins takes the core from one
 * that has work. 200 spins and 100 yields before parking spent about 8% of a read's CPU in this method
 * (async-profiler); 50 and 10 used less CPU in 6 of 6 alternating reads of the 14.4M-packet capture at equal wall
 * time, and parking sooner (20 spins, no yields, 50 us) made reads slower.
 */
final class Idle
{
    private static final int SPINS = 50;
    private static final int YIELDS = 10;
    private static final long PARK_NANOS = 20_000;

    private Idle()
    {
    }

    /** @param idleCount how many times in a row there was nothing to do */
    static void idle(final int idleCount)
    {
        if (idleCount < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }
}
