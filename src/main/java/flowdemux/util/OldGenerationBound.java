package flowdemux.util;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Keeps the old generation near what is alive in it during a long run whose objects live as long as a connection
 * (split's file of each open connection): they are promoted, then die there, and the throughput collector collects
 * the old generation only when the heap cannot grow any more (a quarter of the machine's memory). Here a full
 * collection runs once the old generation holds half again what was alive after the last one (at least a floor), so the
 * heap follows the live connections instead of the run's length. A few collections of a tenth of a second each.
 */
public final class OldGenerationBound
{
    private static final long FLOOR = 192L << 20;
    private static boolean installed;

    private OldGenerationBound()
    {
    }

    /** A threshold the pool accepts: at most its maximum, when it has one. */
    private static long bounded(final MemoryPoolMXBean pool, final long threshold)
    {
        final long max = pool.getUsage().getMax();
        return max > 0 ? Math.min(max, threshold) : threshold;
    }

    /** Installs the bound for the rest of the JVM's life; false where no pool supports it (other collectors). */
    public static synchronized boolean install()
    {
        if (installed)
        {
            return true;
        }
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            if (pool.getType() == MemoryType.HEAP && pool.isUsageThresholdSupported()
                && (pool.getName().contains("Old") || pool.getName().contains("Tenured")))
            {
                pool.setUsageThreshold(bounded(pool, FLOOR));
                final NotificationListener collect = (notification, handback) ->
                {
                    if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(notification.getType()))
                    {
                        System.gc();
                        final long alive = pool.getUsage().getUsed();
                        pool.setUsageThreshold(bounded(pool, Math.max(FLOOR, alive + alive / 2)));
                    }
                };
                ((NotificationEmitter)ManagementFactory.getMemoryMXBean()).addNotificationListener(collect, null,
                    null);
                installed = true;
                return true;
            }
        }
        return false;
    }
}
