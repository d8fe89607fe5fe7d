package flowdemux.demux;

import flowdemux.decode.ChecksumMode;
import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.source.PacketRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a datagram that came in IP fragments, put back together for follow: tracking reassembles a datagram's
 * header fields and lengths only (FragmentReassembly), so the fragments held for it are decoded again here and their
 * payloads laid at their offsets. Bytes no fragment captured (a short snap length) end the datagram's bytes there.
 */
final class DatagramBytes
{
    private final HeldFragments held = new HeldFragments();
    private final PacketDecoder decoder = new PacketDecoder(ChecksumMode.IGNORE);
    private final List<PacketRecord> pieces = new ArrayList<>();
    private final PacketRecord current = new PacketRecord();
    private byte[] bytes = new byte[1 << 16];
    /** Bytes of the IP payload laid down from 0 without a hole, after {@link #assemble}. */
    private int captured;

    void hold(final PacketRecord record, final DecodedPacket fragment)
    {
        held.hold(record, fragment, r -> { });
    }

    /** Forgets the fragments of {@code datagram} (a datagram of another connection). */
    void drop(final DecodedPacket datagram)
    {
        if (!held.isEmpty())
        {
            held.release(datagram, r -> { });
        }
    }

    /**
     * Lays down the IP payload of the datagram {@code completed} (whose last fragment is {@code record}); returns
     * the array that holds it from 0, valid until the next call, {@link #captured()} bytes of it without a hole.
     */
    byte[] assemble(final PacketRecord record, final DecodedPacket completed)
    {
        pieces.clear();
        held.release(completed, pieces::add);
        HeldFragments.copyWithHeader(record, current);
        pieces.add(current);
        final int total = Math.max(0, completed.ipTotalLength - completed.ipHeaderLength);
        if (bytes.length < total)
        {
            bytes = new byte[total];
        }
        final long[] covered = new long[pieces.size()];
        int n = 0;
        for (final PacketRecord piece : pieces)
        {
            final DecodedPacket f = decodeAgain(piece);
            if (f == null)
            {
                continue;
            }
            // The decoder's offsets index the record's buffer (not from the record's start).
            final int start = f.ipOffset + f.ipHeaderLength;
            final int end = Math.min(piece.offset + piece.capturedLength, f.ipOffset + f.ipTotalLength);
            final int length = Math.min(end - start, total - f.fragmentOffset);
            if (length > 0 && f.fragmentOffset >= 0)
            {
                System.arraycopy(piece.buffer, start, bytes, f.fragmentOffset, length);
                covered[n++] = (long)f.fragmentOffset << 32 | (f.fragmentOffset + length);
            }
        }
        // How far from 0 the pieces reach without a hole.
        java.util.Arrays.sort(covered, 0, n);
        long reach = 0;
        for (int i = 0; i < n; i++)
        {
            final long from = covered[i] >>> 32;
            if (from > reach)
            {
                break;
            }
            reach = Math.max(reach, covered[i] & 0xFFFF_FFFFL);
        }
        captured = (int)Math.min(reach, total);
        return bytes;
    }

    int captured()
    {
        return captured;
    }

    /** A piece decoded on its own (as the fragment it is), or null when it does not decode. */
    private DecodedPacket decodeAgain(final PacketRecord piece)
    {
        return decoder.decode(piece) == DropReason.NONE || decoder.packet().fragment ? decoder.packet() : null;
    }
}
