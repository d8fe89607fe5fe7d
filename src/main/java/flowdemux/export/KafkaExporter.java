package flowdemux.export;

import flowdemux.flow.CommunityId;
import flowdemux.flow.FlowRecord;
import flowdemux.util.AsciiLine;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Sends every ended connection (and interim record) to a Kafka topic, one message each: the value is the line a
 * {@link LineFormat} writes (the JSON-lines record, or Zeek's tagged JSON), the key the connection's Community ID, so
 * one flow's records stay in one partition, in order. Apache Kafka's own producer does the sending: idempotent with
 * acks=all (a retried batch is not written twice), zstd, batched.
 * <p>
 * Workers format the message on their own thread into one of a fixed set of slots, handed over a bounded
 * multi-producer queue (JCTools) to one sender thread, which alone calls the producer (made never to block: the
 * sender waits itself while brokers are away, within the delivery timeout) and gives the slot back. A live capture
 * never waits: no free slot counts the record as dropped. A file read waits for room instead (the file does not go
 * anywhere, so nothing needs to be lost). Every record ends as acknowledged, failed (the producer gave up on it
 * within its delivery timeout, or refused it) or dropped, and {@link #close} waits until each has.
 */
public final class KafkaExporter implements AutoCloseable
{
    /** A record's message value, appended to a line (ASCII). */
    public interface LineFormat
    {
        void append(FlowRecord f, AsciiLine line);
    }

    /**
     * Messages on their way to the producer: some 16,000 records, to ride out a burst or a broker's pause. Slots
     * made once and reused, so that records waiting are not copied by every young collection, as message objects
     * made per record were (docs/performance.md).
     */
    private static final int SLOTS = 1 << 14;
    /** How long the start waits for the topic's partitions, unless max.block.ms says otherwise. */
    private static final long START_WAIT_MS = 10_000;
    /** Between two attempts to hand a message over while the producer cannot take it. */
    private static final long RETRY_PARK_NANOS = 20_000_000;
    private static final long IDLE_PARK_NANOS = 1_000_000;
    private static final long FULL_PARK_NANOS = 100_000;

    /** Our defaults, before the user's settings (which may change any of them but the serializers). */
    private static final Map<String, String> DEFAULTS = Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
        // Level 1 rather than zstd's 3: a third less CPU in the measured read, for a little less compression.
        ProducerConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, "1",
        ProducerConfig.LINGER_MS_CONFIG, "20",
        ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 << 10),
        ProducerConfig.CLIENT_ID_CONFIG, "flowdemux");

    private final KafkaTarget target;
    private final String format;
    /** The headers of every message (the JSON schema's version), made once. */
    private final List<Header> headers;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Secrets secrets;
    private final boolean waitWhenFull;
    /** The producer's delivery.timeout.ms: also how long a message may wait to be handed over. */
    private final long deliveryTimeoutNanos;
    /** Since when the producer has taken no message (sender thread only); 0 while it takes them. */
    private long refusingSince;
    /** What the producer said at once to the message being handed over (sender thread only), or null. */
    private Exception refusedNow;
    /** Whether the sender thread is inside {@code send} (sender thread only). */
    private boolean handingOver;
    /** Slots filled by the workers, for the sender. */
    private final MpscArrayQueue<Slot> full = new MpscArrayQueue<>(SLOTS);
    /** Slots the sender has handed over, for the workers. */
    private final MpmcArrayQueue<Slot> free = new MpmcArrayQueue<>(SLOTS);
    private final java.util.concurrent.atomic.AtomicInteger slots = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long sent;
    private volatile boolean closing;
    private volatile boolean closed;
    private volatile String failure;
    /** One callback for every message: no object per record beyond the message itself. */
    private final Callback delivered = this::delivered;

    private KafkaExporter(final KafkaTarget target, final String format, final List<Header> headers,
        final KafkaProducer<byte[], byte[]> producer, final Secrets secrets, final boolean waitWhenFull,
        final long deliveryTimeoutNanos)
    {
        this.headers = headers;
        this.deliveryTimeoutNanos = deliveryTimeoutNanos;
        this.target = target;
        this.format = format;
        this.producer = producer;
        this.secrets = secrets;
        this.waitWhenFull = waitWhenFull;
        this.thread = new Thread(this::send, "flowdemux-kafka");
        this.thread.setDaemon(true);
    }

    /**
     * The settings the producer is made with: ours, then the user's, then the byte serializers and a max.block.ms of
     * 0: {@code send} never blocks the sender thread, which waits itself (see {@link #handOver}); the user's
     * max.block.ms is how long the start waits for the brokers.
     */
    public static Properties settings(final KafkaTarget target, final Map<String, String> user)
    {
        final Properties p = new Properties();
        p.putAll(DEFAULTS);
        p.putAll(user);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** The names the producer knows, to refuse a misspelt setting before anything is read. */
    public static boolean knownSetting(final String name)
    {
        return ProducerConfig.configNames().contains(name);
    }

    /**
     * Makes the producer and waits (up to max.block.ms) for the topic's partitions, so that brokers that cannot be
     * reached, or a topic that does not exist and cannot be made, are said before anything is read.
     *
     * @param user         the user's producer settings (their values are never printed)
     * @param format       the name of the message format, for the report
     * @param headers      headers every message carries (names and values, ASCII)
     * @param waitWhenFull whether a full queue makes the worker wait (a file read) rather than drop (a capture)
     * @throws IOException with the line for the user
     */
    public static KafkaExporter open(final KafkaTarget target, final Map<String, String> user, final String format,
        final Map<String, String> headers, final boolean waitWhenFull) throws IOException
    {
        final List<Header> messageHeaders = new ArrayList<>();
        headers.forEach((name, value) -> messageHeaders.add(
            new RecordHeader(name, value.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        final Secrets secrets = new Secrets(user);
        final long startWait;
        final long deliveryTimeout;
        try
        {
            startWait = longSetting(user, ProducerConfig.MAX_BLOCK_MS_CONFIG, START_WAIT_MS);
            deliveryTimeout = longSetting(user, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        }
        catch (IllegalArgumentException e)
        {
            throw new IOException("cannot make a Kafka producer: " + e.getMessage());
        }
        final KafkaProducer<byte[], byte[]> producer;
        try
        {
            producer = new KafkaProducer<>(settings(target, user));
        }
        catch (KafkaException | IllegalArgumentException e)
        {
            throw new IOException("cannot make a Kafka producer: " + secrets.redact(causes(e)));
        }
        try
        {
            awaitPartitions(producer, target.topic(), startWait);
        }
        catch (KafkaException e)
        {
            producer.close(Duration.ZERO);
            if (!anyListening(target))
            {
                throw new IOException("cannot connect to the Kafka brokers " + target.bootstrapServers());
            }
            throw new IOException("no topic " + target.topic() + " from the Kafka brokers " + target.bootstrapServers()
                + " within max.block.ms (a topic that does not exist where auto.create.topics.enable is off, or a "
                + "security.protocol the brokers do not speak): " + secrets.redact(causes(e)));
        }
        final KafkaExporter exporter = new KafkaExporter(target, format, List.copyOf(messageHeaders), producer,
            secrets, waitWhenFull,
            TimeUnit.MILLISECONDS.toNanos(deliveryTimeout));
        exporter.thread.start();
        return exporter;
    }

    /** Whether any bootstrap broker accepts a TCP connection (to tell "nothing there" from "no such topic"). */
    private static boolean anyListening(final KafkaTarget target)
    {
        for (final String broker : target.bootstrap())
        {
            final int colon = broker.lastIndexOf(':');
            final String host = broker.substring(0, colon).replace("[", "").replace("]", "");
            try (java.net.Socket s = new java.net.Socket())
            {
                s.connect(new java.net.InetSocketAddress(host, Integer.parseInt(broker.substring(colon + 1))), 2_000);
                return true;
            }
            catch (IOException e)
            {
                // the next one
            }
        }
        return false;
    }

    /**
     * What one worker hands its ended connections to: it formats each message on that worker's thread into lines
     * of its own. A record given here is not kept.
     */
    public Consumer<FlowRecord> feed(final LineFormat value)
    {
        return record ->
        {
            final Slot slot = freeSlot();
            if (slot == null)
            {
                dropped.incrementAndGet();
                return;
            }
            slot.value.setLength(0);
            value.append(record, slot.value);
            slot.key.setLength(0);
            CommunityId.append(slot.key, record, record.communityIdSeed);
            full.offer(slot);
        };
    }

    /** One message's key and value, written by a worker and read by the sender. */
    private static final class Slot
    {
        final AsciiLine key = new AsciiLine(64);
        final AsciiLine value = new AsciiLine(1024);
    }

    /**
     * A slot to write the next message into: one given back by the sender, or a new one while fewer than
     * {@link #SLOTS} exist (so memory grows only as deep as the queue gets); null when none is free and the record
     * is to be dropped. Nothing is allocated per record on the worker's thread once the slots exist.
     */
    private Slot freeSlot()
    {
        while (true)
        {
            final Slot slot = free.relaxedPoll();
            if (slot != null)
            {
                return slot;
            }
            if (slots.get() < SLOTS && slots.incrementAndGet() <= SLOTS)
            {
                return new Slot();
            }
            if (!waitWhenFull || closed || !thread.isAlive())
            {
                return null;
            }
            LockSupport.parkNanos(FULL_PARK_NANOS);
        }
    }

    private void send()
    {
        int idle = 0;
        try
        {
            while (true)
            {
                // Look before polling: workers have offered their last record before closing is set.
                final boolean last = closing;
                final Slot slot = full.relaxedPoll();
                if (slot == null)
                {
                    if (last)
                    {
                        break;
                    }
                    LockSupport.parkNanos(idle++ < 10 ? 50_000 : IDLE_PARK_NANOS);
                    continue;
                }
                idle = 0;
                handOver(slot);
            }
            // Every message handed over ends here: acknowledged, or failed within the delivery timeout.
            producer.flush();
        }
        catch (RuntimeException e)
        {
            fail(e);
        }
        finally
        {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Gives the message to the producer, which takes it unless it has no metadata for the topic or its buffer is
     * full (brokers away): then the message is tried again until the producer has taken nothing for the delivery
     * timeout, and from then on each message gets one try, until the producer takes one again. So a broker that
     * comes back within the delivery timeout loses nothing, and one that does not costs a try per message, not a
     * wait.
     */
    private void handOver(final Slot slot)
    {
        // The producer copies key and value into its batch at once and keeps neither (nor the record): these die
        // young, and the slot is free again.
        final ProducerRecord<byte[], byte[]> message = new ProducerRecord<>(target.topic(), null,
            Arrays.copyOf(slot.key.array(), slot.key.length()), Arrays.copyOf(slot.value.array(), slot.value.length()),
            headers);
        free.offer(slot);
        while (true)
        {
            refusedNow = null;
            handingOver = true;
            try
            {
                producer.send(message, delivered);
            }
            catch (KafkaException | IllegalStateException e)
            {
                // Refused for good (a producer fenced or closed).
                sent++;
                failed.incrementAndGet();
                fail(e);
                return;
            }
            finally
            {
                handingOver = false;
            }
            final Exception refused = refusedNow;
            if (refused == null)
            {
                sent++;
                refusingSince = 0;
                return;
            }
            final long now = System.nanoTime();
            if (refusingSince == 0)
            {
                refusingSince = now;
            }
            if (now - refusingSince >= deliveryTimeoutNanos)
            {
                sent++;
                failed.incrementAndGet();
                fail(refused);
                return;
            }
            LockSupport.parkNanos(RETRY_PARK_NANOS);
        }
    }

    /** Asks for the topic's partitions until they come or {@code waitMs} has passed (the producer never blocks). */
    private static void awaitPartitions(final KafkaProducer<byte[], byte[]> producer, final String topic,
        final long waitMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (true)
        {
            try
            {
                producer.partitionsFor(topic);
                return;
            }
            catch (org.apache.kafka.common.errors.TimeoutException e)
            {
                if (System.nanoTime() - deadline >= 0)
                {
                    throw new org.apache.kafka.common.errors.TimeoutException("no metadata for topic " + topic
                        + " after " + waitMs + " ms");
                }
                LockSupport.parkNanos(RETRY_PARK_NANOS);
            }
        }
    }

    private static long longSetting(final Map<String, String> user, final String name, final long otherwise)
    {
        final String v = user.get(name);
        if (v == null)
        {
            return otherwise;
        }
        try
        {
            return Math.max(0, Long.parseLong(v.trim()));
        }
        catch (NumberFormatException e)
        {
            throw new IllegalArgumentException(name + " must be a number of milliseconds");
        }
    }

    /**
     * The producer's answer for a message. {@code send} answers at once, on the sender thread, when it cannot take
     * the message now (no metadata, a full buffer: a timeout, as max.block.ms is 0): that is kept for
     * {@link #handOver} to try again, not counted.
     */
    private void delivered(final RecordMetadata metadata, final Exception e)
    {
        if (handingOver && e instanceof org.apache.kafka.common.errors.TimeoutException
            && Thread.currentThread() == thread)
        {
            refusedNow = e;
            return;
        }
        if (e == null)
        {
            acknowledged.incrementAndGet();
        }
        else
        {
            failed.incrementAndGet();
            fail(e);
        }
    }

    private void fail(final Throwable e)
    {
        if (failure == null)
        {
            failure = secrets.redact(causes(e));
        }
    }

    /** Sends what is queued, waits until the producer has an answer for every message, and closes it. */
    @Override
    public void close()
    {
        closing = true;
        try
        {
            thread.join();
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        closed = true;
        // A record offered after the sender ended (none should be) is counted, not left in the queue.
        while (full.relaxedPoll() != null)
        {
            dropped.incrementAndGet();
        }
    }

    public KafkaTarget target()
    {
        return target;
    }

    public String format()
    {
        return format;
    }

    /** Messages handed to the producer. */
    public long sent()
    {
        return sent;
    }

    public long acknowledged()
    {
        return acknowledged.get();
    }

    public long failed()
    {
        return failed.get();
    }

    /** Records not handed over: no slot was free during a capture. */
    public long dropped()
    {
        return dropped.get();
    }

    /** The first failure the producer reported, with the user's setting values taken out; or null. */
    public String failure()
    {
        return failure;
    }

    /** The exception's message and its causes', one after another (Kafka wraps the telling one). */
    private static String causes(final Throwable e)
    {
        final StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause())
        {
            final String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(m) < 0)
            {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        return sb.toString();
    }

    /** The values of the user's settings (passwords, JAAS lines, keys), taken out of anything printed. */
    static final class Secrets
    {
        private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile(
            "password|secret|jaas|token|credential|key", java.util.regex.Pattern.CASE_INSENSITIVE);
        private final List<String> values = new ArrayList<>();

        Secrets(final Map<String, String> settings)
        {
            for (final Map.Entry<String, String> e : settings.entrySet())
            {
                final String v = e.getValue();
                // Short values (a number, "all", "zstd") say nothing secret and would mangle every message, unless
                // the setting's name says it is one.
                if (v != null && !v.isEmpty() && (v.length() >= 6 || SECRET_NAME.matcher(e.getKey()).find()))
                {
                    values.add(v);
                }
            }
            // The longest first, so that a secret containing another is taken out whole.
            values.sort((a, b) -> b.length() - a.length());
        }

        String redact(final String message)
        {
            String m = message;
            for (final String v : values)
            {
                m = m.replace(v, "[hidden]");
            }
            return m;
        }
    }
}
