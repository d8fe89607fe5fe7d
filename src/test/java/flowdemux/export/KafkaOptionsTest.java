package flowdemux.export;

import flowdemux.Cli;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What --kafka and its settings accept, and what a user reads when they are wrong or no broker is there: one line,
 * the exit code of a usage error (1) or of an export that cannot start (2), no stack trace, and never a setting's value (a password, a JAAS line).
 * Needs no broker: nothing here gets as far as sending.
 */
class KafkaOptionsTest
{
    private static final String SAMPLE = "samples/mixed.pcapng";

    @Test
    void targets()
    {
        assertEquals(new KafkaTarget(List.of("127.0.0.1:9092"), "flows"), KafkaTarget.parse("127.0.0.1:9092/flows"));
        assertEquals(new KafkaTarget(List.of("a.example:9092", "[2001:db8::1]:9093"), "conn.v1_x-y"),
            KafkaTarget.parse("a.example:9092,[2001:db8::1]:9093/conn.v1_x-y"));
        assertEquals("a:1,b:2/t", KafkaTarget.parse("a:1,b:2/t").toString());
        assertEquals("a:1,b:2", KafkaTarget.parse("a:1,b:2/t").bootstrapServers());
        for (final String bad : new String[] {"a:9092", "a:9092/", "/t", "a/t", "a:0/t", "a:65536/t", "a:x/t",
            ":9092/t", "a:1,/t", "2001:db8::1:9092/t", "a:1/t t", "a:1/..", "a:1/" + "t".repeat(250), "a:1/t/u:1"})
        {
            assertThrows(IllegalArgumentException.class, () -> KafkaTarget.parse(bad), bad);
        }
    }

    @Test
    void usageErrorsAreOneLineBeforeAnythingIsRead()
    {
        usage("--kafka takes BROKER:PORT", "read", SAMPLE, "--kafka", "localhost:9092");
        usage("is not a Kafka topic name", "read", SAMPLE, "--kafka", "localhost:9092/a b");
        usage("--kafka-property and --kafka-config go with --kafka", "read", SAMPLE, "--kafka-property", "acks=1");
        usage("--kafka-format must be json or zeek", "read", SAMPLE, "--kafka", "localhost:9092/t",
            "--kafka-format", "avro");
        usage("'linger.msec' is not a Kafka producer setting", "read", SAMPLE, "--kafka", "localhost:9092/t",
            "--kafka-property", "linger.msec=5");
        usage("--kafka-property takes KEY=VALUE", "read", SAMPLE, "--kafka", "localhost:9092/t",
            "--kafka-property", "acks");
        usage("bootstrap.servers", "read", SAMPLE, "--kafka", "localhost:9092/t",
            "--kafka-property", "bootstrap.servers=elsewhere:9092");
        usage("--kafka-config: cannot read", "read", SAMPLE, "--kafka", "localhost:9092/t",
            "--kafka-config", "no/such/file.properties");
        usage("'linger.msec' is not a Kafka producer setting", "capture", "-i", "lo", "--kafka", "localhost:9092/t",
            "--kafka-property", "linger.msec=5");
    }

    /** Nothing listens on the port: said plainly, at once (within max.block.ms), exit 2, no output file. */
    @Test
    void noBrokerThereIsSaidBeforeReading(@TempDir final Path tmp) throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final Path out = tmp.resolve("conn.log");
        final Cli r = Cli.run("read", SAMPLE, "--format", "zeek", "-o", out.toString(), "--kafka",
            "127.0.0.1:" + port + "/flows", "--kafka-property", "max.block.ms=1500");
        assertEquals(Main.EXIT_INPUT, r.exitCode, r.err);
        assertEquals("flowdemux: cannot connect to the Kafka brokers 127.0.0.1:" + port, r.err.strip());
        assertFalse(Files.exists(out), "nothing written when the export cannot start");
    }

    /**
     * A setting's value never appears in what is printed: not in the producer's own refusals, which quote values (an
     * invalid acks, a truststore that cannot be loaded), nor from a --kafka-config file with a JAAS line.
     */
    @Test
    void settingValuesAreNeverPrinted(@TempDir final Path tmp) throws Exception
    {
        final Cli refused = Cli.run("read", SAMPLE, "--kafka", "127.0.0.1:9/t", "--kafka-property",
            "acks=hunter2-secret");
        assertEquals(Main.EXIT_INPUT, refused.exitCode, refused.err);
        assertTrue(refused.err.contains("cannot make a Kafka producer: Invalid value [hidden] for configuration acks"),
            refused.err);
        assertFalse(refused.err.contains("hunter2"), refused.err);

        // Kafka's client quotes the truststore's path in its error: the line must not.
        final Path tls = tmp.resolve("tls.properties");
        Files.writeString(tls, "security.protocol=SSL\nssl.truststore.location=/no/such/truststore-s3cret.jks\n"
            + "ssl.truststore.password=correct-horse-battery\n");
        final Cli withTls = Cli.run("read", SAMPLE, "--kafka", "127.0.0.1:9/t", "--kafka-config", tls.toString());
        assertEquals(Main.EXIT_INPUT, withTls.exitCode, withTls.err);
        assertTrue(withTls.err.contains("Failed to load SSL keystore [hidden]"), withTls.err);
        assertEquals(1, withTls.err.strip().lines().count(), withTls.err);
        assertFalse(withTls.err.contains("s3cret") || withTls.err.contains("correct-horse"), withTls.err);

        // A JAAS line Kafka cannot parse (no closing semicolon): its error names neither user nor password.
        final Path sasl = tmp.resolve("sasl.properties");
        Files.writeString(sasl, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config="
            + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"sensor-a\" "
            + "password=\"correct-horse-battery\"\n");
        final Cli withJaas = Cli.run("read", SAMPLE, "--kafka", "127.0.0.1:9/t", "--kafka-config", sasl.toString());
        assertEquals(Main.EXIT_INPUT, withJaas.exitCode, withJaas.err);
        assertTrue(withJaas.err.contains("JAAS config entry not terminated by semi-colon"), withJaas.err);
        assertFalse(withJaas.err.contains("correct-horse") || withJaas.err.contains("sensor-a"), withJaas.err);
    }

    /** Secrets: the values of the user's settings are taken out, longest first; short harmless ones stay. */
    @Test
    void redaction()
    {
        final KafkaExporter.Secrets s = new KafkaExporter.Secrets(Map.of("ssl.key.password", "pw",
            "sasl.jaas.config", "user=\"a\" password=\"abcdef\"", "sasl.username.note", "abcdef", "acks", "all"));
        assertEquals("bad [hidden] and [hidden] and [hidden], acks all",
            s.redact("bad user=\"a\" password=\"abcdef\" and abcdef and pw, acks all"));
    }

    private static void usage(final String expected, final String... args)
    {
        final Cli r = Cli.run(args);
        assertEquals(Main.EXIT_USAGE, r.exitCode, r.err);
        assertTrue(r.err.contains(expected), "expected '" + expected + "' in: " + r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
        assertFalse(r.err.contains("Exception"), r.err);
    }
}
