package flowdemux.service;

import flowdemux.reassembly.StreamReassembler;
import flowdemux.util.Bytes;

/**
 * A client's first TLS handshake message put together from the segments it came in, in sequence order (the same
 * {@link StreamReassembler} {@code follow} uses: retransmissions count once, a segment that comes early waits),
 * record headers taken out; or from a QUIC connection's CRYPTO frames, by their offsets in the handshake stream
 * (no records there). One per connection whose ClientHello did not come whole at once, reused after.
 */
final class HelloAssembly implements StreamReassembler.Output, QuicInitial.Crypto
{
    /** Client segments after the first that are waited for; then the hello is given up. */
    static final int MAX_SEGMENTS = 32;
    private static final int HANDSHAKE = 0x16;

    private final StreamReassembler stream = new StreamReassembler(Continuations.MAX_BYTES, MAX_SEGMENTS, this);
    /** The stream's first bytes as sent: records, headers included. */
    private final byte[] records = new byte[Continuations.MAX_BYTES];
    private int recordsUsed;
    /** The handshake message, record headers taken out. */
    final byte[] message = new byte[Continuations.MAX_BYTES];
    int messageLength;
    private boolean broken;
    /** QUIC: the stream is the handshake messages themselves. */
    private boolean raw;
    int segments;
    /** The side that sent the hello. */
    boolean fromA;

    void start(final long seq, final byte[] b, final int o, final int n)
    {
        reset(false);
        stream.segment(seq, b, o, n);
    }

    /** A QUIC connection's CRYPTO stream, from offset 0, fed by {@link #crypto}. */
    void startCrypto()
    {
        reset(true);
        stream.syn(0xFFFF_FFFFL); // offset 0 is the stream's first byte
    }

    private void reset(final boolean raw)
    {
        stream.reset();
        recordsUsed = 0;
        messageLength = 0;
        broken = false;
        segments = 0;
        this.raw = raw;
    }

    @Override
    public void crypto(final long offset, final byte[] bytes, final int from, final int length)
    {
        if (offset + length <= records.length)
        {
            stream.segment(offset & 0xFFFF_FFFFL, bytes, from, length);
        }
    }

    void segment(final long seq, final byte[] b, final int o, final int n)
    {
        segments++;
        stream.segment(seq, b, o, n);
    }

    @Override
    public void data(final long offset, final byte[] bytes, final int from, final int length)
    {
        final int n = (int)Math.max(0, Math.min(length, records.length - offset));
        if (offset == recordsUsed && n > 0)
        {
            System.arraycopy(bytes, from, records, recordsUsed, n);
            recordsUsed += n;
        }
    }

    @Override
    public void gap(final long offset, final long length)
    {
        broken = true;
    }

    /**
     * 1 when the handshake message is whole ({@link #message}, {@link #messageLength}), 0 while more is to come, -1
     * when it cannot be (not a handshake record, a gap, longer than is followed).
     */
    int state()
    {
        if (broken)
        {
            return -1;
        }
        if (raw)
        {
            if (recordsUsed >= 4)
            {
                final int need = 4 + ((records[1] & 0xFF) << 16 | Bytes.u16(records, 2));
                if (need > message.length)
                {
                    return -1;
                }
                if (recordsUsed >= need)
                {
                    System.arraycopy(records, 0, message, 0, need);
                    messageLength = need;
                    return 1;
                }
            }
            return segments >= MAX_SEGMENTS ? -1 : 0;
        }
        int at = 0;
        int m = 0;
        int need = -1;
        while (at + 5 <= recordsUsed)
        {
            if ((records[at] & 0xFF) != HANDSHAKE)
            {
                return -1;
            }
            final int length = Bytes.u16(records, at + 3);
            final int have = Math.min(length, recordsUsed - at - 5);
            final int copy = Math.min(have, message.length - m);
            System.arraycopy(records, at + 5, message, m, copy);
            m += copy;
            if (need < 0 && m >= 4)
            {
                need = 4 + ((message[1] & 0xFF) << 16 | Bytes.u16(message, 2));
                if (need > message.length)
                {
                    return -1;
                }
            }
            if (need >= 0 && m >= need)
            {
                messageLength = need;
                return 1;
            }
            if (have < length)
            {
                break;
            }
            at += 5 + length;
        }
        return recordsUsed >= records.length || segments >= MAX_SEGMENTS ? -1 : 0;
    }
}
