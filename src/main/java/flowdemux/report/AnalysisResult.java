package flowdemux.report;

import flowdemux.decode.DecodeStats;
import flowdemux.flow.FlowRecord;


/** Everything a report renders: the input, what was decoded, and the flows. */
public final class AnalysisResult
{
    public final String inputName;
    public final String format;
    public final DecodeStats stats;
    /** Every connection record in order of first packet; a single pass. */
    public final Iterable<FlowRecord> flows;
    public final Aggregates aggregates;
    public final long evicted;
    public final int maxFlows;
    /** One-line description of the fault that ended the read early, or null. */
    public final String error;
    public final String filterDescription;
    /**
     * The per-connection lines, already formatted by the workers, when the output has them ({@link RecordLine});
     * null when the records are in {@link #flows} instead.
     */
    public RecordLines lines;
    /** Live capture: {received, dropped by the kernel, dropped by the interface} from libpcap, or null. */
    public long[] captureStats;

    public AnalysisResult(final String inputName, final String format, final DecodeStats stats,
        final Iterable<FlowRecord> flows, final Aggregates aggregates, final long evicted, final int maxFlows,
        final String error, final String filterDescription)
    {
        this.aggregates = aggregates;
        this.inputName = inputName;
        this.format = format;
        this.stats = stats;
        this.flows = flows;
        this.evicted = evicted;
        this.maxFlows = maxFlows;
        this.error = error;
        this.filterDescription = filterDescription;
    }

    /** Captured frames accounted to connections. */
    public long packetsInFlows()
    {
        return stats.framesInFlows;
    }
}
