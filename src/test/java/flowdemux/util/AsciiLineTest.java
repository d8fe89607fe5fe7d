package flowdemux.util;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AsciiLineTest
{
    /** Numbers as Long.toString writes them: edges, every power of ten and its neighbours, and random values. */
    @Test
    void numbersAsLongToString()
    {
        final AsciiLine line = new AsciiLine(1);
        final StringBuilder expected = new StringBuilder();
        final long[] edges = {0, 1, -1, 9, 10, -10, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Integer.MAX_VALUE - 1L, 99, 100, 101};
        for (final long v : edges)
        {
            line.append(v).append(' ');
            expected.append(v).append(' ');
        }
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10)
        {
            for (final long v : new long[] {p - 1, p, p + 1, 10 * p - 1, -p})
            {
                line.append(v).append(',');
                expected.append(v).append(',');
            }
        }
        for (int v = 0; v < 200_000; v++)
        {
            line.append(v).append(' ');
            expected.append(v).append(' ');
        }
        final Random random = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            final long v = random.nextLong() >> random.nextInt(64);
            line.append(v).append(';').append((int)v).append(';');
            expected.append(v).append(';').append((int)v).append(';');
        }
        assertEquals(expected.toString(), line.toString());
    }

    @Test
    void textCharsBooleansAndReuse()
    {
        final AsciiLine line = new AsciiLine(4);
        line.append("conn").append('\t').append(true).append(',').append(false).append("\t-");
        assertEquals("conn\ttrue,false\t-", line.toString());
        assertEquals(17, line.length());
        line.setLength(4);
        line.append('!');
        assertEquals("conn!", line.toString());
        assertEquals('c', line.array()[0]);
    }

    /** IPv4 addresses as InetAddress writes them: every octet in every position, and random addresses back to back. */
    @Test
    void ipv4AddressesAsInetAddressWritesThem() throws Exception
    {
        final AsciiLine line = new AsciiLine(1);
        final StringBuilder expected = new StringBuilder();
        final Random random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            // First every octet value at each of the four positions, the other octets random; then random addresses.
            final int shift = 8 * (i >>> 8);
            final int address = i < 1024 ? random.nextInt() & ~(0xFF << shift) | (i & 0xFF) << shift : random.nextInt();
            line.appendIpv4(address);
            line.append(i % 2 == 0 ? ' ' : ':');
            expected.append(java.net.InetAddress.getByAddress(java.nio.ByteBuffer.allocate(4).putInt(address).array())
                .getHostAddress()).append(i % 2 == 0 ? ' ' : ':');
        }
        assertEquals(expected.toString(), line.toString());
        line.setLength(0);
        assertEquals("0.0.0.0|255.255.255.255|10.0.0.1", line.appendIpv4(0).append('|').appendIpv4(-1).append('|')
            .appendIpv4(0x0A00_0001).toString());
    }
}
