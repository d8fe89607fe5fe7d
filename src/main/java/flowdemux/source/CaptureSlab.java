package flowdemux.source;

/**
 * A run of captured packets copied out of libpcap's buffer back to back into one array, with their lengths and times
 * in parallel arrays: what the capture thread hands to the analysis thread, and gets back to refill. A packet never
 * straddles two slabs.
 */
public final class CaptureSlab
{
    static final int BYTES = 1 << 20;
    static final int PACKETS = 8192;

    final byte[] data = new byte[BYTES];
    final int[] offset = new int[PACKETS];
    final int[] captured = new int[PACKETS];
    final int[] original = new int[PACKETS];
    final long[] timestamp = new long[PACKETS];
    int count;
    int used;

    /** Whether one more packet of up to {@code maxLength} bytes surely fits. */
    boolean hasRoom(final int maxLength)
    {
        return count < PACKETS && used + maxLength <= BYTES;
    }

    void clear()
    {
        count = 0;
        used = 0;
    }
}
