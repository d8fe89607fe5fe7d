package flowdemux.flow;

/**
 * Zeek's history letters kept as 5-bit codes, 12 per long in {@link FlowLayout#HISTORY_0} and
 * {@link FlowLayout#HISTORY_1}, in order of occurrence. Upper case = originator, lower case = responder.
 */
public final class History
{
    /** Codes 1..14; the responder's letter is the same code + 16. */
    static final String LETTERS = "?SHADFRCGTWIQX^";
    public static final int S = 1;
    public static final int H = 2;
    public static final int A = 3;
    public static final int D = 4;
    public static final int F = 5;
    public static final int R = 6;
    public static final int C = 7;
    public static final int G = 8;
    public static final int T = 9;
    public static final int W = 10;
    public static final int I = 11;
    public static final int Q = 12;
    public static final int X = 13;
    public static final int CARET = 14;
    public static final int CAPACITY = 24;
    private static final int PER_LONG = 12;

    private History()
    {
    }

    /** Appends a letter unless the history is full. */
    public static void append(final long[] page, final int base, final int code, final boolean orig)
    {
        final long meta = page[base + FlowLayout.META];
        final int length = (int)(meta & 0xFF);
        if (length >= CAPACITY)
        {
            return;
        }
        final int symbol = orig || code == CARET || code == X ? code : code + 16;
        final int field = length < PER_LONG ? FlowLayout.HISTORY_0 : FlowLayout.HISTORY_1;
        final int shift = (length % PER_LONG) * 5;
        page[base + field] |= (long)symbol << shift;
        page[base + FlowLayout.META] = (meta & ~0xFFL) | (length + 1);
    }

    /** Appends a letter the first time it is seen in this direction (Zeek's once-only letters). */
    public static void appendOnce(final long[] page, final int base, final int code, final boolean orig)
    {
        final long bit = 1L << ((orig ? FlowFlags.SEEN_ORIG_SHIFT : FlowFlags.SEEN_RESP_SHIFT) + code);
        final long flags = page[base + FlowLayout.FLAGS];
        if ((flags & bit) == 0)
        {
            page[base + FlowLayout.FLAGS] = flags | bit;
            append(page, base, code, orig);
        }
    }

    public static boolean seen(final long flags, final int code, final boolean orig)
    {
        return (flags & (1L << ((orig ? FlowFlags.SEEN_ORIG_SHIFT : FlowFlags.SEEN_RESP_SHIFT) + code))) != 0;
    }

    /** Prepends "^" by shifting every letter one place (used when roles flip after the first packet). */
    public static void prependCaret(final long[] page, final int base)
    {
        final int length = (int)(page[base + FlowLayout.META] & 0xFF);
        final StringBuilder codes = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            codes.append((char)code(page, base, i));
        }
        page[base + FlowLayout.HISTORY_0] = 0;
        page[base + FlowLayout.HISTORY_1] = 0;
        page[base + FlowLayout.META] &= ~0xFFL;
        append(page, base, CARET, true);
        for (int i = 0; i < codes.length(); i++)
        {
            final int c = codes.charAt(i);
            append(page, base, c & 15, (c & 16) == 0);
        }
    }

    private static int code(final long[] page, final int base, final int i)
    {
        final long word = page[base + (i < PER_LONG ? FlowLayout.HISTORY_0 : FlowLayout.HISTORY_1)];
        return (int)(word >>> ((i % PER_LONG) * 5)) & 31;
    }

    public static String toString(final long[] page, final int base)
    {
        final int length = (int)(page[base + FlowLayout.META] & 0xFF);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int c = code(page, base, i);
            final char letter = LETTERS.charAt(c & 15);
            sb.append((c & 16) != 0 ? Character.toLowerCase(letter) : letter);
        }
        return sb.toString();
    }
}
