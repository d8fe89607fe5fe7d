package flowdemux.pipeline;

import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowTracker;
import org.jctools.queues.SpscArrayQueue;

/**
 * Owns one shard of the flow table: takes batches from its ring, tracks their packets, hands the batches back.
 * Nothing here is shared but the two rings.
 */
final class Worker implements Runnable
{
    final SpscArrayQueue<Batch> full;
    final SpscArrayQueue<Batch> free;
    final FlowTracker tracker;
    long framesInFlows;
    volatile Throwable failure;
    volatile boolean finished;
    private long finalNow = Long.MIN_VALUE;

    Worker(final int maxFlows, final FlowSink sink, final ConnectionConfig config, final int batches)
    {
        this.tracker = new FlowTracker(maxFlows, sink, config);
        this.full = new SpscArrayQueue<>(batches);
        this.free = new SpscArrayQueue<>(batches);
        for (int i = 0; i < batches; i++)
        {
            free.offer(new Batch());
        }
    }

    @Override
    public void run()
    {
        try
        {
            int idle = 0;
            while (true)
            {
                final Batch batch = full.relaxedPoll();
                if (batch == null)
                {
                    Idle.idle(idle++);
                    continue;
                }
                idle = 0;
                framesInFlows += tracker.onKeyedBatch(batch.packets, batch.count, batch.payloads);
                final boolean last = batch.last;
                finalNow = batch.finalNow;
                if (batch.advanceTo != Long.MIN_VALUE)
                {
                    tracker.advance(batch.advanceTo);
                    batch.advanceTo = Long.MIN_VALUE;
                }
                if (batch.snapshot != null)
                {
                    tracker.snapshot(batch.snapshot);
                    batch.snapshot = null;
                    batch.snapshotTaken.countDown();
                    batch.snapshotTaken = null;
                }
                batch.clear();
                batch.last = false;
                free.offer(batch);
                if (last)
                {
                    break;
                }
            }
            tracker.flushAll(finalNow);
        }
        catch (RuntimeException | Error e)
        {
            failure = e;
        }
        finally
        {
            finished = true;
        }
    }
}
