package flowdemux.service;

import flowdemux.reassembly.StreamReassembler;

/**
 * A side's turn put together when its first segment alone does not show what it is: a request typed or sent a few
 * bytes at a time ("G", "E", "T / HTTP/1.1"), an HTTP header written line by line, a ClientHello in pieces, or
 * segments that came out of order. The same {@link StreamReassembler} {@code follow} uses: retransmitted bytes count
 * once, a segment that comes early waits. Detection then reads these bytes as it reads a turn's first segment that
 * came whole ({@link #complete}). One per side being put together, reused after.
 */
final class Opening implements StreamReassembler.Output
{
    /** The first bytes kept of a direction at most: a whole ClientHello (a first segment gives 512). */
    static final int MAX_BYTES = Continuations.MAX_BYTES;
    /** Segments waited for (a request typed a byte at a time has one a byte); then the turn is read as it came. */
    static final int MAX_SEGMENTS = 4096;
    /** Segments held out of order at once. */
    private static final int HELD_SEGMENTS = 512;

    private final StreamReassembler stream = new StreamReassembler(MAX_BYTES, HELD_SEGMENTS, this);
    /** The bytes in order; grown as a long message needs, once per opening (they are reused). */
    byte[] bytes = new byte[ServiceInspector.PACKET_BYTES];
    int length;
    /** Bytes put together at most (what --service-bytes leaves, or {@link #MAX_BYTES}). */
    private int cap;
    /** The turn's first byte: its offset in the side's stream. */
    long base;
    /** The bytes in order end here for good: a gap, or a segment the capture cut. */
    private boolean cut;
    private int segments;

    void start(final long base, final int cap)
    {
        this.base = base;
        this.cap = Math.min(cap, MAX_BYTES);
        stream.reset();
        stream.syn((base - 1) & 0xFFFF_FFFFL); // the turn's first byte is the reassembler's offset 0
        length = 0;
        cut = false;
        segments = 0;
    }

    /** A segment at stream offset {@code offset}: {@code n} bytes captured of its {@code payload}. */
    void add(final long offset, final byte[] b, final int o, final int n, final int payload)
    {
        segments++;
        final long at = offset - base;
        if (at + n <= 0)
        {
            return; // before the turn: sent again
        }
        if (at < cap)
        {
            stream.segment(offset, b, o, (int)Math.min(n, cap - at));
        }
        if (n < payload)
        {
            stream.uncaptured((offset + n) & 0xFFFF_FFFFL, payload - n); // a gap at once when nothing is before it
        }
    }

    @Override
    public void data(final long offset, final byte[] from, final int at, final int n)
    {
        final int copy = (int)Math.max(0, Math.min(n, cap - offset));
        if (offset == length && copy > 0)
        {
            if (length + copy > bytes.length)
            {
                bytes = java.util.Arrays.copyOf(bytes, Math.min(cap, Math.max(length + copy, bytes.length * 2)));
            }
            System.arraycopy(from, at, bytes, length, copy);
            length += copy;
        }
    }

    @Override
    public void gap(final long offset, final long n)
    {
        cut = true;
    }

    /** Whether what came is enough to read, or all that will come in order. */
    boolean ready()
    {
        return cut || length >= cap || segments >= MAX_SEGMENTS || complete(bytes, 0, length);
    }

    /**
     * Whether a turn's first bytes {@code b[o, o + n)} (all that came of it so far, in order) say what they would say
     * with the rest of the turn, so that they can be read now, whatever segments the turn comes in: a TLS handshake's
     * first message whole (a ClientHello, for its JA4; a ServerHello, for its choices); {@link ServicePrefix#SHORT}
     * bytes of what detection reads no more of; bytes that gave a hint, once they make what the hint rests on whole
     * (an HTTP request's header, a line of text, {@link ServicePrefix#SHORT} bytes of a binary message); or
     * {@link ServiceInspector#PACKET_BYTES}. Anything else is read when the turn ends (the other side speaks, the
     * connection ends): "*1\r" may be the start of a Redis command, 'S' PostgreSQL's answer or how "SSH-" begins,
     * "05 00" a SOCKS choice or how a DCE/RPC bind begins.
     */
    static boolean complete(final byte[] b, final int o, final int n)
    {
        if (n <= 1)
        {
            return false;
        }
        if (b[o] == 0x16 && b[o + 1] == 3)
        {
            if (n < 9)
            {
                return false;
            }
            final int record = 5 + flowdemux.util.Bytes.u16(b, o + 3);
            final int message = 9 + ((b[o + 6] & 0xFF) << 16 | flowdemux.util.Bytes.u16(b, o + 7));
            return n >= Math.min(MAX_BYTES, Math.min(record, message));
        }
        if (n >= ServiceInspector.PACKET_BYTES)
        {
            return true;
        }
        if (n > ServicePrefix.SHORT
            && ServicePrefix.wanted(b, o, n, true, n, ServiceInspector.PACKET_BYTES) == ServicePrefix.SHORT)
        {
            return true; // detection reads no more of such bytes
        }
        if (Signatures.requestStart(b, o, n, false))
        {
            return headerEnd(b, o, n); // an HTTP request: its header (a shorter one waits for the turn's end)
        }
        final int hints = Signatures.tcpHints(b, o, n, n);
        if (hints == 0)
        {
            return false;
        }
        if (b[o] < 0x20 || b[o] >= 0x7F)
        {
            return n >= ServicePrefix.SHORT;
        }
        if ((hints & Signatures.client(Signatures.P_HTTP)) != 0)
        {
            return headerEnd(b, o, n); // a method the signature knows in any case ("Get / HTTP/1.1")
        }
        if (b[o] == '*' && (hints & Signatures.client(Signatures.P_REDIS)) == 0)
        {
            return false; // "*1\r\n" answers as an array, and is how a command begins
        }
        for (int i = o; i < o + n; i++)
        {
            if (b[i] == '\n')
            {
                return true;
            }
        }
        return false;
    }

    static boolean headerEnd(final byte[] b, final int o, final int n)
    {
        for (int i = o + 3; i < o + n; i++)
        {
            if (b[i] == '\n' && (b[i - 1] == '\n' || (b[i - 1] == '\r' && b[i - 2] == '\n')))
            {
                return true;
            }
        }
        return false;
    }
}
