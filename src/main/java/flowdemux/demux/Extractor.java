package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowSlot;
import flowdemux.pipeline.PacketTap;
import flowdemux.source.CaptureReader;
import flowdemux.source.PacketRecord;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes the records of chosen connections, by uid, to one capture: the same records, in the same order, that the
 * split file of each holds. A connection is chosen when it starts ({@link UidMatcher}), after which each of its
 * packets costs one set lookup; fragments wait for their datagram as in split.
 */
public final class Extractor implements PacketTap, AutoCloseable
{
    private final UidMatcher uids;
    private final HeldFragments held = new HeldFragments();
    private final CaptureFiles files;
    private final CaptureFile out;
    private final Consumer<PacketRecord> writer = this::write;
    private final Consumer<PacketRecord> dropper = r -> { };
    private long lastSerial = Long.MIN_VALUE;
    /** The index of the record written last. */
    private long lastWritten = -1;
    private boolean lastChosen;
    private long packets;
    private OutputFault fault;

    public Extractor(final Collection<String> uids, final long uidSeed, final CaptureReader input, final boolean pcapng,
        final Path to)
    {
        this(uids, uidSeed, 0, input, pcapng, to);
    }

    /** {@code uids} may hold Community IDs ("1:..."), hashed with {@code communityIdSeed}. */
    public Extractor(final Collection<String> uids, final long uidSeed, final int communityIdSeed,
        final CaptureReader input, final boolean pcapng, final Path to)
    {
        this.uids = new UidMatcher(uids, uidSeed, communityIdSeed);
        files = new CaptureFiles(RecordEncoder.of(input, pcapng), 1, true, CaptureFiles.ONE_FILE_ARENA);
        out = files.file(to);
    }

    @Override
    public void unmatched(final PacketRecord record)
    {
        // in no connection: never asked for
    }

    @Override
    public void filteredOut(final PacketRecord record)
    {
        // left out by the filters, as in read
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
        final long serial = connection.serial();
        if (serial != lastSerial)
        {
            lastSerial = serial;
            lastChosen = uids.matches(serial, serial == packet.packetIndex, connection);
        }
        if (packet.frames > 1 && !held.isEmpty())
        {
            held.release(packet, lastChosen ? writer : dropper);
        }
        if (lastChosen && record.index != lastWritten)
        {
            // A frame that carries a tunnel is told once for each connection it is in: written once.
            lastWritten = record.index;
            write(record);
        }
    }

    @Override
    public void inputEnded()
    {
        // fragments whose datagram never came belong to no connection
    }

    /** The uids asked for that the input did not hold, in the order asked. */
    public List<String> missing()
    {
        return uids.missing();
    }

    public long packets()
    {
        return packets;
    }

    /** The first output fault, or null. */
    public OutputFault fault()
    {
        return fault;
    }

    /** Flushes and closes the capture. */
    @Override
    public void close()
    {
        files.close();
    }

    private void write(final PacketRecord record)
    {
        if (fault != null)
        {
            throw fault;
        }
        try
        {
            files.append(out, record);
        }
        catch (OutputFault e)
        {
            fault = e;
            throw e;
        }
        packets++;
    }
}
