package flowdemux.demux;

import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;
import org.agrona.collections.Long2LongHashMap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Extract through an offset index: the records of the chosen connections read where the index says they are, and
 * nothing else of the capture. The capture written is the one {@link Extractor} writes in a full pass: the same
 * records in the same order.
 */
public final class IndexedExtractor
{
    private final List<String> missing = new ArrayList<>();
    private long packets;

    /** The uids asked for that the index does not hold, in the order asked. */
    public List<String> missing()
    {
        return missing;
    }

    public long packets()
    {
        return packets;
    }

    /**
     * Writes the records of {@code uids} from {@code capture} to {@code to}; writes nothing when a uid is missing
     * ({@link #missing()}).
     */
    public void extract(final OffsetIndex index, final Collection<String> uids, final Path capture,
        final boolean pcapng, final Path to) throws IOException, OffsetIndex.Unusable, CaptureFormatException
    {
        final List<long[]> chosen = new ArrayList<>();
        for (final String u : uids)
        {
            final long[] offsets = index.entriesOf(u);
            if (offsets == null)
            {
                missing.add(u);
            }
            else
            {
                chosen.add(offsets);
            }
        }
        if (!missing.isEmpty())
        {
            return;
        }
        final long[] order = writeOrder(chosen);
        try (CaptureReader reader = CaptureReaders.openForSeeking(capture))
        {
            final PacketRecord record = new PacketRecord();
            // The first read takes the head of the file: pcapng's section and interfaces, before any packet.
            if (!reader.next(record) || !reader.seekable())
            {
                throw new OffsetIndex.Unusable("does not fit the capture (its records cannot be read alone)");
            }
            final CaptureFiles files = new CaptureFiles(RecordEncoder.of(reader, pcapng), 1, true, CaptureFiles.ONE_FILE_ARENA);
            try
            {
                final CaptureFile out = files.file(to);
                for (final long offset : order)
                {
                    reader.seek(offset);
                    if (!reader.next(record) || record.fileOffset != offset)
                    {
                        throw new OffsetIndex.Unusable("does not fit the capture (no record at offset " + offset + ")");
                    }
                    files.append(out, record);
                    packets++;
                }
            }
            finally
            {
                files.close();
            }
        }
    }

    /**
     * The offsets of all chosen connections ({@link OffsetIndex} entries) in the order a full pass writes them. Each
     * connection's entries are in its own write order, which is input order except that a held IP fragment is
     * written with the packet that completed its datagram, the next entry not held; so each record is written at
     * the offset of the first record not held from it on, and ordering by that merges the connections.
     */
    static long[] writeOrder(final List<long[]> connections)
    {
        int total = 0;
        for (final long[] c : connections)
        {
            total += c.length;
        }
        final long[] whenKeys = new long[total];
        final long[] offsets = new long[total];
        int n = 0;
        for (final long[] c : connections)
        {
            long next = Long.MAX_VALUE;
            for (int i = c.length - 1; i >= 0; i--)
            {
                if (!OffsetIndex.held(c[i]))
                {
                    next = OffsetIndex.offset(c[i]);
                }
                whenKeys[n + i] = next;
                offsets[n + i] = OffsetIndex.offset(c[i]);
            }
            n += c.length;
        }
        // Offsets written at the same moment are consecutive in one connection: order the groups by their moment.
        final Long2LongHashMap groupStart = new Long2LongHashMap(-1L);
        final long[] moments = new long[total];
        int groups = 0;
        for (int i = 0; i < total; i++)
        {
            if (groupStart.get(whenKeys[i]) < 0)
            {
                groupStart.put(whenKeys[i], i);
                moments[groups++] = whenKeys[i];
            }
        }
        final long[] sorted = Arrays.copyOf(moments, groups);
        Arrays.sort(sorted);
        final long[] order = new long[total];
        // A record in two chosen connections (a frame that carries a tunnel and the connection inside it) is
        // written once, as a full pass writes it.
        final org.agrona.collections.LongHashSet written = new org.agrona.collections.LongHashSet();
        int w = 0;
        for (final long moment : sorted)
        {
            for (int i = (int)groupStart.get(moment); i < total && whenKeys[i] == moment; i++)
            {
                if (written.add(offsets[i]))
                {
                    order[w++] = offsets[i];
                }
            }
        }
        return w == total ? order : Arrays.copyOf(order, w);
    }
}
