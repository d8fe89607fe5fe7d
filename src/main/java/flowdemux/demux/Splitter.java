package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowSlot;
import flowdemux.flow.FlowTable;
import flowdemux.pipeline.PacketTap;
import flowdemux.source.CaptureReader;
import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes each record of a read to the capture of its group ({@link Grouping}): the tap tells it each record's
 * connection, the flow sink each connection's end, when its line goes to the index and, split by connection, its
 * file is closed. Records in no connection go to {@code other.pcap}; IP fragments wait for their datagram.
 */
public final class Splitter implements PacketTap, FlowSink, AutoCloseable
{
    /** What the split wrote. */
    public static final class Counts
    {
        public long connections;
        public long files;
        public long packets;
        public long otherPackets;
        public long filteredOut;
        public int peakOpen;
        public long reopened;
    }

    /** A connection being written: its capture and what of it is there. */
    private static final class Connection
    {
        final long serial;
        final CaptureFile file;
        long packets;
        long bytes;

        Connection(final long serial, final CaptureFile file)
        {
            this.serial = serial;
            this.file = file;
        }
    }

    private final Path dir;
    private final Grouping by;
    private final CaptureFiles files;
    private final ConnectionIndex index;
    private final String extension;
    private final long uidSeed;
    /**
     * The connection being written in each slot of the flow table (FlowSlot.flow(), the index the flow sink is told
     * too): a slot holds one connection at a time, so this finds it with one load where a map by serial took a
     * quarter of a split's time (its lookups missed the caches once per packet).
     */
    private Connection[] byFlow = new Connection[1 << 12];
    private final Map<String, CaptureFile> groups = new HashMap<>();
    private final org.agrona.collections.Long2ObjectHashMap<CaptureFile> portGroups =
        new org.agrona.collections.Long2ObjectHashMap<>();
    private final Set<String> folders = new HashSet<>();
    private final HeldFragments held = new HeldFragments();
    private final FlowRecord ended = FlowRecord.reusable();
    private final Counts counts = new Counts();
    private CaptureFile other;
    /** Why the files are incomplete (the run stopped early), or null. */
    private String incomplete;
    private OutputFault fault;
    /** Whether an input ended in a fault (then the connections still open at its end are incomplete). */
    private java.util.function.BooleanSupplier inputFaulted = () -> false;
    /** Set by another thread (Ctrl-C): the next record ends the run. */
    private volatile boolean stopRequested;

    public Splitter(final Path dir, final Grouping by, final CaptureReader input, final boolean pcapng,
        final int maxOpen, final boolean replace, final ConnectionIndex index, final long uidSeed)
    {
        if (by == Grouping.SERVICE)
        {
            throw new IllegalArgumentException("split by service is not built yet");
        }
        this.dir = dir;
        this.by = by;
        this.files = new CaptureFiles(RecordEncoder.of(input, pcapng), maxOpen, replace);
        this.extension = "." + files.format();
        this.index = index;
        this.uidSeed = uidSeed;
    }

    @Override
    public void unmatched(final PacketRecord record)
    {
        toOther(record);
    }

    @Override
    public void filteredOut(final PacketRecord record)
    {
        counts.filteredOut++;
    }

    @Override
    public void fragmentHeld(final PacketRecord record, final DecodedPacket fragment)
    {
        held.hold(record, fragment, this::toOther);
    }

    @Override
    public void tracked(final PacketRecord record, final DecodedPacket packet, final FlowSlot connection,
        final int payloadLength)
    {
        final long serial = connection.serial();
        final int flow = connection.flow();
        if (flow >= byFlow.length)
        {
            byFlow = java.util.Arrays.copyOf(byFlow, Math.max(flow + 1, byFlow.length * 2));
        }
        Connection c = byFlow[flow];
        if (c == null || c.serial != serial)
        {
            c = start(connection, serial);
            byFlow[flow] = c;
        }
        if (packet.frames > 1 && !held.isEmpty())
        {
            final Connection to = c;
            held.release(packet, r -> write(to, r));
        }
        write(c, record);
    }

    /** A frame in a tunnel goes to the file of the connection inside: the files hold each record once. */
    @Override
    public boolean eachRecordOnce()
    {
        return true;
    }

    /** How to tell, at the input's end, whether an input ended in a fault. */
    public void inputFaulted(final java.util.function.BooleanSupplier faulted)
    {
        this.inputFaulted = faulted;
    }

    @Override
    public void inputEnded()
    {
        if (fault == null && incomplete == null)
        {
            try
            {
                held.releaseAll(this::toOther);
            }
            catch (OutputFault | Stopped e)
            {
                // kept (fault()); the connections must still be ended and indexed
            }
        }
        if (inputFaulted.getAsBoolean())
        {
            stoppedEarly("input-fault"); // the connections still open may have gone on past the fault
        }
    }

    /** The run stopped before the input's end ({@code why}: "output-fault", "interrupted", "input-fault"). */
    public void stoppedEarly(final String why)
    {
        if (incomplete == null)
        {
            incomplete = why;
        }
    }

    @Override
    public void flowEnded(final FlowTable table, final int flow, final EndReason reason)
    {
        if (reason == EndReason.ACTIVE)
        {
            return; // an interim record: the connection goes on
        }
        final FlowRecord r = ended.fill(table, flow, reason);
        final Connection c = flow < byFlow.length ? byFlow[flow] : null;
        if (c == null || c.serial != r.serial)
        {
            return;
        }
        byFlow[flow] = null;
        counts.connections++;
        if (by == Grouping.CONNECTION && fault == null)
        {
            try
            {
                files.close(c.file);
            }
            catch (OutputFault e)
            {
                failed(e); // the next record ends the run; the end of the run must not be cut short
            }
        }
        try
        {
            // Once the run has stopped early, only the end of the run ends connections: each is incomplete.
            index.add(r, c.file.name(), c.packets, c.bytes, "input-fault".equals(incomplete) && closed(r) ? null
                : incomplete);
        }
        catch (IOException e)
        {
            failed(new OutputFault(dir.resolve("index"), e));
        }
    }

    /**
     * Whether a connection had closed (both sides finished, or reset, or rejected) when it ended: then nothing of it
     * can have come after an input's fault, every packet of it having been read and written before.
     */
    private static boolean closed(final FlowRecord r)
    {
        return switch (r.connState)
        {
            case "SF", "REJ", "RSTO", "RSTR", "RSTOS0", "RSTRH" -> true;
            default -> false;
        };
    }

    /** Flushes and closes every capture; the first failure is thrown. */
    @Override
    public void close()
    {
        counts.peakOpen = files.peakOpen();
        counts.reopened = files.opened() - counts.files;
        if (fault == null)
        {
            files.close();
        }
        else
        {
            try
            {
                files.close();
            }
            catch (OutputFault ignored)
            {
                // the first fault is the one reported
            }
        }
    }

    public Counts counts()
    {
        return counts;
    }

    /** The first output fault met, or null. */
    public OutputFault fault()
    {
        return fault;
    }

    private Connection start(final FlowSlot connection, final long serial)
    {
        if (by == Grouping.CONNECTION)
        {
            return new Connection(serial, newFile(by.fileOf(connection, FlowRecord.uid(uidSeed, serial), extension)));
        }
        if (by == Grouping.SERVER_PORT)
        {
            // By protocol and port, without making the group's name again for each connection.
            final long key = (long)connection.protocol() << 16 | connection.port(false);
            CaptureFile file = portGroups.get(key);
            if (file == null)
            {
                file = newFile(by.fileOf(connection, null, extension));
                portGroups.put(key, file);
            }
            return new Connection(serial, file);
        }
        final String name = by.fileOf(connection, null, extension);
        CaptureFile file = groups.get(name);
        if (file == null)
        {
            file = newFile(name);
            groups.put(name, file);
        }
        return new Connection(serial, file);
    }

    private CaptureFile newFile(final String name)
    {
        final int slash = name.lastIndexOf('/');
        if (slash > 0 && folders.add(name.substring(0, slash)))
        {
            try
            {
                CaptureFiles.folder(dir.resolve(name.substring(0, slash)));
            }
            catch (OutputFault e)
            {
                throw failed(e);
            }
        }
        counts.files++;
        return files.file(dir, name);
    }

    /** Ends the run at the next record, as a fault would (Ctrl-C): every file stays whole up to its last record. */
    public void requestStop()
    {
        stopRequested = true;
    }

    /** Thrown out of the read when a stop was requested. */
    public static final class Stopped extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Stopped()
        {
            super("interrupted", null, false, false);
        }
    }

    private void checkGoing()
    {
        if (fault != null)
        {
            throw fault;
        }
        if (stopRequested)
        {
            stoppedEarly("interrupted");
            throw new Stopped();
        }
    }

    private void write(final Connection c, final PacketRecord record)
    {
        checkGoing();
        try
        {
            files.append(c.file, record);
        }
        catch (OutputFault e)
        {
            throw failed(e);
        }
        c.packets++;
        c.bytes += Math.max(record.originalLength, record.capturedLength);
        counts.packets++;
    }

    private void toOther(final PacketRecord record)
    {
        checkGoing();
        if (other == null)
        {
            other = newFile("other" + extension);
        }
        try
        {
            files.append(other, record);
        }
        catch (OutputFault e)
        {
            throw failed(e);
        }
        counts.otherPackets++;
    }

    /** A write failed: the first fault is kept, the files left are marked incomplete, and the run ends. */
    private OutputFault failed(final OutputFault e)
    {
        if (fault == null)
        {
            fault = e;
        }
        stoppedEarly("output-fault");
        return e;
    }
}
