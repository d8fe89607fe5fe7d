package flowdemux.flow;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PackedPackets;
import flowdemux.decode.PacketDecoder;
import flowdemux.source.PacketRecord;
import flowdemux.synth.CaptureWriter;
import flowdemux.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LookaheadTest
{
    private static String line(final FlowTable table, final int flow, final EndReason reason)
    {
        final FlowRecord f = FlowRecord.of(table, flow, reason);
        return f.serial + " " + f.origAddress() + ":" + f.origPort + " " + f.respAddress() + ":" + f.respPort + " "
            + f.protocol + " " + f.connState + " " + f.history + " " + f.origPackets + "/" + f.respPackets + " "
            + f.origBytes + "/" + f.respBytes + " " + f.lastNanos + " " + reason;
    }

    /**
     * The worker's batched path (the batch's index slots and records loaded first) ends every connection exactly as
     * tracking one packet at a time does, on a table large enough (more than FlowTable.LOOKAHEAD_FROM flows open
     * at once) for the lookahead to run.
     */
    @Test
    void batchedTrackingEqualsOneAtATime() throws Exception
    {
        final List<String> single = new ArrayList<>();
        final List<String> batched = new ArrayList<>();
        final FlowTracker one = new FlowTracker(1 << 20, (t, f, r) -> single.add(line(t, f, r)), new ConnectionConfig());
        final FlowTracker many = new FlowTracker(1 << 20, (t, f, r) -> batched.add(line(t, f, r)),
            new ConnectionConfig());
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        final PacketRecord record = new PacketRecord();
        final int batchSize = 256;
        final long[] batch = new long[batchSize * PackedPackets.WORDS];
        final int[] count = {0};
        final boolean[] lookedAhead = {false};
        final long[] index = {0};
        new TrafficGenerator(9, 60_000, 60_000, 10).write(new CaptureWriter()
        {
            @Override
            public void write(final long timestampNanos, final byte[] frame, final int length, final int interfaceId)
            {
                record.set(frame, 0, length, length);
                record.timestampNanos = timestampNanos;
                record.linkType = 1;
                record.index = index[0]++;
                if (decoder.decode(record) != DropReason.NONE)
                {
                    return;
                }
                final DecodedPacket p = decoder.packet();
                p.captureNow = timestampNanos;
                one.onPacket(p);
                PackedPackets.pack(p, 0, 0, batch, count[0]); // onPacket keyed it
                if (++count[0] == batchSize)
                {
                    lookedAhead[0] |= many.table().lookaheadPays();
                    many.onKeyedBatch(batch, count[0], null);
                    count[0] = 0;
                }
            }

            @Override
            public void close()
            {
            }
        }, TrafficGenerator.START_NANOS);
        many.onKeyedBatch(batch, count[0], null);
        one.flushAll(Long.MIN_VALUE);
        many.flushAll(Long.MIN_VALUE);
        assertTrue(lookedAhead[0], "the table never grew past " + FlowTable.LOOKAHEAD_FROM + " flows");
        assertEquals(60_000, single.size());
        assertEquals(single, batched);
    }
}
