package flowdemux.flow;

/** Receives each flow as it leaves the table; reads its fields before the call returns. */
@FunctionalInterface
public interface FlowSink
{
    void flowEnded(FlowTable table, int flow, EndReason reason);

    /** Every connection has ended (the end of the input); called on the thread that ended them. */
    default void allEnded()
    {
    }
}
