package flowdemux.pipeline;

import java.util.concurrent.locks.LockSupport;

/**
 * Back-off while a ring is empty or full: spin, then yield, then park briefly (Agrona's BackoffIdleStrategy). Short:
 * on two cores the reader and two workers are three busy threads, and a thread that spins takes the core from one
 * that has work; parking much sooner makes reads slower (docs/performance.md, "Behind the code's choices").
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
