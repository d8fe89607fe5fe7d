package flowdemux.source;

/** Converts pcapng timestamp ticks at an interface's if_tsresol to nanoseconds since the epoch. */
public final class Timestamps
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = new long[20];

    static
    {
        long p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++)
        {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    private Timestamps()
    {
    }

    /**
     * @param ticks      the 64-bit timestamp, unsigned
     * @param resolution if_tsresol: bit 7 clear means 10^-n seconds per tick, set means 2^-n, n = low 7 bits
     * @param offsetSeconds if_tsoffset, added to the result
     */
    public static long toNanos(final long ticks, final int resolution, final long offsetSeconds)
    {
        final int exponent = resolution & 0x7F;
        final long seconds;
        final long fractionNanos;
        if ((resolution & 0x80) == 0)
        {
            // 10^19 does not fit in a signed long but does unsigned; divideUnsigned handles it.
            final long ticksPerSecond = exponent <= 18 ? POWERS_OF_TEN[exponent] : POWERS_OF_TEN[19];
            seconds = Long.divideUnsigned(ticks, ticksPerSecond);
            final long remainder = Long.remainderUnsigned(ticks, ticksPerSecond);
            fractionNanos = exponent <= 9 ? remainder * POWERS_OF_TEN[9 - exponent]
                : Long.divideUnsigned(remainder, POWERS_OF_TEN[exponent - 9]);
        }
        else if (exponent == 0)
        {
            seconds = ticks;
            fractionNanos = 0;
        }
        else
        {
            seconds = ticks >>> exponent;
            final long remainder = ticks & ((1L << exponent) - 1);
            // floor(remainder * 1e9 / 2^exponent) in 128-bit arithmetic: remainder < 2^63, so both parts are exact.
            final long high = Math.multiplyHigh(remainder, NANOS_PER_SECOND);
            final long low = remainder * NANOS_PER_SECOND;
            fractionNanos = exponent == 64 ? high : (high << (64 - exponent)) | (low >>> exponent);
        }
        final long totalSeconds = seconds + offsetSeconds;
        if (totalSeconds < 0 || totalSeconds > Long.MAX_VALUE / NANOS_PER_SECOND - 1)
        {
            return Long.MAX_VALUE;
        }
        return totalSeconds * NANOS_PER_SECOND + fractionNanos;
    }
}
