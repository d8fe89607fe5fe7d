package flowdemux.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.KafkaBroker;
import flowdemux.cli.Main;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code capture -i lo --kafka}: each connection arrives in the broker while the capture still runs (a closed
 * connection ends after --tcp-close-delay on the capture's clock, which follows the wall clock while no packet comes,
 * and its record is on its way at once), and at the end the topic holds the capture's JSON lines, record for record.
 * With one worker (the tracker on the reader's thread) and two (what a worker's batch has gathered is handed over on
 * a quiet link too). The capture's filter keeps the broker's own loopback traffic out.
 */
class LiveKafkaTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path brokerFolder;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        // Only where the capture can run: without root or libpcap the class is skipped (or, in CI, fails) here.
        LiveRequirement.require();
        broker = KafkaBroker.start(brokerFolder.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    @ParameterizedTest(name = "--workers {0}")
    @ValueSource(ints = {1, 2})
    void connectionsArriveWhileTheCaptureRuns(final int workers, @TempDir final Path tmp) throws Exception
    {
        final InetAddress host = InetAddress.getByName("127.0.0.1");
        final String topic = "live-" + workers;
        try (ServerSocket server = new ServerSocket(0, 10, host))
        {
            broker.createTopic(topic, 2);
            LoopbackPeers.daemon(() -> LoopbackPeers.serve(server));
            final Path lines = tmp.resolve("live.jsonl");
            final StringWriter err = new StringWriter();
            final int[] exit = {-1};
            final Thread capture = new Thread(() ->
            {
                final CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(new StringWriter(), true));
                cl.setErr(new PrintWriter(err, true));
                exit[0] = cl.execute("capture", "-i", "lo", "-f", "tcp port " + server.getLocalPort(),
                    "--duration", "6", "--workers", String.valueOf(workers), "--tcp-close-delay", "0.2", "--format", "jsonl", "-o", lines.toString(),
                    "--kafka", broker.bootstrap() + "/" + topic, "--kafka-property", "linger.ms=5");
            }, "test-capture");
            capture.start();
            LoopbackPeers.waitFor(err, "capturing on lo");
            Thread.sleep(300);

            final Set<Integer> clientPorts = new TreeSet<>();
            for (int i = 0; i < 5; i++)
            {
                try (Socket s = new Socket(host, server.getLocalPort()))
                {
                    clientPorts.add(s.getLocalPort());
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().readAllBytes();
                }
            }
            // All five are in the topic long before the capture's 6 s are up.
            final long arrived = broker.awaitMessages(topic, 5);
            final boolean stillCapturing = capture.isAlive();
            assertEquals(5, arrived, err.toString());
            assertTrue(stillCapturing, "the records arrived while the capture ran: " + err);
            final Set<Integer> consumedPorts = new TreeSet<>();
            for (final ConsumerRecord<byte[], byte[]> m : broker.readAll(topic))
            {
                final JsonNode r = JSON.readTree(m.value());
                assertEquals("SF", r.get("conn_state").asText(), r.toString());
                assertEquals(r.get("community_id").asText(), new String(m.key(), StandardCharsets.US_ASCII));
                consumedPorts.add(r.get("orig_p").asInt());
            }
            assertEquals(clientPorts, consumedPorts, "one message per connection the clients made");

            capture.join(30_000);
            assertEquals(0, exit[0], err.toString());
            assertTrue(err.toString().contains("5 records sent, 5 acknowledged, 0 failed, 0 dropped"), err.toString());
            // The topic holds exactly the capture's JSON lines.
            final Set<String> expected = new HashSet<>(Files.readAllLines(lines));
            final Set<String> consumed = new HashSet<>();
            final List<ConsumerRecord<byte[], byte[]>> all = broker.readAll(topic);
            all.forEach(m -> consumed.add(new String(m.value(), StandardCharsets.UTF_8)));
            assertEquals(5, all.size());
            assertEquals(expected, consumed);
        }
    }
}
