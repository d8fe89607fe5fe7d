package flowdemux.pipeline;

import flowdemux.decode.DecodeStats;
import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTracker;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.PacketRecord;

import java.io.IOException;

/**
 * Reads a capture to its end on the calling thread: read, decode, filter, track. The multi-worker pipeline splits
 * the same steps at the tracker (one {@link FlowTracker} per worker, fed by symmetric hash of the canonical key);
 * nothing in source, decode or flow depends on which one runs them.
 */
public final class OfflineRun
{
    /** How often (in packets) the progress listener is called. */
    private static final int PROGRESS_EVERY = 1 << 16;

    private static final DropReason[] REASONS = DropReason.values();
    private final PacketDecoder decoder;
    private final DecodeStats stats = new DecodeStats();
    private final FlowTracker tracker;
    private final PacketFilter filter;
    private final ProgressListener progress;
    private CaptureFormatException fault;
    private IOException ioFault;

    public OfflineRun(final int maxFlows, final FlowSink sink, final PacketFilter filter, final ProgressListener progress,
        final ConnectionConfig config)
    {
        this.decoder = new PacketDecoder(config.verifyChecksums);
        this.tracker = new FlowTracker(maxFlows, sink, config);
        this.filter = filter;
        this.progress = progress;
    }

    /**
     * Reads until the end or the first fault, then flushes every open flow. A fault does not throw: what was read
     * before it is kept and the fault is available from {@link #fault()} / {@link #ioFault()}.
     */
    public void run(final CaptureReader reader)
    {
        final PacketRecord record = new PacketRecord();
        final DecodedPacket packet = decoder.packet();
        try
        {
            while (reader.next(record))
            {
                stats.onPacket(record.timestampNanos, record.capturedLength, record.originalLength, record.linkType);
                final DropReason reason = decoder.decode(record);
                if (reason != DropReason.NONE)
                {
                    stats.onDrop(reason);
                }
                else if (!filter.accepts(packet))
                {
                    stats.filteredOut++;
                }
                else
                {
                    stats.onDecoded(packet);
                    final int frames = tracker.onPacket(packet);
                    if (frames >= 0)
                    {
                        stats.framesInFlows += frames;
                    }
                    else
                    {
                        stats.onDrop(REASONS[-frames]);
                    }
                }
                if ((stats.packets & (PROGRESS_EVERY - 1)) == 0)
                {
                    progress.progress(reader.position(), stats.packets);
                }
            }
        }
        catch (CaptureFormatException e)
        {
            fault = e;
        }
        catch (IOException e)
        {
            ioFault = e;
        }
        finally
        {
            stats.addLinkTypes(reader.linkTypes());
            tracker.flushAll(EndReason.END_OF_INPUT);
            stats.drops[DropReason.INCOMPLETE_FRAGMENTS.ordinal()] += tracker.incompleteFragmentFrames();
        }
    }

    public DecodeStats stats()
    {
        return stats;
    }

    public FlowTracker tracker()
    {
        return tracker;
    }

    public CaptureFormatException fault()
    {
        return fault;
    }

    public IOException ioFault()
    {
        return ioFault;
    }
}
