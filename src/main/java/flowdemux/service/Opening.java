package flowdemux.service;

import flowdemux.reassembly.StreamReassembler;

/**
 * A direction's first message put together when its first segment alone does not show what it is: a request typed
 * or sent a few bytes at a time ("G", "E", "T / HTTP/1.1"), an HTTP header written line by line, or segments that
 * came out of order. The same {@link StreamReassembler} {@code follow} uses: retransmitted bytes count once, a
 * segment that comes early waits. Detection then reads these bytes as it reads a first segment that came whole
 * ({@link #complete}). One per direction being put together, reused after.
 */
final class Opening implements StreamReassembler.Output
{
    /** The first bytes kept of a direction at most: a whole ClientHello (a first segment gives 512). */
    static final int MAX_BYTES = Continuations.MAX_BYTES;
    /** Segments waited for; then the message is read as far as it came. */
    static final int MAX_SEGMENTS = 64;

    private final StreamReassembler stream = new StreamReassembler(MAX_BYTES, MAX_SEGMENTS, this);
    /** The bytes in order; grown as a long message needs, once per opening (they are reused). */
    byte[] bytes = new byte[ServiceInspector.PACKET_BYTES];
    int length;
    /** Bytes put together at most (--service-bytes, or {@link #MAX_BYTES}). */
    private int cap;
    /** The bytes in order end here for good: a gap, or a segment the capture cut. */
    private boolean cut;
    private int segments;

    void start(final int cap)
    {
        this.cap = Math.min(cap, MAX_BYTES);
        stream.reset();
        stream.syn(0xFFFF_FFFFL); // offset 0 is the direction's first byte
        length = 0;
        cut = false;
        segments = 0;
    }

    /** A segment at stream offset {@code offset}: {@code n} bytes captured of its {@code payload}. */
    void add(final long offset, final byte[] b, final int o, final int n, final int payload)
    {
        segments++;
        if (offset < cap)
        {
            stream.segment(offset, b, o, (int)Math.min(n, cap - offset));
        }
        if (n < payload)
        {
            stream.uncaptured(offset + n, payload - n); // a gap at once when nothing is missing before it
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
     * Whether a direction's first bytes {@code b[o, o + n)} (the whole of what was sent so far) show what they are
     * as they would with more: a line (the header, for an HTTP request, whose Host and User-Agent are kept), a whole
     * ClientHello record (for its JA4), a binary message a signature knows, or {@link ServicePrefix#SHORT} bytes, after
     * which more decide nothing at the start. One byte never is: PostgreSQL's answer 'S' is also how "SSH-" begins, so
     * it is read when the other side speaks.
     */
    static boolean complete(final byte[] b, final int o, final int n)
    {
        if (n <= 1)
        {
            return false;
        }
        if (b[o] == 0x16 && b[o + 1] == 3 && n >= 6 && b[o + 5] == 1)
        {
            return n >= Math.min(MAX_BYTES, 5 + flowdemux.util.Bytes.u16(b, o + 3));
        }
        if (b[o] >= 'A' && b[o] <= 'Z' && (Signatures.tcpHints(b, o, n, n) & Signatures.client(Signatures.P_HTTP)) != 0)
        {
            return headerEnd(b, o, n);
        }
        if (n >= ServicePrefix.SHORT || Signatures.lineEnd(b, o, o + n) < o + n)
        {
            return true;
        }
        // A line of text is read once it ends ("SSH-2." is a banner's start); a binary message once it is known.
        return (b[o] < 0x20 || b[o] >= 0x7F) && Signatures.tcpHints(b, o, n, n) != 0;
    }

    private static boolean headerEnd(final byte[] b, final int o, final int n)
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
