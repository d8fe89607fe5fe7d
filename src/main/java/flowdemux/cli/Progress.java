package flowdemux.cli;

import flowdemux.pipeline.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;

/** One self-overwriting line on a terminal's standard error: bytes read, packets/s, ETA; only after the first second. */
final class Progress implements ProgressListener
{
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private static final long EVERY_NANOS = 250_000_000L;
    private static boolean shown;
    private final PrintWriter err;
    private final long totalBytes;
    private final long start = System.nanoTime();
    private long lastShown;

    Progress(final PrintWriter err, final long totalBytes)
    {
        this.err = err;
        this.totalBytes = totalBytes;
    }

    @Override
    public void progress(final long bytesRead, final long packets)
    {
        final long now = System.nanoTime();
        final long elapsed = now - start;
        if (elapsed < SHOW_AFTER_NANOS || now - lastShown < EVERY_NANOS)
        {
            return;
        }
        lastShown = now;
        final double seconds = elapsed / 1e9;
        final double pps = packets / seconds;
        String eta = "";
        if (totalBytes > 0 && bytesRead > 0)
        {
            final double left = (totalBytes - bytesRead) * seconds / bytesRead;
            eta = String.format(Locale.ROOT, ", %3.0f%%, ETA %.0f s", 100.0 * bytesRead / totalBytes, Math.max(0, left));
        }
        err.printf(Locale.ROOT, "\r  %,d MB read, %,d packets, %.2f Mpackets/s%s   ", bytesRead >> 20, packets, pps / 1e6, eta);
        err.flush();
        shown = true;
    }

    static void clear(final PrintWriter err)
    {
        if (shown)
        {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
