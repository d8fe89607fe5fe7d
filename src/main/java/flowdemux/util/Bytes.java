package flowdemux.util;

/**
 * Unsigned big-endian (network order) and little-endian reads over a byte array, with no bounds checks of their own:
 * every caller has already checked its offsets against the captured length (see {@link #isOutOfBounds}).
 */
public final class Bytes
{
    private Bytes()
    {
    }

    public static int u8(final byte[] b, final int i)
    {
        return b[i] & 0xFF;
    }

    public static int u16(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    public static int u16le(final byte[] b, final int i)
    {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    /** 32-bit big-endian value as an int; use {@link #u32} when it must be unsigned. */
    public static int i32(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    public static int i32le(final byte[] b, final int i)
    {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((b[i + 3] & 0xFF) << 24);
    }

    public static long u32(final byte[] b, final int i)
    {
        return i32(b, i) & 0xFFFF_FFFFL;
    }

    public static long i64(final byte[] b, final int i)
    {
        return ((long)i32(b, i) << 32) | (i32(b, i + 4) & 0xFFFF_FFFFL);
    }

    /** Netty's one-expression check: true when [index, index + length) is not inside [0, capacity). */
    public static boolean isOutOfBounds(final int index, final int length, final int capacity)
    {
        return (index | length | capacity | (index + length)) < 0 || index + length > capacity;
    }
}
