package flowdemux.service;

/**
 * Service detection for the connections of one flow table: reads what each side of a connection says until its
 * services are decided, and keeps what identifies the peer (see {@link ServiceNotes}). Each side's bytes are read by
 * turns (what it sends until the other side sends), the way a request or an answer comes: a turn's start is read
 * once it is whole enough to say what it is ({@link Opening#complete}), its segments put together in sequence order
 * first when one alone does not show it (a request typed a byte at a time, a ClientHello in pieces or out of order).
 * So the decisions do not depend on how the bytes were cut into segments. The first turn of each side names the
 * protocol; later turns carry the commands and switches (STARTTLS, AUTH TLS, an HTTP CONNECT then TLS), looked for
 * until each protocol's point of no return ({@link Upgrades}) or {@link #bound} bytes of each side. Its state is two
 * longs in the connection's slot, owned here:
 * <ul>
 * <li>state: services found (bits 0-29), turns read of endpoint A (30-32) and B (33-35), {@link #DONE} for a side
 * looked at no more; whether a SYN was seen (36), a CONNECT request (37), which side spoke last (38 A, 39 B), whether
 * its turn was read (40), whether a turn is being put together (41), and the note slot plus one (42-63);</li>
 * <li>hints: the client and server hints each endpoint's bytes gave ({@link Signatures}), A's low, B's high.</li>
 * </ul>
 * TCP segments come with their offset in their side's stream. Nothing is allocated per packet.
 */
public final class ServiceInspector
{
    /** Bytes of each direction detection looks at, unless set otherwise (Zeek's dpd_buffer_size is 1 KiB). */
    public static final int DEFAULT_BYTES = 4096;
    public static final int MIN_BYTES = 16;
    public static final int MAX_BYTES = 65_536;
    /** Payload bytes of one packet detection gets at most (a ClientHello's go whole: {@link Continuations}). */
    public static final int PACKET_BYTES = 512;
    /**
     * Payload packets looked at from a side that has no turns to read: a connection picked up mid-stream (for its
     * ServerHello), a UDP side, a QUIC server whose Initial is waited for.
     */
    static final int PACKETS_PER_SIDE = 6;
    /** Turns, both sides together, after which a connection that gave no hint at all is given up. */
    static final int PACKETS_WITHOUT_HINT = 4;

    private static final int SERVICES_MASK = (1 << 30) - 1;
    private static final int COUNT_SHIFT = 30;
    /** A side's count when it is looked at no more. */
    private static final int DONE = 7;
    private static final long SYN_SEEN = 1L << 36;
    private static final long CONNECT = 1L << 37;
    /** A spoke last (B: the next bit). */
    private static final long LAST_A = 1L << 38;
    private static final long LAST_B = 1L << 39;
    /** The last speaker's turn was read (or is not to be). */
    private static final long READ = 1L << 40;
    /** A turn of the connection is being put together ({@link #settle} has something to read at its end). */
    private static final long PENDING = 1L << 41;
    private static final int NOTE_SHIFT = 42;
    private static final int UPGRADABLE = Upgrades.UPGRADABLE;

    /** ClientHellos put together at once, at most (each holds 32 KiB); one more keeps its first segment's names. */
    static final int MAX_ASSEMBLIES = 256;
    /** Turns put together at once, at most; one more is read from its first segment alone. */
    static final int MAX_OPENINGS = 512;

    private final ServiceNotes notes = new ServiceNotes();
    private final ClientHello hello = new ClientHello();
    private final QuicInitial quic = new QuicInitial();
    /** The hellos being put together, by the note slot of their connection. */
    private final org.agrona.collections.Int2ObjectHashMap<HelloAssembly> assembling =
        new org.agrona.collections.Int2ObjectHashMap<>();
    private final HelloAssembly[] spare = new HelloAssembly[MAX_ASSEMBLIES];
    private int spareCount;
    private int assemblies;
    /** The turns being put together, by note slot * 2 + side (0: A, 1: B). */
    private final org.agrona.collections.Int2ObjectHashMap<Opening> opening =
        new org.agrona.collections.Int2ObjectHashMap<>();
    private final Opening[] spareOpenings = new Opening[MAX_OPENINGS];
    private int spareOpeningCount;
    private int openings;
    private long bound = DEFAULT_BYTES;
    /**
     * QUIC connections whose server's Initial is waited for, by note slot: the client's first Destination
     * Connection ID (its length, its bytes), from which the server's keys come, then the client's side (0: A).
     */
    private final org.agrona.collections.Int2ObjectHashMap<byte[]> quicServers =
        new org.agrona.collections.Int2ObjectHashMap<>();
    /** The server's CRYPTO bytes being put together (its ServerHello), by note slot. */
    private final org.agrona.collections.Int2ObjectHashMap<HelloAssembly> serverHellos =
        new org.agrona.collections.Int2ObjectHashMap<>();

    /** Bytes of each direction looked at (--service-bytes). */
    public void bound(final int bytes)
    {
        this.bound = bytes;
    }

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

    /** Whether a turn of the connection is being put together, to be read when it ends ({@link #settle}). */
    public static boolean pending(final long state)
    {
        return (state & PENDING) != 0;
    }

    /** Notes a TCP SYN or SYN-ACK: only connections seen from their handshake are looked into, as in Zeek. */
    public static long synSeen(final long state)
    {
        return state | SYN_SEEN;
    }

    /**
     * Reads the turns still being put together, as they came (the connection ends); {@code origIsA}: endpoint A is
     * the originator.
     */
    public void settle(final long[] s, final int state, final int hints, final boolean origIsA)
    {
        final int note = note(s[state]);
        if (note < 0 || opening.isEmpty())
        {
            return;
        }
        for (int side = 0; side < 2; side++)
        {
            final Opening first = opening.get(note * 2 + side);
            if (first != null)
            {
                look(s, state, hints, side == 0, (side == 0) == origIsA, first);
            }
        }
    }

    /** Gives back what the connection kept; call once, when it ends. */
    public void release(final long state)
    {
        final int note = note(state);
        if (note >= 0)
        {
            endAssembly(note);
            endServer(note);
            endOpening(note, 0);
            endOpening(note, 1);
            notes.free(note);
        }
    }


    /**
     * Looks at one packet's first payload bytes {@code b[o, o + n)} (of {@code length} in all), sent by endpoint A ({@code fromA}) or B, the
     * originator or not ({@code orig}). Updates {@code s[state]} and {@code s[hints]}; returns true when the
     * connection is decided and no later packet needs a look.
     */
    public boolean inspect(final long[] s, final int state, final int hints, final boolean fromA, final boolean orig,
        final boolean tcp, final long seq, final long sent, final byte[] b, final int o, final int n, final int length)
    {
        long st = s[state];
        final int held = note(st);
        if (!tcp && held >= 0 && !quicServers.isEmpty())
        {
            final byte[] client = quicServers.get(held);
            if (client != null && (client[client.length - 1] == 0) != fromA)
            {
                return serverInitial(s, state, held, fromA, client, b, o, n);
            }
        }
        final HelloAssembly rest = held >= 0 && !assembling.isEmpty() ? assembling.get(held) : null;
        if (rest != null && !tcp)
        {
            // A QUIC client's next Initial packets: the rest of its ClientHello, in their CRYPTO frames.
            if (rest.fromA == fromA && QuicInitial.initialVersion(b, o, n))
            {
                rest.segments++;
                quic.open(b, o, n, rest);
                finishHello(rest, held, 'q');
            }
            return !assembling.containsKey(held) && !quicServers.containsKey(held);
        }
        if (rest != null && rest.fromA == fromA)
        {
            // The rest of a ClientHello: nothing else reads it; detection decides once it is whole.
            rest.segment(seq, b, o, n);
            finishHello(rest, held, 't');
            return false;
        }
        if (tcp && (st & SYN_SEEN) == 0)
        {
            // Picked up mid-stream: Zeek does not analyse it, and there is no message start to trust, unless the
            // first payload is a ClientHello, which starts a stream: its names and fingerprints are kept (the
            // service is not named, as in Zeek).
            if (held < 0 && rest == null && n >= 9 && b[o] == 0x16 && b[o + 1] == 3 && b[o + 5] == 1)
            {
                st = withNote(st, ServiceNotes.TLS);
                s[state] = st;
                final int note = note(st);
                if (note >= 0)
                {
                    clientHello(note, fromA, seq, b, o, n);
                    // Looked at further only for the ServerHello that answers it (below).
                    return !assembling.containsKey(note) && notes.length(note, 2) == 0;
                }
            }
            if (rest == null && held >= 0 && notes.kind(held) == ServiceNotes.TLS && notes.length(held, 2) > 0)
            {
                // A fingerprinted hello's answer: what the server chose; a few packets looked at, no more.
                if (n >= 9 && b[o] == 0x16 && b[o + 1] == 3 && b[o + 5] == 2)
                {
                    ServerHello.read(b, o, n, notes, held, fingerprint);
                    return true;
                }
                final int looked = count(st, 0);
                s[state] = st + (1L << COUNT_SHIFT);
                return looked + 1 >= PACKETS_PER_SIDE;
            }
            return rest == null;
        }
        final int side = fromA ? 0 : 1;
        if (count(st, side) == DONE)
        {
            return count(st, 1 - side) == DONE;
        }
        if (!tcp)
        {
            return look(s, state, hints, fromA, orig, false, true, seq, b, o, n, length);
        }
        if (seq >= 1L << 31)
        {
            return false; // before the stream's start
        }
        if ((st & (LAST_A << side)) == 0)
        {
            // A new turn of this side; the other side's ends, and what it sent is read as it came if it waited.
            if (held >= 0 && !opening.isEmpty())
            {
                final Opening other = opening.get(held * 2 + 1 - side);
                if (other != null && look(s, state, hints, !fromA, !orig, other))
                {
                    return true;
                }
                st = s[state];
            }
            if (sent >= bound)
            {
                st |= (long)DONE << (COUNT_SHIFT + 3 * side);
                s[state] = st;
                return count(st, 1 - side) == DONE && !hellos(st);
            }
            st = (st & ~(LAST_A | LAST_B | READ)) | LAST_A << side;
            s[state] = st;
            if (seq == sent && (n < length || n >= PACKET_BYTES || Opening.complete(b, o, n)))
            {
                s[state] = st | READ;
                return look(s, state, hints, fromA, orig, true, sent == 0, seq, b, o, n, length);
            }
            final Opening turn = startOpening(s, state, side, sent);
            if (turn == null)
            {
                // No room to put it together: read from this segment, if it is the turn's start.
                s[state] |= READ;
                return seq == sent && look(s, state, hints, fromA, orig, true, sent == 0, seq, b, o, n, length);
            }
            turn.add(seq, b, o, n, length);
            return turn.ready() && look(s, state, hints, fromA, orig, turn);
        }
        if ((st & READ) != 0)
        {
            return false; // the rest of a turn already read
        }
        final Opening turn = held >= 0 && !opening.isEmpty() ? opening.get(held * 2 + side) : null;
        if (turn == null)
        {
            return false;
        }
        turn.add(seq, b, o, n, length);
        return turn.ready() && look(s, state, hints, fromA, orig, turn);
    }

    private static int count(final long st, final int side)
    {
        return (int)(st >>> (COUNT_SHIFT + 3 * side)) & 0x7;
    }

    /** A turn put together: read as a turn's first segment is, and the opening let go. */
    private boolean look(final long[] s, final int state, final int hints, final boolean fromA, final boolean orig,
        final Opening turn)
    {
        final int side = fromA ? 0 : 1;
        final int note = note(s[state]);
        if ((s[state] & (LAST_A << side)) != 0)
        {
            s[state] |= READ;
        }
        final boolean decided = turn.length > 0 && look(s, state, hints, fromA, orig, true, turn.base == 0,
            turn.base, turn.bytes, 0, turn.length, turn.length);
        endOpening(note, side);
        if (!opening.containsKey(note * 2 + 1 - side))
        {
            s[state] &= ~PENDING;
        }
        if (decided)
        {
            return true;
        }
        return count(s[state], 0) == DONE && count(s[state], 1) == DONE;
    }

    /**
     * Reads a message's first bytes {@code b[o, o + n)} ({@code length} in all; {@code start}: the first message of
     * its direction, where binary signatures and one-sided protocols are read). Returns true once decided.
     */
    private boolean look(final long[] s, final int state, final int hints, final boolean fromA, final boolean orig,
        final boolean tcp, final boolean start, final long seq, final byte[] b, final int o, final int n,
        final int length)
    {
        long st = s[state];
        final int side = fromA ? 0 : 1;
        final int shift = COUNT_SHIFT + 3 * side;
        final int count = count(st, side);
        final int otherCount = count(st, 1 - side);
        if (count < DONE - 1)
        {
            st += 1L << shift;
        }
        int services = services(st);
        if (tcp)
        {
            final int h = Signatures.tcpHints(b, o, n, length);
            if (h != 0)
            {
                st = keep(st, h, orig, fromA, seq, b, o, n);
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
            if (start)
            {
                services |= Signatures.tcpOneSided(b, o, n);
            }
            if ((services & UPGRADABLE) != 0 && (services & ~UPGRADABLE) == 0
                && ((services & ServiceId.bit(ServiceId.HTTP)) == 0 || (st & CONNECT) != 0)
                && Upgrades.over(services, orig, b, o, n))
            {
                s[state] = (st & ~(long)SERVICES_MASK) | services;
                return !hellos(st);
            }
        }
        else
        {
            st = datagram(st, fromA, b, o, n, length);
            services = services(st);
        }
        st = (st & ~(long)SERVICES_MASK) | services;
        s[state] = st;
        if (hellos(st))
        {
            return false; // not decided before the client's hello is whole
        }
        if (!tcp && services != 0)
        {
            return quicServers.isEmpty() || !quicServers.containsKey(note(st)); // a QUIC server's choice may follow
        }
        if ((services & ~UPGRADABLE) != 0)
        {
            return true;
        }
        if ((services & ServiceId.bit(ServiceId.HTTP)) != 0 && (st & CONNECT) == 0)
        {
            return true;
        }
        if (services == 0 && s[hints] == 0 && ((tcp && otherCount > 0)
            || Math.min(count + 1, DONE) + otherCount >= PACKETS_WITHOUT_HINT))
        {
            // Every protocol here shows itself in its first message; this is none of them (bulk, or unknown).
            return true;
        }
        return !tcp && count + 1 >= PACKETS_PER_SIDE && otherCount >= PACKETS_PER_SIDE;
    }

    /** A UDP datagram's first bytes: the services it proves, and the DNS query or QUIC Initial it holds. */
    private long datagram(final long state, final boolean fromA, final byte[] b, final int o, final int n,
        final int length)
    {
        long st = state;
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
        if ((found & ServiceId.bit(ServiceId.QUIC)) != 0 && note(st) < 0 && QuicInitial.initialVersion(b, o, n))
        {
            st = withNote(st, ServiceNotes.TLS);
            final int note = note(st);
            if (note >= 0)
            {
                quicInitial(note, fromA, b, o, n);
            }
        }
        return st | found;
    }

    /** Whether a ClientHello of the connection is being put together. */
    private boolean hellos(final long st)
    {
        return !assembling.isEmpty() && note(st) >= 0 && assembling.containsKey(note(st));
    }

    /** Keeps what this direction's bytes say about the peer, by the hints they gave. */
    private long keep(long st, final int h, final boolean orig, final boolean fromA, final long seq, final byte[] b,
        final int o, final int n)
    {
        if ((h & Signatures.client(Signatures.P_SSL)) != 0 && b[o] == 0x16)
        {
            st = replaceNote(st, ServiceNotes.TLS);
            final int note = note(st);
            if (note >= 0 && notes.kind(note) == ServiceNotes.TLS && notes.length(note, 2) == 0
                && !assembling.containsKey(note))
            {
                clientHello(note, fromA, seq, b, o, n);
            }
        }
        else if ((h & Signatures.server(Signatures.P_SSL)) != 0 && b[o] == 0x16 && note(st) >= 0
            && notes.kind(note(st)) == ServiceNotes.TLS && notes.length(note(st), 5) == 0)
        {
            ServerHello.read(b, o, n, notes, note(st), fingerprint);
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
            | Signatures.server(Signatures.P_IMAP) | Signatures.server(Signatures.P_MYSQL))) != 0 && unnoted(st))
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

    /**
     * A ClientHello's first segment {@code b[o, o + n)}: read at once when it is whole, else its names kept from what
     * this segment holds and the rest put together from the segments that follow.
     */
    private void clientHello(final int note, final boolean fromA, final long seq, final byte[] b, final int o,
        final int n)
    {
        if (n >= 9 && b[o + 5] == 1)
        {
            final int message = 4 + ((b[o + 6] & 0xFF) << 16 | flowdemux.util.Bytes.u16(b, o + 7));
            if (message <= flowdemux.util.Bytes.u16(b, o + 3) && 5 + message <= n)
            {
                if (hello.parse(b, o + 5, message))
                {
                    keepHello(note, 't');
                }
                return;
            }
        }
        Tls.clientHello(b, o, n, notes, note);
        final HelloAssembly a = takeAssembly();
        if (a == null)
        {
            return; // MAX_ASSEMBLIES at once: the names its first segment held are all it keeps
        }
        a.fromA = fromA;
        a.start(seq, b, o, n);
        assembling.put(note, a);
        finishHello(a, note, 't');
    }

    /** A QUIC client's first Initial: its CRYPTO frames opened and put together until the ClientHello is whole. */
    private void quicInitial(final int note, final boolean fromA, final byte[] b, final int o, final int n)
    {
        final HelloAssembly a = takeAssembly();
        if (a == null)
        {
            return; // MAX_ASSEMBLIES at once: the names its first segment held are all it keeps
        }
        a.fromA = fromA;
        a.startCrypto();
        assembling.put(note, a);
        if (quic.open(b, o, n, a) == 0)
        {
            endAssembly(note); // not an Initial this reader can open
            return;
        }
        final byte[] id = QuicInitial.destinationId(b, o, n);
        if (id != null)
        {
            // The server's Initials are opened with keys from the same id: what it chose (allocated once a
            // connection, as its cipher objects are).
            final byte[] client = java.util.Arrays.copyOf(id, id.length + 1);
            client[id.length] = (byte)(fromA ? 0 : 1);
            quicServers.put(note, client);
        }
        finishHello(a, note, 'q');
    }

    /**
     * A datagram from the server of a QUIC connection whose ServerHello is waited for: its Initial packets opened
     * with the server's keys and their CRYPTO frames put together by offset, then the ServerHello read; given up
     * after {@link #PACKETS_PER_SIDE} datagrams. Returns true once the connection is decided.
     */
    private boolean serverInitial(final long[] s, final int state, final int note, final boolean fromA,
        final byte[] client, final byte[] b, final int o, final int n)
    {
        if (QuicInitial.initialVersion(b, o, n))
        {
            HelloAssembly a = serverHellos.get(note);
            if (a == null)
            {
                a = takeAssembly();
                if (a == null)
                {
                    endServer(note); // MAX_ASSEMBLIES at once: the choice is not read
                    return !assembling.containsKey(note);
                }
                a.fromA = fromA;
                a.startCrypto();
                serverHellos.put(note, a);
            }
            a.segments++;
            quic.openServer(b, o, n, client, a);
            final int whole = a.state();
            if (whole != 0)
            {
                if (whole > 0)
                {
                    ServerHello.message(a.message, 0, a.messageLength, notes, note, fingerprint);
                }
                endServer(note);
                return !assembling.containsKey(note);
            }
        }
        final int side = fromA ? 0 : 1;
        if (count(s[state], side) + 1 >= PACKETS_PER_SIDE)
        {
            endServer(note);
            return !assembling.containsKey(note);
        }
        s[state] += 1L << (COUNT_SHIFT + 3 * side);
        return false;
    }

    private void endServer(final int note)
    {
        if (quicServers.isEmpty())
        {
            return;
        }
        quicServers.remove(note);
        final HelloAssembly a = serverHellos.remove(note);
        if (a != null)
        {
            spare[spareCount++] = a;
        }
    }

    /** Reads the hello once it is whole, and lets the assembly go once it is read or cannot be. */
    private void finishHello(final HelloAssembly a, final int note, final char transport)
    {
        final int state = a.state();
        if (state == 0)
        {
            return;
        }
        if (state > 0 && hello.parse(a.message, 0, a.messageLength))
        {
            keepHello(note, transport);
        }
        endAssembly(note);
    }

    private final byte[] fingerprint = new byte[ServiceNotes.C_MAX];

    /** The parsed hello's names and fingerprints into the connection's note. */
    private void keepHello(final int note, final char transport)
    {
        hello.keepNames(notes, note);
        notes.set(note, 2, fingerprint, 0, hello.ja4(transport, fingerprint, 0));
        hello.ja3(fingerprint, 0);
        notes.set(note, 3, fingerprint, 0, 32);
        hello.keepOffered(notes, note, fingerprint);
    }

    /** Whether the connection has kept nothing yet (no note, or only the slot an opening is kept by). */
    private boolean unnoted(final long st)
    {
        return note(st) < 0 || notes.kind(note(st)) == ServiceNotes.NONE;
    }

    /** An opening for this side's turn from {@code base}, by the note slot (taken now if it has none); or null. */
    private Opening startOpening(final long[] s, final int state, final int side, final long base)
    {
        final long st = withNote(s[state], ServiceNotes.NONE);
        final int note = note(st);
        if (note < 0)
        {
            return null;
        }
        s[state] = st;
        Opening o = null;
        if (spareOpeningCount > 0)
        {
            o = spareOpenings[--spareOpeningCount];
        }
        else if (openings < MAX_OPENINGS)
        {
            openings++;
            o = new Opening();
        }
        if (o == null)
        {
            return null;
        }
        o.start(base, (int)Math.max(1, bound - base));
        opening.put(note * 2 + side, o);
        s[state] |= PENDING;
        return o;
    }

    private void endOpening(final int note, final int side)
    {
        if (opening.isEmpty() || note < 0)
        {
            return;
        }
        final Opening o = opening.remove(note * 2 + side);
        if (o != null)
        {
            spareOpenings[spareOpeningCount++] = o;
        }
    }

    private HelloAssembly takeAssembly()
    {
        if (spareCount > 0)
        {
            return spare[--spareCount];
        }
        if (assemblies < MAX_ASSEMBLIES)
        {
            assemblies++;
            return new HelloAssembly();
        }
        return null;
    }

    private void endAssembly(final int note)
    {
        if (assembling.isEmpty())
        {
            return;
        }
        final HelloAssembly a = assembling.remove(note);
        if (a != null)
        {
            spare[spareCount++] = a;
        }
    }

    /** The state with a note slot of this kind, unless it has one already (or none is left). */
    private long withNote(final long st, final int kind)
    {
        if (note(st) >= 0)
        {
            if (notes.kind(note(st)) == ServiceNotes.NONE)
            {
                notes.setKind(note(st), kind); // the slot an opening was kept by: nothing in it yet
            }
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
