package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSlot;
import flowdemux.pipeline.PacketTap;
import flowdemux.source.CaptureReader;
import flowdemux.source.PacketRecord;
import flowdemux.util.AsciiLine;
import org.agrona.collections.LongHashSet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes the records of chosen connections, by uid, to one capture: the same records, in the same order, that the
 * split file of each holds. A connection is chosen when it starts (its uid computed once, matched by a hash of its
 * characters), after which each of its packets costs one set lookup; fragments wait for their datagram as in split.
 */
public final class Extractor implements PacketTap, AutoCloseable
{
    private final long uidSeed;
    /** The uids asked for, and whether the input held each. */
    private final Map<String, Boolean> wanted = new LinkedHashMap<>();
    private final LongHashSet wantedHashes = new LongHashSet();
    private final LongHashSet chosen = new LongHashSet();
    private final AsciiLine uid = new AsciiLine(18);
    private final HeldFragments held = new HeldFragments();
    private final CaptureFiles files;
    private final CaptureFile out;
    private final Consumer<PacketRecord> writer = this::write;
    private final Consumer<PacketRecord> dropper = r -> { };
    private long lastSerial = Long.MIN_VALUE;
    private boolean lastChosen;
    private long packets;
    private OutputFault fault;

    public Extractor(final Collection<String> uids, final long uidSeed, final CaptureReader input, final boolean pcapng,
        final Path to)
    {
        this.uidSeed = uidSeed;
        for (final String u : uids)
        {
            wanted.put(u, Boolean.FALSE);
            final byte[] b = u.getBytes(StandardCharsets.US_ASCII);
            wantedHashes.add(hash(b, b.length));
        }
        files = new CaptureFiles(RecordEncoder.of(input, pcapng), 1, true);
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
            lastChosen = serial == packet.packetIndex ? choose(serial) : chosen.contains(serial);
        }
        if (packet.frames > 1 && !held.isEmpty())
        {
            held.release(packet, lastChosen ? writer : dropper);
        }
        if (lastChosen)
        {
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
        return wanted.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
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

    /** A new connection: whether its uid is one asked for. */
    private boolean choose(final long serial)
    {
        uid.setLength(0);
        FlowRecord.appendUid(uid, uidSeed, serial);
        if (!wantedHashes.contains(hash(uid.array(), uid.length())))
        {
            return false;
        }
        final String u = uid.toString();
        if (!wanted.containsKey(u))
        {
            return false; // another uid with the same hash
        }
        wanted.put(u, Boolean.TRUE);
        chosen.add(serial);
        return true;
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

    /** FNV-1a over the characters: uids are random, so any decent mix separates them. */
    private static long hash(final byte[] b, final int length)
    {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (b[i] & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }
}
