package flowdemux.util;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressesTest
{
    private static String text(final String literal) throws Exception
    {
        final ByteBuffer b = ByteBuffer.wrap(InetAddress.getByName(literal).getAddress());
        return Addresses.format(b.getLong(), b.getLong());
    }

    /** RFC 5952 section 4: lower case, no leading zeros, the longest zero run (first of equals, two or more) as ::. */
    @Test
    void writesIpv6AsRfc5952Says() throws Exception
    {
        assertEquals("::", text("0:0:0:0:0:0:0:0"));
        assertEquals("::1", text("0:0:0:0:0:0:0:1"));
        assertEquals("1::", text("1:0:0:0:0:0:0:0"));
        assertEquals("2001:db8::1", text("2001:0DB8:0000:0000:0000:0000:0000:0001"));
        assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
        assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"));
        assertEquals("2001:0:0:1::1", text("2001:0:0:1:0:0:0:1"));
        assertEquals("fe80::a:b0c", text("fe80:0:0:0:0:0:a:b0c"));
        assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertEquals("10.1.2.3", Addresses.format(0, 0xFFFF_0A01_0203L));
        final AsciiLine line = new AsciiLine(8).append("x=");
        Addresses.append(line, 0, 1);
        assertEquals("x=::1", line.toString(), "appended after other text, without a stray colon");
    }

    /** Random addresses (many zero groups) read back to the same 16 bytes, with no group written with a leading 0. */
    @Test
    void randomAddressesRoundTrip() throws Exception
    {
        final Random random = new Random(3);
        for (int i = 0; i < 20_000; i++)
        {
            final long hi = sparse(random);
            final long lo = sparse(random);
            if (Addresses.isIpv4(hi, lo))
            {
                continue;
            }
            final String t = Addresses.format(hi, lo);
            final byte[] expected = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            assertArrayEquals(expected, InetAddress.getByName(t).getAddress(), t);
            assertFalse(t.matches(".*(^|:)0[0-9a-f].*"), t);
            assertTrue(t.indexOf("::") == t.lastIndexOf("::"), t);
        }
    }

    private static long sparse(final Random random)
    {
        long v = 0;
        for (int g = 0; g < 4; g++)
        {
            v = (v << 16) | (random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0);
        }
        return v;
    }
}
