package flowdemux.demux;

import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One connection's records read from its capture where the offset index says they are, in input order: a capture
 * of that connection alone, which follow reads as it would the whole one. The first record is numbered with the
 * connection's serial (the number of its first packet in the whole capture), so that its uid is the same.
 */
public final class IndexedRecords implements CaptureReader
{
    private final CaptureReader reader;
    private final long[] offsets;
    /** The number of the first record in the whole capture. */
    private final long serial;
    private int next;

    IndexedRecords(final Path capture, final long[] offsets, final long serial)
        throws IOException, CaptureFormatException
    {
        this.reader = CaptureReaders.openForSeeking(capture);
        this.offsets = offsets;
        this.serial = serial;
        // The first read takes the head of the file (pcapng's section and interfaces).
        final PacketRecord head = new PacketRecord();
        if (!reader.next(head) || !reader.seekable())
        {
            reader.close();
            throw new CaptureFormatException(0, "its records cannot be read alone");
        }
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException, CaptureFormatException
    {
        if (next == offsets.length)
        {
            return false;
        }
        final long offset = offsets[next];
        reader.seek(offset);
        if (!reader.next(record) || record.fileOffset != offset)
        {
            throw new CaptureFormatException(offset, "the offset index does not fit the capture (no record here)");
        }
        record.index = serial + next++;
        return true;
    }

    /** The number the first record has in the whole capture (as numbered from its first record, 0). */
    public long firstIndex()
    {
        return serial;
    }

    @Override
    public String formatName()
    {
        return reader.formatName();
    }

    @Override
    public int[] linkTypes()
    {
        return reader.linkTypes();
    }

    @Override
    public long position()
    {
        return reader.position();
    }

    @Override
    public byte[] pcapHeader()
    {
        return reader.pcapHeader();
    }

    @Override
    public void close() throws IOException
    {
        reader.close();
    }
}
