package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.source.PacketRecord;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * Copies of IP fragments whose datagram is not whole yet, so that they can go with its connection when it is. In
 * arrival order; a datagram is found by source, destination and fragment id with protocol, as FragmentReassembly
 * keys it. Bounded: beyond {@link #MAX_HELD} the oldest are given up (to no connection).
 */
final class HeldFragments
{
    static final int MAX_HELD = 8192;

    private final ArrayList<PacketRecord> records = new ArrayList<>();
    private final ArrayList<PacketRecord> spare = new ArrayList<>();
    private long[] keys = new long[5 * 64];

    boolean isEmpty()
    {
        return records.isEmpty();
    }

    /** Holds a copy of {@code record}; if too many are held, hands the oldest to {@code givenUp} first. */
    void hold(final PacketRecord record, final DecodedPacket fragment, final Consumer<PacketRecord> givenUp)
    {
        if (records.size() >= MAX_HELD)
        {
            givenUp.accept(records.get(0));
            remove(0);
        }
        final PacketRecord copy = spare.isEmpty() ? new PacketRecord() : spare.remove(spare.size() - 1);
        copyWithHeader(record, copy);
        final int n = records.size();
        if (keys.length < 5 * (n + 1))
        {
            keys = java.util.Arrays.copyOf(keys, keys.length * 2);
        }
        keys[5 * n] = fragment.srcHi;
        keys[5 * n + 1] = fragment.srcLo;
        keys[5 * n + 2] = fragment.dstHi;
        keys[5 * n + 3] = fragment.dstLo;
        keys[5 * n + 4] = idProto(fragment);
        records.add(copy);
    }

    /** Hands the held fragments of {@code datagram}'s datagram, in arrival order, to {@code to}, and forgets them. */
    void release(final DecodedPacket datagram, final Consumer<PacketRecord> to)
    {
        final long k = idProto(datagram);
        int i = 0;
        while (i < records.size())
        {
            if (keys[5 * i + 4] == k && keys[5 * i] == datagram.srcHi && keys[5 * i + 1] == datagram.srcLo
                && keys[5 * i + 2] == datagram.dstHi && keys[5 * i + 3] == datagram.dstLo)
            {
                to.accept(records.get(i));
                remove(i);
            }
            else
            {
                i++;
            }
        }
    }

    /** Hands every fragment still held to {@code to} (datagrams that never completed). */
    void releaseAll(final Consumer<PacketRecord> to)
    {
        for (final PacketRecord r : records)
        {
            to.accept(r);
        }
        spare.addAll(records);
        records.clear();
    }

    /** A copy that keeps the 16 bytes before the packet too: a pcap input's own record header (RecordEncoder). */
    static void copyWithHeader(final PacketRecord from, final PacketRecord to)
    {
        final int before = Math.min(16, from.offset);
        final int length = before + from.capturedLength;
        if (to.buffer == null || to.buffer.length < 16 + from.capturedLength)
        {
            to.buffer = new byte[Math.max(16 + from.capturedLength, 2048)];
        }
        System.arraycopy(from.buffer, from.offset - before, to.buffer, 16 - before, length);
        to.offset = 16;
        to.capturedLength = from.capturedLength;
        to.originalLength = from.originalLength;
        to.timestampNanos = from.timestampNanos;
        to.linkType = from.linkType;
        to.interfaceId = from.interfaceId;
        to.fileOffset = from.fileOffset;
        to.index = from.index;
    }

    private void remove(final int i)
    {
        spare.add(records.remove(i));
        final int n = records.size();
        System.arraycopy(keys, 5 * (i + 1), keys, 5 * i, 5 * (n - i));
    }

    private static long idProto(final DecodedPacket p)
    {
        return (p.fragmentId << 8) | p.protocol;
    }
}
