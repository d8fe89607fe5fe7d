package flowdemux.service;

/**
 * Service detection for the connections of one flow table: looks at the first payload bytes of each direction until
 * the connection's services are decided, and keeps what identifies the peer (see {@link ServiceNotes}). Its state is
 * two longs in the connection's slot, owned here:
 * <ul>
 * <li>state: services found (bits 0-23), payload packets looked at from endpoint A (24-27) and B (28-31), whether a
 * SYN was seen (32), a CONNECT request (33), and the note slot plus one (40-63);</li>
 * <li>hints: the client and server hints each endpoint's bytes gave ({@link Signatures}), A's low, B's high.</li>
 * </ul>
 * Nothing is allocated per packet.
 */
public final class ServiceInspector
{
    /** Payload bytes of each packet looked at, unless set otherwise: room for a ClientHello's server name. */
    public static final int DEFAULT_BYTES = 512;
    public static final int MIN_BYTES = 16;
    public static final int MAX_BYTES = 4096;
    /** Payload packets looked at from each side before giving up (STARTTLS comes within the first few). */
    static final int PACKETS_PER_SIDE = 8;
    /** Payload packets, both sides together, after which a connection that gave no hint at all is given up. */
    static final int PACKETS_WITHOUT_HINT = 4;

    private static final int SERVICES_MASK = (1 << 28) - 1;
    private static final int COUNT_SHIFT = 28;
    private static final long SYN_SEEN = 1L << 36;
    private static final long CONNECT = 1L << 37;
    private static final int NOTE_SHIFT = 40;
    /** Services after which nothing more is looked for; the others may turn into TLS (STARTTLS, CONNECT). */
    private static final int UPGRADABLE = ServiceId.bit(ServiceId.FTP) | ServiceId.bit(ServiceId.SMTP)
        | ServiceId.bit(ServiceId.POP3) | ServiceId.bit(ServiceId.IMAP) | ServiceId.bit(ServiceId.IRC)
        | ServiceId.bit(ServiceId.POSTGRESQL) | ServiceId.bit(ServiceId.HTTP);

    private final ServiceNotes notes = new ServiceNotes();

    public ServiceNotes notes()
    {
        return notes;
    }

    public static int services(final long state)
    {
        return (int)state & SERVICES_MASK;
    }

    /** The connection's note slot, or -1. */
    public static int note(final long state)
    {
        return (int)(state >>> NOTE_SHIFT) - 1;
    }

    public static long withService(final long state, final int id)
    {
        return state | ServiceId.bit(id);
    }

    /** Notes a TCP SYN or SYN-ACK: only connections seen from their handshake are looked into, as in Zeek. */
    public static long synSeen(final long state)
    {
        return state | SYN_SEEN;
    }

    /** Gives back what the connection kept; call once, when it ends. */
    public void release(final long state)
    {
        final int note = note(state);
        if (note >= 0)
        {
            notes.free(note);
        }
    }

    /**
     * Looks at one packet's first payload bytes {@code b[o, o + n)} (of {@code length} in all), sent by endpoint A ({@code fromA}) or B, the
     * originator or not ({@code orig}). Updates {@code s[state]} and {@code s[hints]}; returns true when the
     * connection is decided and no later packet needs a look.
     */
    public boolean inspect(final long[] s, final int state, final int hints, final boolean fromA, final boolean orig,
        final boolean tcp, final byte[] b, final int o, final int n, final int length)
    {
        long st = s[state];
        if (tcp && (st & SYN_SEEN) == 0)
        {
            // Picked up mid-stream: Zeek does not analyse it, and there is no message start to trust.
            return true;
        }
        final int shift = COUNT_SHIFT + (fromA ? 0 : 4);
        final int count = (int)(st >>> shift) & 0xF;
        final int otherCount = (int)(st >>> (fromA ? COUNT_SHIFT + 4 : COUNT_SHIFT)) & 0xF;
        if (count >= PACKETS_PER_SIDE)
        {
            return otherCount >= PACKETS_PER_SIDE;
        }
        st += 1L << shift;
        int services = services(st);
        if (tcp)
        {
            final int h = Signatures.tcpHints(b, o, n, length);
            if (h != 0)
            {
                st = keep(st, h, orig, b, o, n);
                final long all = s[hints] | ((long)h & 0xFFFF_FFFFL) << (fromA ? 0 : 32);
                s[hints] = all;
                final int a = (int)all;
                final int z = (int)(all >>> 32);
                final int pairs = (a & 0xFFFF & (z >>> Signatures.SERVER)) | (z & 0xFFFF & (a >>> Signatures.SERVER));
                for (int p = 0; p < Signatures.PAIRS; p++)
                {
                    if ((pairs & (1 << p)) != 0)
                    {
                        services |= ServiceId.bit(Signatures.PAIR_SERVICE[p]);
                    }
                }
            }
            services |= Signatures.tcpOneSided(b, o, n);
        }
        else
        {
            final int found = Signatures.udp(b, o, n, length);
            if (found == ServiceId.bit(ServiceId.DNS) && note(st) < 0)
            {
                st = withNote(st, ServiceNotes.DNS);
                final int note = note(st);
                if (note >= 0)
                {
                    Dns.queryName(b, o, n, notes, note);
                }
            }
            services |= found;
        }
        st = (st & ~(long)SERVICES_MASK) | services;
        s[state] = st;
        if ((services & ~UPGRADABLE) != 0 || (!tcp && services != 0))
        {
            return true;
        }
        if ((services & ServiceId.bit(ServiceId.HTTP)) != 0 && (st & CONNECT) == 0)
        {
            return true;
        }
        if (services == 0 && s[hints] == 0 && count + 1 + otherCount >= PACKETS_WITHOUT_HINT)
        {
            // Every protocol here shows itself in its first message; this is none of them (bulk, or unknown).
            return true;
        }
        return count + 1 >= PACKETS_PER_SIDE && otherCount >= PACKETS_PER_SIDE;
    }

    /** Keeps what this direction's bytes say about the peer, by the hints they gave. */
    private long keep(long st, final int h, final boolean orig, final byte[] b, final int o, final int n)
    {
        if ((h & Signatures.client(Signatures.P_SSL)) != 0 && b[o] == 0x16)
        {
            st = replaceNote(st, ServiceNotes.TLS);
            final int note = note(st);
            if (note >= 0 && notes.kind(note) == ServiceNotes.TLS && notes.length(note, true) == 0)
            {
                Tls.clientHello(b, o, n, notes, note);
            }
        }
        else if ((h & Signatures.client(Signatures.P_HTTP)) != 0)
        {
            if (Signatures.startsWith(b, o, o + n, "CONNECT "))
            {
                st |= CONNECT;
            }
            st = withNote(st, ServiceNotes.HTTP);
            final int note = note(st);
            if (note >= 0 && notes.kind(note) == ServiceNotes.HTTP && notes.length(note, true) == 0)
            {
                Http.headers(b, o, n, notes, note);
            }
        }
        else if ((h & Signatures.client(Signatures.P_SSH)) != 0)
        {
            st = withNote(st, ServiceNotes.SSH);
            final int note = note(st);
            if (note >= 0 && notes.kind(note) == ServiceNotes.SSH && notes.length(note, !orig) == 0)
            {
                notes.set(note, !orig, b, o, Signatures.lineEnd(b, o, o + n));
            }
        }
        else if ((h & (Signatures.server(Signatures.P_FTP) | Signatures.server(Signatures.P_POP3)
            | Signatures.server(Signatures.P_IMAP) | Signatures.server(Signatures.P_MYSQL))) != 0 && note(st) < 0)
        {
            st = withNote(st, ServiceNotes.GREETING);
            final int note = note(st);
            if (note >= 0)
            {
                final int from = (h & Signatures.server(Signatures.P_MYSQL)) != 0 ? o + 5 : o;
                int to = Signatures.lineEnd(b, from, o + n);
                for (int i = from; i < to; i++)
                {
                    if (b[i] == 0)
                    {
                        to = i;
                    }
                }
                notes.set(note, true, b, from, to);
            }
        }
        return st;
    }

    /** The state with a note slot of this kind, unless it has one already (or none is left). */
    private long withNote(final long st, final int kind)
    {
        if (note(st) >= 0)
        {
            return st;
        }
        final int slot = notes.allocate(kind);
        return slot < 0 ? st : st | (long)(slot + 1) << NOTE_SHIFT;
    }

    /** As {@link #withNote}, but TLS's server name outranks what an HTTP CONNECT or a greeting kept. */
    private long replaceNote(final long st, final int kind)
    {
        final int note = note(st);
        if (note >= 0 && notes.kind(note) != kind && notes.kind(note) != ServiceNotes.SSH)
        {
            notes.setKind(note, kind);
            notes.set(note, true, EMPTY, 0, 0);
            notes.set(note, false, EMPTY, 0, 0);
            return st;
        }
        return withNote(st, kind);
    }

    private static final byte[] EMPTY = new byte[0];
}
