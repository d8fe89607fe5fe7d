package flowdemux.flow;

import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.report.FlowCollector;
import flowdemux.source.CaptureReaders;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every conn_state of ZEEK-CONN.md, each from packets this test makes, with the history Zeek writes for it
 * (the examples of ZEEK-CONN.md section 5 where it gives one).
 */
class ConnStateTest
{
    /** The hand-written RSTOS0 test agrees with Zeek's pattern on every history of up to five letters. */
    @Test
    void rstos0MatchesZeeksPattern()
    {
        final java.util.regex.Pattern zeek = java.util.regex.Pattern.compile("\\^?S[^HAFGIQ]*R.*");
        final String letters = "^SHADFRCGTWIQXshadfr";
        final int n = letters.length();
        int matched = 0;
        for (int length = 0; length <= 5; length++)
        {
            final char[] h = new char[length];
            final int[] digits = new int[length];
            for (long k = 0; k < (long)Math.pow(n, length); k++)
            {
                for (int i = 0; i < length; i++)
                {
                    h[i] = letters.charAt(digits[i]);
                }
                final String history = new String(h);
                final boolean expected = zeek.matcher(history).matches();
                assertEquals(expected, ConnState.synThenReset(history), history);
                matched += expected ? 1 : 0;
                for (int i = 0; i < length && ++digits[i] == n; i++)
                {
                    digits[i] = 0;
                }
            }
        }
        assertTrue(matched > 1000, "the pattern matched " + matched + " histories");
    }

    private static final byte[] CLIENT = PacketBuilder.ipv4("10.1.1.1");
    private static final byte[] SERVER = PacketBuilder.ipv4("10.1.1.2");
    private static final int S = 0x02;
    private static final int F = 0x01;
    private static final int R = 0x04;
    private static final int A = 0x10;
    private static final int P = 0x08;
    private static final long CISN = 1000;
    private static final long SISN = 900_000;

    /**
     * A tiny script of one connection: client port 40000, server port 8000 (HTTP-alt, one of Zeek's likely server
     * ports, so a connection seen from its SYN-ACK on is flipped to put the server on the responder side).
     */
    private static final class Script
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PcapWriter writer;
        final PacketBuilder b = new PacketBuilder();
        long t = 1_700_000_000_000_000_000L;

        Script() throws Exception
        {
            writer = new PcapWriter(bytes, 1, true);
        }

        Script c(final int flags, final long seq, final long ack, final int len) throws Exception
        {
            b.tcp(CLIENT, 40000, SERVER, 8000, seq, ack, flags, 1000, null, len);
            writer.write(t += 1_000_000, b.frame(), b.length(), 0);
            return this;
        }

        Script s(final int flags, final long seq, final long ack, final int len) throws Exception
        {
            b.tcp(SERVER, 8000, CLIENT, 40000, seq, ack, flags, 1000, null, len);
            writer.write(t += 1_000_000, b.frame(), b.length(), 0);
            return this;
        }

        Script udp(final boolean fromClient) throws Exception
        {
            if (fromClient)
            {
                b.udp(CLIENT, 40000, SERVER, 8000, 10);
            }
            else
            {
                b.udp(SERVER, 8000, CLIENT, 40000, 10);
            }
            writer.write(t += 1_000_000, b.frame(), b.length(), 0);
            return this;
        }

        /** Lets capture time pass before the next packet. */
        Script after(final double seconds)
        {
            t += (long)(seconds * 1e9);
            return this;
        }

        /** Handshake: S, SA, A. */
        Script handshake() throws Exception
        {
            return c(S, CISN, 0, 0).s(S | A, SISN, CISN + 1, 0).c(A, CISN + 1, SISN + 1, 0);
        }

        List<FlowRecord> run() throws Exception
        {
            writer.close();
            final FlowCollector collector = new FlowCollector();
            final OfflineRun run = new OfflineRun(1000, collector, PacketFilter.ALL, ProgressListener.NONE,
                new ConnectionConfig());
            run.run(CaptureReaders.open(new ByteArrayInputStream(bytes.toByteArray())));
            return collector.flows();
        }
    }

    private static void expect(final Script script, final String state, final String history) throws Exception
    {
        final List<FlowRecord> flows = script.run();
        assertEquals(1, flows.size(), "one connection");
        assertEquals(state, flows.get(0).connState, "conn_state; history " + flows.get(0).history);
        assertEquals(history, flows.get(0).history);
    }

    @Test
    void s0UnansweredSyn() throws Exception
    {
        expect(new Script().c(S, CISN, 0, 0), "S0", "S");
    }

    @Test
    void s1EstablishedNotClosed() throws Exception
    {
        expect(new Script().handshake().c(P | A, CISN + 1, SISN + 1, 10).s(P | A, SISN + 1, CISN + 11, 20),
            "S1", "ShADd");
    }

    @Test
    void sfNormalClose() throws Exception
    {
        expect(new Script().handshake().c(P | A, CISN + 1, SISN + 1, 10).s(P | A, SISN + 1, CISN + 11, 20)
            .c(F | A, CISN + 11, SISN + 21, 0).s(F | A, SISN + 21, CISN + 12, 0).c(A, CISN + 12, SISN + 22, 0),
            "SF", "ShADdFf");
    }

    @Test
    void rejSynAnsweredByRst() throws Exception
    {
        expect(new Script().c(S, CISN, 0, 0).s(R | A, 0, CISN + 1, 0), "REJ", "Sr");
    }

    @Test
    void s2OriginatorClosedResponderSilent() throws Exception
    {
        expect(new Script().handshake().c(F | A, CISN + 1, SISN + 1, 0), "S2", "ShAF");
    }

    @Test
    void s3ResponderClosedOriginatorSilent() throws Exception
    {
        expect(new Script().handshake().s(F | A, SISN + 1, CISN + 1, 0), "S3", "ShAf");
    }

    @Test
    void rstoOriginatorAborts() throws Exception
    {
        expect(new Script().handshake().c(R | A, CISN + 1, SISN + 1, 0), "RSTO", "ShAR");
    }

    @Test
    void rstrResponderAborts() throws Exception
    {
        expect(new Script().handshake().c(P | A, CISN + 1, SISN + 1, 10).s(R | A, SISN + 1, CISN + 11, 0),
            "RSTR", "ShADr");
    }

    @Test
    void rstos0SynThenRstNoSynAck() throws Exception
    {
        expect(new Script().c(S, CISN, 0, 0).c(R, CISN + 1, 0, 0), "RSTOS0", "SR");
    }

    @Test
    void rstrhSynAckThenRstNoSyn() throws Exception
    {
        expect(new Script().s(S | A, SISN, CISN + 1, 0).s(R | A, SISN + 1, CISN + 1, 0), "RSTRH", "^hr");
    }

    @Test
    void shSynThenFin() throws Exception
    {
        expect(new Script().c(S, CISN, 0, 0).c(F, CISN + 1, 0, 0), "SH", "SF");
    }

    @Test
    void shrSynAckThenFin() throws Exception
    {
        expect(new Script().s(S | A, SISN, CISN + 1, 0).s(F | A, SISN + 1, CISN + 1, 0), "SHR", "^hf");
    }

    @Test
    void othMidstream() throws Exception
    {
        expect(new Script().c(P | A, CISN + 1, SISN + 1, 10).s(P | A, SISN + 1, CISN + 11, 10)
            .c(A, CISN + 11, SISN + 11, 0), "OTH", "DdA");
    }

    @Test
    void portReuseWithANewIsnStartsANewConnection() throws Exception
    {
        final List<FlowRecord> flows = new Script().c(S, CISN, 0, 0).s(R | A, 0, CISN + 1, 0)
            .c(S, CISN + 5000, 0, 0).s(R | A, 0, CISN + 5001, 0).run();
        assertEquals(2, flows.size());
        assertEquals("REJ", flows.get(0).connState);
        assertEquals("REJ", flows.get(1).connState);
    }

    @Test
    void unansweredSynEndsAfterTheAttemptDelayAndLaterPacketsStartAnotherConnection() throws Exception
    {
        final List<FlowRecord> flows = new Script().c(S, CISN, 0, 0).after(4).c(A, CISN + 1, 0, 0).after(2)
            .c(P | A, CISN + 1, 0, 10).run();
        assertEquals(2, flows.size());
        assertEquals("S0", flows.get(0).connState);
        assertEquals("SA", flows.get(0).history);
        assertEquals("OTH", flows.get(1).connState);
    }

    @Test
    void udpInactivityTimeoutSplitsAConnection() throws Exception
    {
        assertEquals(1, new Script().udp(true).after(59).udp(true).run().size());
        assertEquals(2, new Script().udp(true).after(61).udp(true).run().size());
    }

    @Test
    void closedConnectionEndsAfterTheCloseDelay() throws Exception
    {
        // A packet 6 s after a complete close belongs to a new connection; one 4 s after does not.
        final Script late = new Script().handshake().c(F | A, CISN + 1, SISN + 1, 0).s(F | A, SISN + 1, CISN + 2, 0);
        assertEquals(2, late.after(6).c(A, CISN + 2, SISN + 2, 0).run().size());
        final Script early = new Script().handshake().c(F | A, CISN + 1, SISN + 1, 0).s(F | A, SISN + 1, CISN + 2, 0);
        assertEquals(1, early.after(4).c(A, CISN + 2, SISN + 2, 0).run().size());
    }

    @Test
    void connectionThatBeganWithSynAckFlipsWhenItGoesOn() throws Exception
    {
        // Port 8001 is no likely server port, so the SYN-ACK's sender is first taken for the originator.
        final Script script = new Script();
        script.b.tcp(SERVER, 8001, CLIENT, 40000, SISN, CISN + 1, S | A, 1000, null, 0);
        script.writer.write(script.t += 1_000_000, script.b.frame(), script.b.length(), 0);
        script.b.tcp(CLIENT, 40000, SERVER, 8001, CISN + 1, SISN + 1, A, 1000, null, 0);
        script.writer.write(script.t += 1_000_000, script.b.frame(), script.b.length(), 0);
        final FlowRecord f = script.run().get(0);
        assertEquals("^hA", f.history);
        assertEquals(40000, f.origPort, "the client is the originator after the flip");
        assertEquals(1, f.origPackets);
        assertEquals(1, f.respPackets);
    }

    @Test
    void badChecksumMarksCAndCountsNothing() throws Exception
    {
        final Script script = new Script();
        script.b.tcp(CLIENT, 40000, SERVER, 8000, CISN, 0, S, 1000, null, 0);
        script.b.frame()[14 + 20 + 16] ^= 0x55;
        script.writer.write(script.t += 1_000_000, script.b.frame(), script.b.length(), 0);
        final FlowRecord f = script.run().get(0);
        assertEquals("C", f.history);
        assertEquals(0, f.origPackets);
        assertEquals("OTH", f.connState);
    }

    @Test
    void activeTimeoutWritesInterimRecordsUnderTheSameUid() throws Exception
    {
        final Script script = new Script();
        for (int i = 0; i < 25; i++)
        {
            script.udp(i % 2 == 0).after(1);
        }
        script.writer.close();
        final FlowCollector collector = new FlowCollector();
        final ConnectionConfig config = new ConnectionConfig();
        config.activeTimeout = ConnectionConfig.seconds(10);
        final OfflineRun run = new OfflineRun(1000, collector, PacketFilter.ALL, ProgressListener.NONE, config);
        run.run(CaptureReaders.open(new ByteArrayInputStream(script.bytes.toByteArray())));
        final List<FlowRecord> flows = collector.flows();
        assertEquals(3, flows.size(), "interim at 10 s and 20 s, then the final record");
        assertEquals(1, flows.stream().map(f -> f.uid()).distinct().count());
        assertEquals(EndReason.ACTIVE, flows.get(0).endReason);
        assertEquals(EndReason.END_OF_INPUT, flows.get(2).endReason);
        assertEquals(25, flows.get(2).packets());
    }

    @Test
    void udpStates() throws Exception
    {
        assertEquals("SF", new Script().udp(true).udp(false).run().get(0).connState);
        assertEquals("S0", new Script().udp(true).run().get(0).connState);
        assertEquals("Dd", new Script().udp(true).udp(false).run().get(0).history);
    }
}
