package flowdemux.flow;

import flowdemux.util.AsciiLine;
import flowdemux.util.Hashing;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The uid written two base-62 digits a division is the uid of one digit a division, for any seed and serial. */
class UidTest
{
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** The definition: "C", then 9 digits of a and 8 of c, lowest first, each an unsigned remainder by 62. */
    private static String reference(final long seed, final long serial)
    {
        long a = Hashing.mix((serial + 0x5DEECE66DL) ^ Hashing.mix(seed));
        long c = Hashing.mix(a ^ 0x2545F4914F6CDD1DL);
        final StringBuilder sb = new StringBuilder("C");
        for (int i = 0; i < 9; i++)
        {
            sb.append(ALPHABET.charAt((int)Long.remainderUnsigned(a, 62)));
            a = Long.divideUnsigned(a, 62);
        }
        for (int i = 0; i < 8; i++)
        {
            sb.append(ALPHABET.charAt((int)Long.remainderUnsigned(c, 62)));
            c = Long.divideUnsigned(c, 62);
        }
        return sb.toString();
    }

    @Test
    void equalsTheOneDigitAtATimeDefinition()
    {
        final SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++)
        {
            final long seed = i < 1000 ? i : r.nextLong();
            final long serial = i < 1000 ? i * 31L : r.nextLong(1L << 46);
            assertEquals(reference(seed, serial), FlowRecord.uid(seed, serial), "seed " + seed + " serial " + serial);
        }
    }

    @Test
    void digitsOfTheExtremes()
    {
        for (final long v : new long[] {0, 1, 61, 62, 3843, 3844, -1, Long.MIN_VALUE, Long.MAX_VALUE, -3844, -3845})
        {
            for (int digits = 2; digits <= 11; digits++)
            {
                final AsciiLine line = new AsciiLine(16);
                FlowRecord.appendBase62(line, v, digits);
                long x = v;
                final StringBuilder want = new StringBuilder();
                for (int i = 0; i < digits; i++)
                {
                    want.append(ALPHABET.charAt((int)Long.remainderUnsigned(x, 62)));
                    x = Long.divideUnsigned(x, 62);
                }
                assertEquals(want.toString(), line.toString(), v + " in " + digits + " digits");
            }
        }
    }
}
