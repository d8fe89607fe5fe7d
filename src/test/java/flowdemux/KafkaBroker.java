package flowdemux;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) for a test: Apache Kafka's own
 * {@code kafka.Kafka}, from the Maven artifacts on the test class path, in a JVM of its own, on loopback ports, with
 * its own data folder. It can be stopped and started again on the same port and data (a broker that goes away).
 */
public final class KafkaBroker implements AutoCloseable
{
    public final int port;
    private final Path folder;
    private final Path config;
    private Process process;

    private KafkaBroker(final Path folder, final int port, final Path config)
    {
        this.folder = folder;
        this.port = port;
        this.config = config;
    }

    /**
     * For scripts/bench.sh: starts a broker in the folder given, prints its bootstrap address on a line, and runs
     * until the JVM is told to end (SIGTERM), which stops the broker.
     */
    public static void main(final String[] args) throws Exception
    {
        final KafkaBroker broker = start(Path.of(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        System.out.println(broker.bootstrap());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Formats the storage in {@code folder} (created) and starts the broker; returns once it answers. */
    public static KafkaBroker start(final Path folder) throws Exception
    {
        Files.createDirectories(folder);
        final int port = freePort();
        final int controllerPort = freePort();
        final Path config = folder.resolve("server.properties");
        Files.writeString(config, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            "log.dirs=" + folder.resolve("data"),
            "num.partitions=3",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.flush.interval.messages=1000000",
            "") );
        final KafkaBroker broker = new KafkaBroker(folder, port, config);
        final UUID id = UUID.randomUUID();
        final String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(16)
            .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array());
        final Process format = broker.java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
            config.toString()).redirectOutput(folder.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0)
        {
            format.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed: " + Files.readString(folder.resolve("format.log")));
        }
        broker.startAgain();
        return broker;
    }

    /** "127.0.0.1:PORT". */
    public String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker (again) on its port and data, and waits until it answers. */
    public void startAgain() throws Exception
    {
        process = java("kafka.Kafka", config.toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("broker.log").toFile())).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Exception last = null;
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("the Kafka broker ended: " + tail(folder.resolve("broker.log")));
            }
            try (Admin admin = admin())
            {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            }
            catch (Exception e)
            {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer in 90 s", last);
    }

    /** Stops the broker (SIGTERM: a controlled shutdown), keeping its data. */
    public void stop() throws InterruptedException
    {
        if (process != null && process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Creates a topic of {@code partitions} partitions. */
    public void createTopic(final String topic, final int partitions) throws Exception
    {
        try (Admin admin = admin())
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every message of the topic, from the start of each partition up to its end now. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(final String topic)
    {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        final List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && !atEnd(consumer, partitions, ends))
            {
                consumer.poll(Duration.ofMillis(500)).forEach(all::add);
            }
        }
        return all;
    }

    /** Waits until the topic holds at least {@code n} messages (up to 30 s); returns how many it holds. */
    public long awaitMessages(final String topic, final long n) throws InterruptedException
    {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long total = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline)
            {
                final List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                total = consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream()
                    .mapToLong(Long::longValue).sum();
                if (total >= n)
                {
                    break;
                }
                Thread.sleep(200);
            }
        }
        return total;
    }

    private static boolean atEnd(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions,
        final Map<TopicPartition, Long> ends)
    {
        for (final TopicPartition tp : partitions)
        {
            if (consumer.position(tp) < ends.get(tp))
            {
                return false;
            }
        }
        return true;
    }

    private Admin admin()
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000"));
    }

    /** The broker's log, for a failure message. */
    public String log() throws IOException
    {
        return tail(folder.resolve("broker.log"));
    }

    @Override
    public void close()
    {
        try
        {
            stop();
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private ProcessBuilder java(final String mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-Xmx512m", "-XX:+UseSerialGC", "-Dlog4j2.level=WARN", "-cp", System.getProperty("java.class.path"),
            mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static String tail(final Path log) throws IOException
    {
        if (!Files.exists(log))
        {
            return "";
        }
        final String text = Files.readString(log);
        return text.substring(Math.max(0, text.length() - 3000));
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket())
        {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
