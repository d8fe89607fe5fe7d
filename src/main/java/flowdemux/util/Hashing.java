package flowdemux.util;

/** Hash mixers and power-of-two helpers for the open-addressed tables. */
public final class Hashing
{
    private Hashing()
    {
    }

    /** SplitMix64 finaliser (the mixer Agrona's {@code Hashing} uses): every input bit affects every output bit. */
    public static long mix(final long value)
    {
        long x = value;
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }

    public static int nextPowerOfTwo(final int value)
    {
        if (value <= 1)
        {
            return 1;
        }
        final int p = 1 << (32 - Integer.numberOfLeadingZeros(value - 1));
        if (p <= 0)
        {
            throw new IllegalArgumentException("capacity too large: " + value);
        }
        return p;
    }
}
