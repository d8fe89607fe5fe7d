package flowdemux.decode;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChecksumsTest
{
    /** RFC 1071 as written: 16-bit big-endian words, an odd last byte padded with zero, carries folded back. */
    private static int reference(final byte[] b, final int off, final int len, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < len; i += 2)
        {
            final int hi = b[off + i] & 0xFF;
            final int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        return Checksums.fold(sum);
    }

    /** The wide-word sum equals the plain one for every length 0-1600, any offset and initial sum, odd or even. */
    @Test
    void wideSumEqualsRfc1071()
    {
        final Random random = new Random(5);
        final byte[] b = new byte[4096];
        for (int len = 0; len <= 1600; len++)
        {
            for (int k = 0; k < 4; k++)
            {
                random.nextBytes(b);
                if (k == 3)
                {
                    java.util.Arrays.fill(b, (byte)0xFF); // every word 0xFFFF: the carries at their largest
                }
                final int off = random.nextInt(64);
                final long initial = k == 0 ? 0 : random.nextInt(1 << 20);
                assertEquals(reference(b, off, len, initial), Checksums.fold(Checksums.sum(b, off, len, initial)),
                    "length " + len + " offset " + off);
            }
        }
    }
}
