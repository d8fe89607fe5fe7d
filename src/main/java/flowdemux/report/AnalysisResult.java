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
    /** Live capture on a loopback device, where the kernel counts each packet twice (see LiveCounters). */
    public boolean loopback;
    /** The host's own sockets and programs (a live capture with attribution, or its pcapng read back), or null. */
    public flowdemux.host.Attribution host;
    /** What --ipfix sent, or null without it. */
    public Export export;

    /** IPFIX export: where to, records sent and in how many messages, records dropped, and what stopped it. */
    public record Export(String target, long sent, long messages, long dropped, String failure)
    {
        /** "udp://127.0.0.1:4739: 400 records sent in 12 messages, 0 dropped". */
        public String describe()
        {
            return target + ": " + Formats.count(sent, "record", "records") + " sent in " + Formats.count(messages,
                "message", "messages") + ", " + Formats.count(dropped) + " dropped" + (failure == null ? ""
                : " (" + failure + ")");
        }
    }

    /** Kafka export (--kafka), or null. */
    public KafkaExport kafka;

    /**
     * Kafka export: where to (brokers/topic), the message format, records handed to the producer, acknowledged by
     * the brokers, given up on (failed), not handed over (dropped), and the first failure's words.
     */
    public record KafkaExport(String target, String format, long sent, long acknowledged, long failed, long dropped,
        String failure)
    {
        /** "127.0.0.1:9092/flows: 400 records sent, 400 acknowledged, 0 failed, 0 dropped". */
        public String describe()
        {
            return target + ": " + Formats.count(sent, "record", "records") + " sent, " + Formats.count(acknowledged)
                + " acknowledged, " + Formats.count(failed) + " failed, " + Formats.count(dropped) + " dropped"
                + (failure == null ? "" : " (first failure: " + failure + ")");
        }

        /** Whether every record was acknowledged. */
        public boolean complete()
        {
            return failed == 0 && dropped == 0 && acknowledged == sent;
        }
    }

    /** The input files, when there are several (merged by time): each with its format, packets and fault. */
    public java.util.List<InputFile> inputs = java.util.List.of();

    /** One input of several: its name, format, packets read from it, and the fault that ended it (or null). */
    public record InputFile(String name, String format, long packets, String error)
    {
    }

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
