package flowdemux.export;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.ConnLogRows;
import flowdemux.Corpus;
import flowdemux.KafkaBroker;
import flowdemux.cli.Main;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --kafka against a real broker (Apache Kafka's own, KRaft, in a JVM of its own on loopback): what is consumed from
 * the topic is what the JSON lines and the conn.log of the same read say, record for record, and a broker that goes
 * away loses nothing without counting it.
 */
class KafkaExportTest
{
    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    static Path tmp;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = KafkaBroker.start(tmp.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    /** Every consumed message is one --format jsonl line of the same read, keyed by its community_id; none more. */
    @Test
    void messagesAreTheJsonLinesKeyedByCommunityId() throws Exception
    {
        final Path capture = tmp.resolve("generated.pcap");
        final Cli generated = Cli.run("generate", "--flows", "6000", "--concurrency", "100", "-o", capture.toString());
        assertEquals(0, generated.exitCode, generated.err);
        final Path lines = tmp.resolve("generated.jsonl");
        // Interim records too: --active-timeout makes several messages of a long connection, in order.
        final Cli read = Cli.run("read", capture.toString(), "--format", "jsonl", "-o", lines.toString(),
            "--active-timeout", "0.005", "--kafka", broker.bootstrap() + "/flows-json");
        assertEquals(0, read.exitCode, read.err);
        final List<String> expected = Files.readAllLines(lines);
        assertTrue(expected.size() > 6000, "interim records as well as final ones: " + expected.size());
        assertTrue(read.err.contains("flows-json: " + String.format("%,d", expected.size()) + " records sent, "
            + String.format("%,d", expected.size()) + " acknowledged, 0 failed, 0 dropped"), read.err);

        final List<ConsumerRecord<byte[], byte[]>> consumed = broker.readAll("flows-json");
        final Map<String, Integer> want = count(expected);
        final Map<String, Integer> got = new HashMap<>();
        // A uid's records in one partition, in the order they were written (interim ones first, the final one last).
        final Map<String, Integer> partitionOfUid = new HashMap<>();
        final Map<String, List<String>> endsOfUid = new HashMap<>();
        for (final ConsumerRecord<byte[], byte[]> m : consumed)
        {
            final String value = new String(m.value(), StandardCharsets.US_ASCII);
            got.merge(value, 1, Integer::sum);
            final JsonNode record = JSON.readTree(value);
            assertEquals(record.get("community_id").asText(), new String(m.key(), StandardCharsets.US_ASCII));
            // The record has no version field of its own: the header says which schema it follows.
            assertEquals(1, m.headers().toArray().length);
            assertEquals(String.valueOf(flowdemux.report.JsonReport.SCHEMA_VERSION),
                new String(m.headers().lastHeader("schema_version").value(), StandardCharsets.US_ASCII));
            final String uid = record.get("uid").asText();
            assertEquals(partitionOfUid.computeIfAbsent(uid, u -> m.partition()), m.partition(), uid);
            endsOfUid.computeIfAbsent(uid, u -> new ArrayList<>()).add(record.get("end").asText());
        }
        assertEquals(want, got, "the topic holds exactly the JSON lines");
        int interim = 0;
        for (final List<String> ends : endsOfUid.values())
        {
            for (int i = 0; i < ends.size() - 1; i++)
            {
                assertEquals("active", ends.get(i), "interim records come before the final one: " + ends);
                interim++;
            }
        }
        assertTrue(interim > 0, "some connections had interim records");
        final Set<Integer> partitions = new HashSet<>(partitionOfUid.values());
        assertEquals(3, partitions.size(), "keys spread over the topic's three partitions");
    }

    /**
     * --kafka-format zeek: {"conn": {...}} with Zeek's field names, whose every field equals the conn.log row's (a
     * "-" there is a field left out here), typed as Zeek's JSON writer types them.
     */
    @Test
    void zeekShapeEqualsTheConnLogRows() throws Exception
    {
        final Path corpus = Corpus.root();
        final String[] files = {"zeek/wikipedia.pcap", "zeek-tunnels/vxlan.pcap", "zeek/ssh.pcap",
            "zeek/https-to-http.pcap", "ja4/badcurveball.pcap"};
        int fields = 0;
        int rows = 0;
        for (int n = 0; n < files.length; n++)
        {
            final Path log = tmp.resolve("zeek-" + n + ".log");
            final String topic = "flows-zeek-" + n;
            final Cli read = Cli.run("read", corpus.resolve(files[n]).toString(), "--format", "zeek", "--zeek-extra",
                "--community-id", "-o", log.toString(), "--kafka", broker.bootstrap() + "/" + topic,
                "--kafka-format", "zeek");
            assertEquals(0, read.exitCode, files[n] + ": " + read.err);
            final String text = Files.readString(log);
            final String[] names = fieldLine(text, "#fields\t");
            final String[] types = fieldLine(text, "#types\t");
            final Map<String, Map<String, String>> byUid = new TreeMap<>();
            for (final Map<String, String> row : ConnLogRows.parse(text))
            {
                byUid.put(row.get("uid"), row);
            }
            final Map<String, JsonNode> consumed = new TreeMap<>();
            for (final ConsumerRecord<byte[], byte[]> m : broker.readAll(topic))
            {
                final JsonNode message = JSON.readTree(m.value());
                assertEquals(0, m.headers().toArray().length, "zeek-kafka's messages have no headers");
                assertEquals(1, message.size(), "one tag: " + message);
                final JsonNode conn = message.get("conn");
                assertNotNull(conn, "tagged 'conn': " + message);
                assertEquals(null, consumed.put(conn.get("uid").asText(), conn), "one message a uid");
            }
            assertEquals(byUid.keySet(), consumed.keySet(), files[n] + ": the same connections");
            for (final Map.Entry<String, Map<String, String>> e : byUid.entrySet())
            {
                final JsonNode conn = consumed.get(e.getKey());
                int present = 0;
                for (int i = 0; i < names.length; i++)
                {
                    final String tsv = e.getValue().get(names[i]);
                    final JsonNode json = conn.get(names[i]);
                    if ("-".equals(tsv))
                    {
                        assertEquals(null, json, names[i] + " unset in " + e.getValue());
                        continue;
                    }
                    present++;
                    fields++;
                    assertNotNull(json, names[i] + " of " + e.getKey());
                    assertEquals(tsv, zeekText(json, types[i]), names[i] + " of " + e.getKey());
                }
                assertEquals(present, conn.size(), "no field beyond the row's: " + conn);
                rows++;
            }
        }
        assertTrue(rows > 50 && fields > rows * 20, rows + " rows, " + fields + " fields compared");
    }

    /**
     * The broker stopped halfway through a read (from a pipe, so that the read is still going) and started again
     * within the producer's delivery timeout: every record arrives once, none failed, exit 0.
     */
    @Test
    void aBrokerThatComesBackLosesNothing() throws Exception
    {
        final Run run = pipedRead("flows-away", List.of());
        run.feedHalf();
        assertTrue(broker.awaitMessages("flows-away", 1) > 0, "the first half's ended connections arrived");
        broker.stop();
        run.feedRest();
        Thread.sleep(1500);
        broker.startAgain();
        final Run.Result r = run.end();
        assertEquals(0, r.exit, r.err);
        final Set<String> uids = uids(broker.readAll("flows-away"), r.ended);
        assertEquals(r.ended, uids.size(), "every connection arrived");
        assertTrue(r.err.contains(String.format("%,d acknowledged, 0 failed, 0 dropped", r.ended)), r.err);
    }

    /**
     * The broker away for longer than the delivery timeout: what could not be delivered is counted as failed, the
     * rest arrives once, consumed + failed = ended, and the exit code is 3.
     */
    @Test
    void aBrokerAwayTooLongCountsWhatFailed() throws Exception
    {
        final Run run = pipedRead("flows-gone", List.of("--kafka-property", "delivery.timeout.ms=3000",
            "--kafka-property", "request.timeout.ms=1000", "--kafka-property", "linger.ms=5"));
        run.feedHalf();
        assertTrue(broker.awaitMessages("flows-gone", 1) > 0, "the first half's ended connections arrived");
        broker.stop();
        final Run.Result r;
        try
        {
            run.feedRest();
            r = run.end();
        }
        finally
        {
            broker.startAgain();
        }
        assertEquals(Main.EXIT_EXPORT, r.exit, r.err);
        final JsonNode kafka = r.report.get("capture").get("kafka");
        final long failed = kafka.get("records_failed").asLong();
        final long dropped = kafka.get("records_dropped").asLong();
        assertTrue(failed > 0, r.err);
        assertEquals(0, dropped, "a file read waits rather than drop");
        final Set<String> uids = uids(broker.readAll("flows-gone"), r.ended);
        assertTrue(uids.size() > 0, "the first half arrived");
        assertEquals(r.ended, uids.size() + failed, "consumed + failed = ended: " + kafka);
        assertEquals(r.ended, kafka.get("records_acknowledged").asLong() + failed, kafka.toString());
        assertFalse(kafka.get("failure").isNull(), kafka.toString());
        // The report's capture.kafka has exactly the fields docs/json-schema.md lists.
        final Set<String> reported = new java.util.TreeSet<>();
        kafka.properties().forEach(e -> reported.add("capture.kafka." + e.getKey()));
        final Set<String> documented = new java.util.TreeSet<>();
        flowdemux.report.JsonReportTest.documented().stream().filter(p -> p.startsWith("capture.kafka."))
            .forEach(documented::add);
        assertEquals(documented, reported);
    }

    /** The uids of the consumed JSON records, each once (idempotence: a retried batch is not written twice). */
    private static Set<String> uids(final List<ConsumerRecord<byte[], byte[]>> consumed, final long ended)
        throws Exception
    {
        final Set<String> uids = new HashSet<>();
        for (final ConsumerRecord<byte[], byte[]> m : consumed)
        {
            final String uid = JSON.readTree(m.value()).get("uid").asText();
            assertTrue(uids.add(uid), "a duplicate of " + uid + " (" + consumed.size() + " consumed, " + ended
                + " ended)");
        }
        return uids;
    }

    /** A read of standard input, fed by the test in two halves. */
    private Run pipedRead(final String topic, final List<String> extra) throws Exception
    {
        final Path capture = tmp.resolve(topic + ".pcap");
        final Cli generated = Cli.run("generate", "--flows", "6000", "--concurrency", "100", "-o", capture.toString());
        assertEquals(0, generated.exitCode, generated.err);
        // The generated capture spans half a second: short timeouts end connections while it is read.
        final List<String> args = new ArrayList<>(List.of("read", "-", "--format", "json", "--kafka",
            broker.bootstrap() + "/" + topic, "--tcp-close-delay", "0.01", "--tcp-attempt-delay", "0.01",
            "--tcp-timeout", "0.05", "--udp-timeout", "0.05", "--tcp-linger", "0.01", "--tcp-syn-timeout", "0.01"));
        args.addAll(extra);
        return new Run(Files.readAllBytes(capture), args.toArray(new String[0]));
    }

    private static final class Run
    {
        record Result(int exit, String err, JsonNode report, long ended)
        {
        }

        private final byte[] bytes;
        private final PipedOutputStream feed = new PipedOutputStream();
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final int[] exit = {-1};
        private final Thread thread;
        private final InputStream stdin = System.in;

        Run(final byte[] bytes, final String[] args) throws Exception
        {
            this.bytes = bytes;
            final PipedInputStream in = new PipedInputStream(feed, 1 << 20);
            System.setIn(in);
            thread = new Thread(() ->
            {
                final CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                exit[0] = cl.execute(args);
            }, "test-read");
            thread.start();
        }

        void feedHalf() throws Exception
        {
            write(feed, bytes, 0, bytes.length / 2);
            Thread.sleep(1000);
        }

        void feedRest() throws Exception
        {
            write(feed, bytes, bytes.length / 2, bytes.length - bytes.length / 2);
        }

        Result end() throws Exception
        {
            feed.close();
            thread.join(180_000);
            System.setIn(stdin);
            assertFalse(thread.isAlive(), "the read ended");
            final JsonNode report = JSON.readTree(out.toString());
            return new Result(exit[0], err.toString(), report, report.get("capture").get("flow_table").get("connections").asLong());
        }

        private static void write(final OutputStream o, final byte[] b, final int from, final int length)
            throws Exception
        {
            for (int i = from; i < from + length; i += 1 << 16)
            {
                o.write(b, i, Math.min(1 << 16, from + length - i));
            }
            o.flush();
        }
    }

    /** A JSON field written back as conn.log writes it, by the column's Zeek type. */
    private static String zeekText(final JsonNode v, final String type)
    {
        switch (type)
        {
            case "bool":
                assertTrue(v.isBoolean(), type + ": " + v);
                return v.booleanValue() ? "T" : "F";
            case "count":
            case "port":
                assertTrue(v.isIntegralNumber(), type + ": " + v);
                return v.asText();
            case "time":
            case "interval":
                assertTrue(v.isNumber(), type + ": " + v);
                return v.decimalValue().setScale(6, java.math.RoundingMode.UNNECESSARY).toPlainString();
            case "set[string]":
                assertTrue(v.isArray(), type + ": " + v);
                final List<String> items = new ArrayList<>();
                v.forEach(i -> items.add(i.asText()));
                return items.isEmpty() ? "(empty)" : String.join(",", items);
            default:
                assertTrue(v.isTextual(), type + ": " + v);
                return v.asText();
        }
    }

    private static String[] fieldLine(final String log, final String prefix)
    {
        for (final String line : log.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                return line.substring(prefix.length()).split("\t");
            }
        }
        throw new AssertionError("no " + prefix.trim() + " line");
    }

    private static Map<String, Integer> count(final List<String> lines)
    {
        final Map<String, Integer> m = new HashMap<>();
        for (final String l : lines)
        {
            m.merge(l, 1, Integer::sum);
        }
        return m;
    }
}
