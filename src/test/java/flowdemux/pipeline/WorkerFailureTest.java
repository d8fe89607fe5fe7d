package flowdemux.pipeline;

import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowSink;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker whose sink fails ends the read with that failure's own message, not a wrapped one. */
class WorkerFailureTest
{
    private static RuntimeException failureOf(final FlowSink sink) throws Exception
    {
        final OfflineRun run = new OfflineRun(2, 1_000_000, i -> sink, PacketFilter.ALL, ProgressListener.NONE,
            new ConnectionConfig());
        final byte[] capture = TrafficGenerator.pcap(9, 2000, 200, 10);
        return assertThrows(RuntimeException.class, () -> run.run(CaptureReaders.open(new ByteArrayInputStream(capture))));
    }

    @Test
    void anInputOutputFailureOfTheSinkIsReportedAsItIs() throws Exception
    {
        final RuntimeException e = failureOf((table, flow, reason) ->
        {
            throw new UncheckedIOException("cannot write connection records to a temporary file in /x: no such folder",
                new IOException("/x"));
        });
        assertTrue(e instanceof UncheckedIOException, e.toString());
        assertEquals("cannot write connection records to a temporary file in /x: no such folder", e.getMessage());
    }

    @Test
    void anyOtherFailureIsAFailedWorker() throws Exception
    {
        final RuntimeException e = failureOf((table, flow, reason) ->
        {
            throw new IllegalArgumentException("bug");
        });
        assertTrue(e instanceof IllegalStateException, e.toString());
        assertTrue(e.getMessage().startsWith("a worker "), e.getMessage());
    }
}
