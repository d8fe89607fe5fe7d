package flowdemux.source;

import flowdemux.util.Hashing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several captures read as one, packets merged in timestamp order (as {@code mergecap} and {@code zeek -r a -r b}
 * do; on equal timestamps the earlier input first). Each input keeps its own head record, which points into its
 * reader's buffer, so nothing is copied: the head handed out stays valid until the next call, which is the only
 * time its reader is advanced. A fault in one input ends that input only; it is kept with its byte offset for the
 * report, and the others are read to their end. With one input this is that input, faults included; its reader
 * then fills the caller's record directly after the first packet, so the head is only that first packet.
 */
public final class MergedReader implements CaptureReader
{
    /** One input: its name, reader, next packet, packets handed out and the fault that ended it, if any. */
    public static final class Input
    {
        public final String name;
        final CaptureReader reader;
        final PacketRecord head = new PacketRecord();
        boolean hasHead;
        public long packets;
        public CaptureFormatException fault;
        public IOException ioFault;

        Input(final String name, final CaptureReader reader)
        {
            this.name = name;
            this.reader = reader;
        }

        public String formatName()
        {
            return reader.formatName();
        }

        /** Byte offset of the next record, or where the input ended. */
        public long position()
        {
            return reader.position();
        }
    }

    private final Input[] inputs;
    private int taken = -1;
    private long index;

    @Override
    public void customBlocks(final CustomBlocks listener)
    {
        for (final Input in : inputs)
        {
            in.reader.customBlocks(listener);
        }
    }

    /** Reads the first packet of every input (their timestamps decide the order). */
    public MergedReader(final List<String> names, final List<CaptureReader> readers)
    {
        if (names.size() != readers.size() || names.isEmpty())
        {
            throw new IllegalArgumentException("one name per reader, at least one");
        }
        inputs = new Input[readers.size()];
        for (int i = 0; i < inputs.length; i++)
        {
            inputs[i] = new Input(names.get(i), readers.get(i));
            advance(inputs[i]);
        }
    }

    private static void advance(final Input in)
    {
        read(in, in.head);
    }

    /** The input's next packet into {@code into}; a fault ends the input and is kept. */
    private static void read(final Input in, final PacketRecord into)
    {
        try
        {
            in.hasHead = in.reader.next(into);
        }
        catch (CaptureFormatException e)
        {
            in.fault = e;
            in.hasHead = false;
        }
        catch (IOException e)
        {
            in.ioFault = e;
            in.hasHead = false;
        }
    }

    @Override
    public boolean next(final PacketRecord record)
    {
        if (inputs.length == 1)
        {
            return nextOfOne(inputs[0], record);
        }
        if (taken >= 0)
        {
            advance(inputs[taken]);
        }
        int best = -1;
        for (int i = 0; i < inputs.length; i++)
        {
            if (inputs[i].hasHead && (best < 0 || inputs[i].head.timestampNanos < inputs[best].head.timestampNanos))
            {
                best = i;
            }
        }
        taken = best;
        if (best < 0)
        {
            return false;
        }
        handOut(inputs[best], inputs[best].head, record);
        return true;
    }

    /** {@code from} (the input's head, or the caller's record itself) as the next packet of the merge. */
    private void handOut(final Input in, final PacketRecord from, final PacketRecord record)
    {
        if (from != record)
        {
            record.set(from.buffer, from.offset, from.capturedLength, from.originalLength);
            record.timestampNanos = from.timestampNanos;
            record.linkType = from.linkType;
            record.interfaceId = from.interfaceId;
            record.fileOffset = from.fileOffset;
        }
        record.index = index++;
        in.packets++;
    }

    /**
     * One input, the usual case: after its first packet (read ahead for the digest and link types) the reader fills
     * the caller's record itself, with no choice between inputs and no copy of a head record per packet.
     */
    private boolean nextOfOne(final Input in, final PacketRecord record)
    {
        final boolean first = taken < 0;
        taken = 0;
        if (!first && in.hasHead)
        {
            read(in, record);
        }
        if (!in.hasHead)
        {
            return false;
        }
        handOut(in, first ? in.head : record, record);
        return true;
    }

    /**
     * A digest of the input's first packets (timestamp and up to 256 captured bytes of each input's first packet):
     * the same input gives the same value, two captures almost surely different ones.
     */
    public long digest()
    {
        final List<PacketRecord> first = new ArrayList<>();
        for (final Input in : inputs)
        {
            first.add(in.hasHead ? in.head : null);
        }
        return digestOf(first);
    }

    /**
     * {@link #digest()} of inputs whose first packets are these (null for an empty input); a live capture takes it
     * of its first packet, so that its uids are those a read of its --write file gives.
     */
    public static long digestOf(final List<PacketRecord> firstPackets)
    {
        long h = 0x9E3779B97F4A7C15L * firstPackets.size();
        for (final PacketRecord r : firstPackets)
        {
            if (r == null)
            {
                h = Hashing.mix(h ^ 0x5A5A5A5AL);
                continue;
            }
            h = Hashing.mix(h ^ r.timestampNanos);
            h = Hashing.mix(h ^ r.originalLength);
            final int n = Math.min(r.capturedLength, 256);
            for (int i = 0; i < n; i++)
            {
                h = h * 31 + r.buffer[r.offset + i];
            }
            h = Hashing.mix(h);
        }
        return h;
    }

    /**
     * The first input's pcap header when every input is classic pcap with the same byte order, precision and link
     * type (their records can share one file as they are), else null.
     */
    @Override
    public byte[] pcapHeader()
    {
        final byte[] first = inputs[0].reader.pcapHeader();
        if (first == null)
        {
            return null;
        }
        for (final Input in : inputs)
        {
            final byte[] h = in.reader.pcapHeader();
            if (h == null || !java.util.Arrays.equals(h, 0, 4, first, 0, 4) || !java.util.Arrays.equals(h, 20, 24, first, 20, 24))
            {
                return null;
            }
        }
        return first;
    }

    /** One input whose records can be read again by their offsets; several inputs' offsets are of different files. */
    @Override
    public boolean seekable()
    {
        return inputs.length == 1 && inputs[0].reader.seekable();
    }

    /**
     * Numbers the packets from {@code first} on instead of 0: a reader of part of a capture (one connection's
     * records, through its offset index) keeps the numbers, and so the uids, of the whole capture. Before any packet.
     */
    public void numberFrom(final long first)
    {
        index = first;
    }

    public List<Input> inputs()
    {
        return List.of(inputs);
    }

    @Override
    public String formatName()
    {
        if (inputs.length == 1)
        {
            return inputs[0].formatName();
        }
        final List<String> formats = new ArrayList<>();
        for (final Input in : inputs)
        {
            if (!formats.contains(in.formatName()))
            {
                formats.add(in.formatName());
            }
        }
        return inputs.length + " files merged by time: " + String.join(", ", formats);
    }

    @Override
    public int[] linkTypes()
    {
        int[] all = new int[0];
        for (final Input in : inputs)
        {
            for (final int t : in.reader.linkTypes())
            {
                if (java.util.Arrays.stream(all).noneMatch(x -> x == t))
                {
                    all = java.util.Arrays.copyOf(all, all.length + 1);
                    all[all.length - 1] = t;
                }
            }
        }
        return all;
    }

    @Override
    public long position()
    {
        long sum = 0;
        for (final Input in : inputs)
        {
            sum += in.position();
        }
        return sum;
    }

    @Override
    public void close() throws IOException
    {
        IOException first = null;
        for (final Input in : inputs)
        {
            try
            {
                in.reader.close();
            }
            catch (IOException e)
            {
                first = first == null ? e : first;
            }
        }
        if (first != null)
        {
            throw first;
        }
    }
}
