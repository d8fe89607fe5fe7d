package flowdemux.service;

/**
 * What detection keeps of a connection (a TLS server name and ALPN, an HTTP Host, SSH banners, a DNS query name, a
 * server's greeting), in fixed slots of one byte arena: no object per connection, a slot freed when its connection
 * ends. The bytes are the payload's, untrusted: every output escapes them.
 */
public final class ServiceNotes
{
    public static final int NONE = 0;
    /**
     * A: server name (SNI), B: ALPN protocols, C: the ClientHello's JA4, D: its JA3; from the ServerHello, E: the
     * version chosen, F: the cipher suite (4 hex digits), G: the key-exchange group; from the ClientHello again, H: the
     * versions offered, I: the groups offered (comma-separated, in its order).
     */
    public static final int TLS = 1;
    /** A: Host header, B: User-Agent. */
    public static final int HTTP = 2;
    /** A: the responder's banner, B: the originator's. */
    public static final int SSH = 3;
    /** A: the first query name. */
    public static final int DNS = 4;
    /** A: the server's first line (FTP, SMTP, POP3, IMAP, IRC, MySQL version). */
    public static final int GREETING = 5;

    /** Layout of a slot: kind, then each field's length and bytes: A to I. */
    public static final int SLOT = 360;
    public static final int A_MAX = 94;
    public static final int B_MAX = 63;
    /** Room for a JA4 (36 characters) and a JA3 (32 hex digits). */
    public static final int C_MAX = 40;
    public static final int D_MAX = 32;
    public static final int E_MAX = 6;
    public static final int F_MAX = 4;
    public static final int G_MAX = 18;
    /** "TLSv13,TLSv12,TLSv11,TLSv10". */
    public static final int H_MAX = 28;
    public static final int I_MAX = 64;
    public static final int FIELDS = 9;
    private static final int A_LEN = 1;
    private static final int A_AT = 2;
    private static final int B_LEN = A_AT + A_MAX;
    private static final int B_AT = B_LEN + 1;
    private static final int C_LEN = B_AT + B_MAX;
    private static final int D_LEN = C_LEN + 1 + C_MAX;
    private static final int E_LEN = D_LEN + 1 + D_MAX;
    private static final int F_LEN = E_LEN + 1 + E_MAX;
    private static final int G_LEN = F_LEN + 1 + F_MAX;
    private static final int H_LEN = G_LEN + 1 + G_MAX;
    private static final int I_LEN = H_LEN + 1 + H_MAX;
    private static final int[] LEN_AT = {A_LEN, B_LEN, C_LEN, D_LEN, E_LEN, F_LEN, G_LEN, H_LEN, I_LEN};
    private static final int[] MAX = {A_MAX, B_MAX, C_MAX, D_MAX, E_MAX, F_MAX, G_MAX, H_MAX, I_MAX};
    /** Slot numbers are kept in 22 bits of the flow's detection state (plus one, 0 meaning none). */
    public static final int MAX_SLOTS = (1 << 22) - 2;

    private byte[] arena = new byte[SLOT * 256];
    private int[] free = new int[64];
    private int freeCount;
    private int used;

    /** A cleared slot, or -1 when {@link #MAX_SLOTS} are taken (the connection then keeps nothing). */
    public int allocate(final int kind)
    {
        final int slot;
        if (freeCount > 0)
        {
            slot = free[--freeCount];
        }
        else if (used < MAX_SLOTS)
        {
            slot = used++;
            if ((long)used * SLOT > arena.length)
            {
                arena = java.util.Arrays.copyOf(arena, (int)Math.min((long)arena.length * 2, (long)SLOT * MAX_SLOTS));
            }
        }
        else
        {
            return -1;
        }
        final int at = slot * SLOT;
        arena[at] = (byte)kind;
        arena[at + A_LEN] = 0;
        arena[at + B_LEN] = 0;
        arena[at + C_LEN] = 0;
        arena[at + D_LEN] = 0;
        arena[at + E_LEN] = 0;
        arena[at + F_LEN] = 0;
        arena[at + G_LEN] = 0;
        arena[at + H_LEN] = 0;
        arena[at + I_LEN] = 0;
        return slot;
    }

    public void free(final int slot)
    {
        if (freeCount == free.length)
        {
            free = java.util.Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    public int kind(final int slot)
    {
        return arena[slot * SLOT];
    }

    public void setKind(final int slot, final int kind)
    {
        arena[slot * SLOT] = (byte)kind;
    }

    /** Sets field A (or B) to at most its size of {@code src[from, to)}. */
    public void set(final int slot, final boolean a, final byte[] src, final int from, final int to)
    {
        final int at = slot * SLOT + (a ? A_LEN : B_LEN);
        final int n = Math.max(0, Math.min(to - from, a ? A_MAX : B_MAX));
        System.arraycopy(src, from, arena, at + 1, n);
        arena[at] = (byte)n;
    }

    /** Appends to field A (or B) as far as it has room; returns false when it is full. */
    public boolean append(final int slot, final boolean a, final byte[] src, final int from, final int to)
    {
        final int at = slot * SLOT + (a ? A_LEN : B_LEN);
        final int have = arena[at] & 0xFF;
        final int n = Math.max(0, Math.min(to - from, (a ? A_MAX : B_MAX) - have));
        System.arraycopy(src, from, arena, at + 1 + have, n);
        arena[at] = (byte)(have + n);
        return n == to - from;
    }

    public int length(final int slot, final boolean a)
    {
        return arena[slot * SLOT + (a ? A_LEN : B_LEN)] & 0xFF;
    }

    /** Sets field {@code field} (0-3: A-D) to at most its size of {@code src[from, to)}. */
    public void set(final int slot, final int field, final byte[] src, final int from, final int to)
    {
        final int at = slot * SLOT + LEN_AT[field];
        final int n = Math.max(0, Math.min(to - from, MAX[field]));
        System.arraycopy(src, from, arena, at + 1, n);
        arena[at] = (byte)n;
    }

    /**
     * Appends {@code src[0, n)} to field {@code field}, after a comma if {@code comma}, if all of it fits; else
     * nothing (a list keeps whole names).
     */
    public void appendWhole(final int slot, final int field, final byte[] src, final int n, final boolean comma)
    {
        final int at = slot * SLOT + LEN_AT[field];
        final int have = arena[at] & 0xFF;
        final int add = n + (comma ? 1 : 0);
        if (have + add > MAX[field])
        {
            return;
        }
        int to = at + 1 + have;
        if (comma)
        {
            arena[to++] = ',';
        }
        System.arraycopy(src, 0, arena, to, n);
        arena[at] = (byte)(have + add);
    }

    public int length(final int slot, final int field)
    {
        return arena[slot * SLOT + LEN_AT[field]] & 0xFF;
    }

    /** Copies a whole slot into {@code to} (a record's own {@link #SLOT} bytes). */
    public void copy(final int slot, final byte[] to)
    {
        System.arraycopy(arena, slot * SLOT, to, 0, SLOT);
    }

    /** Slots in use now. */
    public int inUse()
    {
        return used - freeCount;
    }

    /** Field A or B of a copied slot ({@link #copy}), as text: one char per byte, escaped by whoever prints it. */
    public static String text(final byte[] slot, final boolean a)
    {
        return text(slot, a ? 0 : 1);
    }

    /** Field {@code field} (0-3: A-D) of a copied slot, as text, or null when empty. */
    public static String text(final byte[] slot, final int field)
    {
        final int at = LEN_AT[field];
        final int n = slot[at] & 0xFF;
        return n == 0 ? null : new String(slot, at + 1, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The names of fields A-G of a kind, as the reports print them (null for a field the kind has not). */
    public static String[] fieldNames(final int kind)
    {
        switch (kind)
        {
            case TLS:
                return new String[] {"server_name", "alpn", "ja4", "ja3", "version", "cipher", "group",
                    "offered_versions", "offered_groups"};
            case HTTP:
                return new String[] {"host", "user_agent", null, null, null, null, null, null, null};
            case SSH:
                return new String[] {"server_banner", "client_banner", null, null, null, null, null, null, null};
            case DNS:
                return new String[] {"query", null, null, null, null, null, null, null, null};
            case GREETING:
                return new String[] {"greeting", null, null, null, null, null, null, null, null};
            default:
                return new String[] {null, null, null, null, null, null, null, null, null};
        }
    }

    public static int kind(final byte[] slot)
    {
        return slot[0];
    }
}
