package flowdemux.pipeline;

import java.util.concurrent.locks.LockSupport;

/** Back-off while a ring is empty or full: spin, then yield, then park briefly (Agrona's BackoffIdleStrategy). */
final class Idle
{
    private static final int SPINS = 200;
    private static final int YIELDS = 100;
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
