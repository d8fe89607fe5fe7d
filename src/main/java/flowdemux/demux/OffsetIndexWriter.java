package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSlot;
import flowdemux.pipeline.PacketTap;
import flowdemux.source.PacketRecord;
import flowdemux.util.AsciiLine;
import flowdemux.util.TemporaryFiles;
import org.agrona.collections.Long2LongHashMap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Writes a capture's offset index ({@link OffsetIndex}) as a read goes: each tracked record's file offset is
 * appended, delta-coded, to a small slot of its connection; a full slot becomes a segment of the index body, chained
 * to the connection's previous one. When every slot is taken, all are written out and freed, so memory stays at the
 * slots' size whatever the number of connections. Records go to a connection in the order extract writes them
 * (held IP fragments with the packet that completes their datagram).
 */
public final class OffsetIndexWriter implements PacketTap, AutoCloseable
{
    static final int SLOT = 256;
    /** Room for one more offset: a zigzag varint of a long takes at most 10 bytes. */
    private static final int MAX_VARINT = 10;
    private static final int DEFAULT_SLOTS = 1 << 16;

    private final Path target;
    private final Path partial;
    private final Output out;
    private final byte[] slotBytes;
    /**
     * Per slot, side by side so that a packet touches one cache line of them: the serial of the connection holding
     * it (-1 when free), the last offset added, the bytes used, the offsets held.
     */
    private final long[] slotMeta;
    private static final int META = 4;
    private static final int SERIAL = 0;
    private static final int LAST = 1;
    private static final int FILL = 2;
    private static final int COUNT = 3;
    private final int[] freeSlots;
    private int freeCount;
    /**
     * The slot of each table slot's connection (by FlowSlot.flow()), checked against the slot's serial: a table slot
     * is reused by later connections, and a flush of every slot frees them all.
     */
    private int[] slotOfFlow = new int[1 << 12];
    /** The table slot each slot was last given to. */
    private final int[] flowOfSlot;
    /** Serial of each connection, to the body offset of its latest segment. */
    private final Long2LongHashMap lastSegment = new Long2LongHashMap(-1L);
    private final HeldFragments held = new HeldFragments();
    private final CRC32C segmentCrc = new CRC32C();
    private final Consumer<PacketRecord> dropper = r -> { };
    private int releasedSlot;
    private final Consumer<PacketRecord> toReleased = r -> add(releasedSlot, r.fileOffset, 1);
    private long records;
    private IOException fault;

    /** Writes into a temporary file beside {@code target}, which {@link #finish} renames to it. */
    public OffsetIndexWriter(final Path target) throws IOException
    {
        this(target, DEFAULT_SLOTS);
    }

    OffsetIndexWriter(final Path target, final int slots) throws IOException
    {
        this.target = target.toAbsolutePath();
        this.partial = TemporaryFiles.beside(this.target);
        partial.toFile().deleteOnExit(); // Ctrl-C during the read leaves no half index behind
        this.out = new Output(Files.newOutputStream(partial));
        slotBytes = new byte[slots * SLOT];
        slotMeta = new long[slots * META];
        freeSlots = new int[slots];
        flowOfSlot = new int[slots];
        java.util.Arrays.fill(flowOfSlot, -1);
        for (int i = 0; i < slots; i++)
        {
            freeSlots[i] = slots - 1 - i;
            slotMeta[i * META + SERIAL] = -1;
        }
        freeCount = slots;
        out.write(OffsetIndex.MAGIC, 0, OffsetIndex.MAGIC.length);
    }

    @Override
    public void unmatched(final PacketRecord record)
    {
        // in no connection: extract never asks for it
    }

    @Override
    public void filteredOut(final PacketRecord record)
    {
        // left out, as in extract
    }

    @Override
    public void fragmentHeld(final PacketRecord record, final DecodedPacket fragment)
    {
        held.hold(record, fragment, dropper);
    }

    @Override
    public void tracked(final PacketRecord record, final DecodedPacket packet, final FlowSlot connection,
        final int payloadLength)
    {
        if (fault != null)
        {
            return;
        }
        final int slot = slotOf(connection.serial(), connection.flow());
        if (packet.frames > 1 && !held.isEmpty())
        {
            releasedSlot = slot;
            held.release(packet, toReleased);
        }
        add(slot, record.fileOffset, 0);
    }

    @Override
    public void inputEnded()
    {
        // fragments whose datagram never came belong to no connection
    }

    @Override
    public boolean offsetsSuffice()
    {
        return true;
    }

    @Override
    public void trackedAt(final long fileOffset, final long serial, final int flow)
    {
        if (fault == null)
        {
            add(slotOf(serial, flow), fileOffset, 0);
        }
    }

    /**
     * Writes what is still in the slots, the directory and the description of the capture, and renames the file to
     * its name. {@code capture} is the file indexed, {@code fingerprint} the options its connections depend on.
     */
    public void finish(final Path capture, final long uidSeed, final String fingerprint) throws IOException
    {
        if (fault != null)
        {
            throw fault;
        }
        flushAll();
        final long directoryOffset = out.position;
        final int connections = lastSegment.size();
        final long[] hashes = new long[connections];
        final long[] positions = new long[connections];
        final AsciiLine uid = new AsciiLine(24);
        final Long2LongHashMap.EntryIterator it = lastSegment.entrySet().iterator();
        for (int i = 0; i < connections; i++)
        {
            it.next();
            uid.setLength(0);
            FlowRecord.appendUid(uid, uidSeed, it.getLongKey());
            hashes[i] = UidMatcher.hash(uid.array(), uid.length());
            positions[i] = it.getLongValue();
        }
        OffsetIndex.sortByHash(hashes, positions, 0, connections - 1);
        final byte[] entry = new byte[16];
        for (int i = 0; i < connections; i++)
        {
            OffsetIndex.putLong(entry, 0, hashes[i]);
            OffsetIndex.putLong(entry, 8, positions[i]);
            out.write(entry, 0, 16);
        }
        final OffsetIndex.Meta meta = new OffsetIndex.Meta();
        meta.capture = OffsetIndex.CaptureMark.of(capture);
        meta.uidSeed = uidSeed;
        meta.connections = connections;
        meta.records = records;
        meta.directoryOffset = directoryOffset;
        meta.fingerprint = fingerprint;
        final long metaOffset = out.position;
        final byte[] m = meta.encode();
        out.write(m, 0, m.length);
        final byte[] trailer = new byte[OffsetIndex.TRAILER];
        OffsetIndex.putLong(trailer, 0, metaOffset);
        final CRC32C metaCrc = new CRC32C();
        metaCrc.update(m, 0, m.length);
        OffsetIndex.putInt(trailer, 8, (int)metaCrc.getValue());
        System.arraycopy(OffsetIndex.END_MAGIC, 0, trailer, 16, 8);
        out.write(trailer, 0, trailer.length);
        out.close();
        TemporaryFiles.moveIntoPlace(partial, target);
    }

    /** Records indexed so far. */
    public long records()
    {
        return records;
    }

    /** Removes the temporary file when the index was not finished. */
    @Override
    public void close()
    {
        try
        {
            out.close();
        }
        catch (IOException e)
        {
            // the partial file is deleted below
        }
        try
        {
            Files.deleteIfExists(partial);
        }
        catch (IOException e)
        {
            // a leftover is named .partial
        }
    }

    /** The slot of the connection {@code serial} in table slot {@code flow}, taken if it has none. */
    private int slotOf(final long serial, final int flow)
    {
        if (flow >= slotOfFlow.length)
        {
            slotOfFlow = java.util.Arrays.copyOf(slotOfFlow, Math.max(flow + 1, slotOfFlow.length * 2));
        }
        final int slot = slotOfFlow[flow];
        if (slotMeta[slot * META + SERIAL] == serial)
        {
            return slot;
        }
        final int taken;
        if (flowOfSlot[slot] == flow && slotMeta[slot * META + SERIAL] >= 0)
        {
            // The table slot's previous connection has ended: its slot goes out and serves this one, so the slots
            // in use stay as many as the connections open (and in the caches), not as many as there are slots.
            flush(slot);
            taken = slot;
        }
        else
        {
            if (freeCount == 0)
            {
                flushAll();
            }
            taken = freeSlots[--freeCount];
        }
        flowOfSlot[taken] = flow;
        final int m = taken * META;
        slotMeta[m + SERIAL] = serial;
        slotMeta[m + LAST] = 0;
        slotMeta[m + FILL] = 0;
        slotMeta[m + COUNT] = 0;
        slotOfFlow[flow] = taken;
        return taken;
    }

    /** Adds an offset; {@code held} 1 for an IP fragment that was held until its datagram completed. */
    private void add(final int slot, final long fileOffset, final int held)
    {
        final int m = slot * META;
        if (slotMeta[m + FILL] > SLOT - MAX_VARINT)
        {
            flush(slot);
        }
        final long delta = fileOffset - slotMeta[m + LAST];
        slotMeta[m + LAST] = fileOffset;
        final int start = slot * SLOT;
        slotMeta[m + FILL] = OffsetIndex.putVarint(slotBytes, start + (int)slotMeta[m + FILL],
            (((delta << 1) ^ (delta >> 63)) << 1) | held) - start;
        slotMeta[m + COUNT]++;
        records++;
    }

    /** Writes the slot's offsets as a segment and empties it (the connection keeps the slot). */
    private void flush(final int slot)
    {
        final int m = slot * META;
        if (slotMeta[m + COUNT] == 0 || fault != null)
        {
            return;
        }
        final long serial = slotMeta[m + SERIAL];
        final int fill = (int)slotMeta[m + FILL];
        final long segment = out.position;
        final byte[] head = out.head;
        int p = OffsetIndex.putVarint(head, 0, serial);
        p = OffsetIndex.putVarint(head, p, lastSegment.get(serial) + 1);
        p = OffsetIndex.putVarint(head, p, slotMeta[m + COUNT]);
        p = OffsetIndex.putVarint(head, p, fill);
        segmentCrc.reset();
        segmentCrc.update(head, 0, p);
        segmentCrc.update(slotBytes, slot * SLOT, fill);
        OffsetIndex.putInt(head, p, (int)segmentCrc.getValue());
        try
        {
            out.write(head, 0, p + 4);
            out.write(slotBytes, slot * SLOT, fill);
        }
        catch (IOException e)
        {
            fault = e;
            return;
        }
        lastSegment.put(serial, segment);
        slotMeta[m + LAST] = 0;
        slotMeta[m + FILL] = 0;
        slotMeta[m + COUNT] = 0;
    }

    /** Writes every slot out and frees them all. */
    private void flushAll()
    {
        for (int slot = 0; slot * META < slotMeta.length; slot++)
        {
            if (slotMeta[slot * META + SERIAL] >= 0)
            {
                flush(slot);
                slotMeta[slot * META + SERIAL] = -1;
                freeSlots[freeCount++] = slot;
            }
        }
    }

    /** A buffered file output that keeps its position. */
    private static final class Output
    {
        final byte[] head = new byte[48];
        private final OutputStream to;
        private final byte[] buffer = new byte[1 << 16];
        private int fill;
        long position;
        private boolean closed;

        Output(final OutputStream to)
        {
            this.to = to;
        }

        void write(final byte[] b, final int off, final int len) throws IOException
        {
            if (fill + len > buffer.length)
            {
                flushBuffer();
            }
            if (len > buffer.length)
            {
                to.write(b, off, len);
            }
            else
            {
                System.arraycopy(b, off, buffer, fill, len);
                fill += len;
            }
            position += len;
        }

        void flushBuffer() throws IOException
        {
            to.write(buffer, 0, fill);
            fill = 0;
        }

        void close() throws IOException
        {
            if (!closed)
            {
                closed = true;
                try
                {
                    flushBuffer();
                }
                finally
                {
                    to.close();
                }
            }
        }
    }
}
