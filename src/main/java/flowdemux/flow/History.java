package flowdemux.flow;

import flowdemux.util.Hashing;

/**
 * Zeek's history letters kept as 5-bit codes, 12 per long in the slot's three history words
 * ({@link FlowSlot#historyWord}), in order of occurrence; their count is in META. Upper case = originator, lower case = responder.
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
    public static final int CAPACITY = 36;
    private static final int PER_LONG = 12;
    private static final long LENGTH_MASK = 0xFFL << FlowFlags.HISTORY_LENGTH_SHIFT;

    private History()
    {
    }

    public static int length(final FlowSlot f)
    {
        return (int)(f.meta() >>> FlowFlags.HISTORY_LENGTH_SHIFT) & 0xFF;
    }

    /** Appends a letter unless the history is full. */
    public static void append(final FlowSlot f, final int code, final boolean orig)
    {
        final int length = length(f);
        if (length >= CAPACITY)
        {
            return;
        }
        final int symbol = orig || code == CARET || code == X ? code : code + 16;
        final int word = length / PER_LONG;
        f.historyWord(word, f.historyWord(word) | (long)symbol << ((length % PER_LONG) * 5));
        f.meta((f.meta() & ~LENGTH_MASK) | ((long)(length + 1) << FlowFlags.HISTORY_LENGTH_SHIFT));
    }

    /**
     * Zeek's CheckHistory: the first time a letter's bit is seen in a direction it is appended. Returns whether it
     * had been seen before.
     */
    public static boolean checkOnce(final FlowSlot f, final int code, final boolean orig)
    {
        final long bit = 1L << ((orig ? 0 : FlowFlags.SEEN_RESP_SHIFT) + code);
        final long meta = f.meta();
        if ((meta & bit) != 0)
        {
            return true;
        }
        f.meta(meta | bit);
        append(f, code, orig);
        return false;
    }

    /**
     * Zeek's ScaledHistoryEntry: counts an event (T, W, C or G) and appends its letter at the 1st, 10th, 100th, ...
     * occurrence.
     */
    public static void scaled(final FlowSlot f, final int code, final boolean orig)
    {
        final long count = f.events(code, orig) + 1;
        if (count > 0xFFFF_FFFFL)
        {
            return;
        }
        f.events(code, orig, count);
        if (isPowerOfTen(count))
        {
            append(f, code, orig);
        }
    }

    private static boolean isPowerOfTen(final long n)
    {
        long p = 1;
        while (p < n)
        {
            p *= 10;
        }
        return p == n;
    }

    private static int code(final FlowSlot f, final int i)
    {
        return (int)(f.historyWord(i / PER_LONG) >>> ((i % PER_LONG) * 5)) & 31;
    }

    /** Whether the history is exactly this one letter from this side. */
    public static boolean isExactly(final FlowSlot f, final int code, final boolean orig)
    {
        return length(f) == 1 && code(f, 0) == (orig ? code : code + 16);
    }

    /**
     * Replaces the history with "^" followed by the old letters in the other case: used when the roles flip and
     * what the originator did is now the responder's (a connection that began with a SYN-ACK becomes "^h").
     */
    public static void rewriteFlipped(final FlowSlot f)
    {
        final int length = length(f);
        final long h0 = f.historyWord(0);
        final long h1 = f.historyWord(1);
        final long h2 = f.historyWord(2);
        f.historyWord(0, 0);
        f.historyWord(1, 0);
        f.historyWord(2, 0);
        f.meta(f.meta() & ~LENGTH_MASK);
        append(f, CARET, true);
        for (int i = 0; i < length && i < CAPACITY - 1; i++)
        {
            final long word = i < PER_LONG ? h0 : i < 2 * PER_LONG ? h1 : h2;
            final int c = (int)(word >>> ((i % PER_LONG) * 5)) & 31;
            final int letter = c & 15;
            append(f, letter, letter == CARET || letter == X || (c & 16) != 0);
        }
        // The once-only bits follow the letters to the other side.
        final long meta = f.meta();
        final long seen = meta & 0xFFFF_FFFFL;
        f.meta((meta & ~0xFFFF_FFFFL) | ((seen & 0xFFFF) << 16) | (seen >>> 16));
    }

    /**
     * The texts of the histories a worker has seen, so that a connection's history becomes a string only the first
     * time it is seen: most connections share a few histories. A direct-mapped cache of the histories that fit in
     * the first long (up to 12 letters), keyed by their letters and length.
     */
    public static final class Names
    {
        private static final int SLOTS = 1024;
        private final long[] keys = new long[SLOTS];
        private final String[] names = new String[SLOTS];

        public String of(final FlowSlot f)
        {
            final int length = length(f);
            if (length > PER_LONG)
            {
                return History.toString(f);
            }
            final long key = f.historyWord(0) | ((long)length << 60);
            final int slot = (int)Hashing.mix(key) & (SLOTS - 1);
            String name = names[slot];
            if (name == null || keys[slot] != key)
            {
                name = History.toString(f);
                keys[slot] = key;
                names[slot] = name;
            }
            return name;
        }
    }

    public static String toString(final FlowSlot f)
    {
        final int length = length(f);
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int c = code(f, i);
            final char letter = LETTERS.charAt(c & 15);
            sb.append((c & 16) != 0 ? Character.toLowerCase(letter) : letter);
        }
        return sb.toString();
    }
}
