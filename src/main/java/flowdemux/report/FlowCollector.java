package flowdemux.report;

import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Keeps every flow that leaves the table, for the reports. */
public final class FlowCollector implements FlowSink
{
    private final List<FlowRecord> flows = new ArrayList<>();
    private long evicted;

    @Override
    public void flowEnded(final FlowTable table, final int flow, final EndReason reason)
    {
        if (reason == EndReason.EVICTED)
        {
            evicted++;
        }
        flows.add(FlowRecord.of(table, flow, reason));
    }

    /** Flows in order of their first packet, whatever order they ended in. */
    public List<FlowRecord> flows()
    {
        flows.sort(Comparator.comparingLong((FlowRecord f) -> f.serial).thenComparingLong(f -> f.firstNanos));
        return flows;
    }

    /** The flows in the order they ended (no sorting: cheap for rolling reports). */
    public List<FlowRecord> flowsUnsorted()
    {
        return flows;
    }

    public long evicted()
    {
        return evicted;
    }
}
