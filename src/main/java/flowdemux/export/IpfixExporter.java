package flowdemux.export;

import flowdemux.flow.EndReason;
import flowdemux.flow.FlowRecord;
import org.jctools.queues.MpscArrayQueue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Sends connections to an IPFIX collector as they end (RFC 7011 over UDP, or one TCP stream per RFC 7011 section
 * 10.4). The workers hand records over a bounded multi-producer queue (JCTools) and never wait: when the queue is full
 * or the collector refuses, records are counted as dropped. One sender thread builds messages of at most the MTU
 * (templates first, then data sets) in a reused buffer. Interim records (--active-timeout) carry the counts since the
 * connection's previous record, as delta counters must.
 */
public final class IpfixExporter implements Consumer<FlowRecord>, AutoCloseable
{
    private static final int QUEUE = 1 << 16;
    private static final int HEADER = 16;
    /** The smallest message that holds the templates and a record with room for its strings. */
    public static final int MINIMUM_MTU = HEADER + new IpfixRecords(IpfixRecords.EXAMPLE_PEN).templateSetLength() + 300;
    private static final long IDLE_PARK_NANOS = 1_000_000;
    /** Longest a record waits in a partial message. */
    private static final long HOLD_NANOS = 50_000_000;
    /** How long close waits for the queue to drain before counting the rest as dropped. */
    private static final long CLOSE_WAIT_NANOS = 10_000_000_000L;

    private final IpfixTarget target;
    private final ByteChannel channel;
    private final IpfixRecords records;
    private final int domain;
    private final int mtu;
    private final int templateEveryMessages;
    private final long templateEveryNanos;
    /** Nanoseconds per record when paced (--ipfix-rate), else 0. */
    private final long nanosPerRecord;
    private long pacedSince;
    private final MpscArrayQueue<FlowRecord> queue = new MpscArrayQueue<>(QUEUE);
    private final ByteBuffer message;
    private final Thread thread;
    /** Counts already sent for connections that had interim records, by serial (sender thread only). */
    private final Map<Long, long[]> sentSoFar = new HashMap<>();
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    private volatile long sent;
    private volatile long messages;
    private volatile String failure;

    // Sender thread only.
    private long sequence;
    private long messagesSinceTemplates;
    private long templatesAt;
    private boolean templatesSent;
    private int pending;
    private int setStart = -1;
    private int setTemplate;
    private long messageStartedAt;

    private IpfixExporter(final IpfixTarget target, final ByteChannel channel, final int domain, final int mtu,
        final int pen, final int templateEveryMessages, final long templateEveryNanos, final long recordsPerSecond)
    {
        this.nanosPerRecord = recordsPerSecond <= 0 ? 0 : Math.max(1, 1_000_000_000L / recordsPerSecond);
        this.target = target;
        this.channel = channel;
        this.records = new IpfixRecords(pen);
        this.domain = domain;
        this.mtu = mtu;
        this.templateEveryMessages = templateEveryMessages;
        this.templateEveryNanos = templateEveryNanos;
        this.message = ByteBuffer.allocate(Math.max(mtu, 512));
        this.thread = new Thread(this::send, "flowdemux-ipfix");
        this.thread.setDaemon(true);
    }

    /**
     * Resolves the collector and opens the socket (connects, over TCP).
     *
     * @throws IOException with a message for the user when the collector cannot be resolved or reached
     */
    public static IpfixExporter open(final IpfixTarget target, final int domain, final int mtu, final int pen,
        final int templateEveryMessages, final double templateEverySeconds, final long recordsPerSecond)
        throws IOException
    {
        final InetSocketAddress address;
        try
        {
            address = target.resolve();
        }
        catch (UnknownHostException e)
        {
            throw new IOException("cannot resolve the IPFIX collector " + target.host());
        }
        final ByteChannel channel;
        try
        {
            if (target.tcp())
            {
                final SocketChannel socket = SocketChannel.open();
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                socket.socket().connect(address, 5_000);
                channel = socket;
            }
            else
            {
                final DatagramChannel datagrams = DatagramChannel.open();
                datagrams.connect(address);
                channel = datagrams;
            }
        }
        catch (IOException e)
        {
            throw new IOException("cannot reach the IPFIX collector " + target + ": " + e.getMessage());
        }
        final IpfixExporter exporter = new IpfixExporter(target, channel, domain, mtu, pen, templateEveryMessages,
            (long)(templateEverySeconds * 1e9), recordsPerSecond);
        if (mtu < MINIMUM_MTU)
        {
            close(channel);
            throw new IllegalArgumentException("an IPFIX message of " + mtu + " bytes cannot hold the templates and a "
                + "record: at least " + MINIMUM_MTU);
        }
        exporter.thread.start();
        return exporter;
    }

    /** Takes an ended connection (or an interim record) to send; a copy the caller will not change. */
    @Override
    public void accept(final FlowRecord record)
    {
        if (!queue.offer(record))
        {
            dropped.incrementAndGet();
        }
    }

    private void send()
    {
        int idle = 0;
        try
        {
            while (true)
            {
                final FlowRecord r = queue.relaxedPoll();
                if (r == null)
                {
                    // A partial message waits a moment for more records: fuller messages, and a record is never
                    // held longer than that.
                    if (pending > 0 && (closing || System.nanoTime() - messageStartedAt >= HOLD_NANOS))
                    {
                        flush();
                    }
                    if (closing && queue.isEmpty())
                    {
                        return;
                    }
                    LockSupport.parkNanos(idle++ < 10 ? 50_000 : IDLE_PARK_NANOS);
                    continue;
                }
                idle = 0;
                if (failure != null)
                {
                    dropped.incrementAndGet();
                    continue;
                }
                add(r);
            }
        }
        catch (RuntimeException e)
        {
            failure = "IPFIX sender failed: " + e;
        }
    }

    private void add(final FlowRecord r)
    {
        final long[] counts = deltas(r);
        final byte[] state = IpfixRecords.ascii(r.connState);
        final byte[] history = IpfixRecords.ascii(r.history);
        final byte[] uid = IpfixRecords.ascii(r.uid());
        final byte[] tunnelType = IpfixRecords.tunnelType(r);
        final byte[] tunnelParents = IpfixRecords.tunnelParents(r);
        final int length = IpfixRecords.recordLength(state, history, uid, tunnelType, tunnelParents);
        final int template = IpfixRecords.templateOf(r);
        if (pending > 0 && message.position() + length + (template == setTemplate ? 0 : 4) > mtu)
        {
            flush();
        }
        if (pending == 0)
        {
            start();
        }
        if (setStart < 0 || template != setTemplate)
        {
            closeSet();
            setStart = message.position();
            setTemplate = template;
            message.putShort((short)template).putShort((short)0);
        }
        records.writeRecord(message, r, counts, state, history, uid, tunnelType, tunnelParents);
        pending++;
    }

    /** Forward octets and packets, reverse octets and packets since the connection's previous record. */
    private long[] deltas(final FlowRecord r)
    {
        final long[] total = {r.origIpBytes, r.origPackets, r.respIpBytes, r.respPackets};
        final long[] before = r.endReason == EndReason.ACTIVE ? sentSoFar.put(r.serial, total) : sentSoFar.remove(r.serial);
        if (before == null)
        {
            return total;
        }
        return new long[] {total[0] - before[0], total[1] - before[1], total[2] - before[2], total[3] - before[3]};
    }

    /** Begins a message: header, then templates when they are due (always the first time; over TCP only then). */
    private void start()
    {
        message.clear();
        message.position(HEADER);
        setStart = -1;
        final long now = System.nanoTime();
        messageStartedAt = now;
        final boolean due = !templatesSent || (!target.tcp() && (messagesSinceTemplates >= templateEveryMessages
            || now - templatesAt >= templateEveryNanos));
        if (due)
        {
            records.writeTemplateSet(message);
            templatesSent = true;
            templatesAt = now;
            messagesSinceTemplates = 0;
        }
    }

    private void closeSet()
    {
        if (setStart >= 0)
        {
            // Data sets need no padding: records are written whole, and collectors take sets of any length.
            message.putShort(setStart + 2, (short)(message.position() - setStart));
            setStart = -1;
        }
    }

    private void flush()
    {
        closeSet();
        final int length = message.position();
        message.putShort(0, (short)10);
        message.putShort(2, (short)length);
        message.putInt(4, (int)(System.currentTimeMillis() / 1000));
        // The sequence number counts data records sent before this message (RFC 7011 section 3.1).
        message.putInt(8, (int)sequence);
        message.putInt(12, domain);
        message.flip();
        pace();
        try
        {
            while (message.hasRemaining())
            {
                channel.write(message);
            }
            sequence += pending;
            sent += pending;
            messages++;
            messagesSinceTemplates++;
        }
        catch (IOException e)
        {
            // A UDP collector not listening answers with ICMP port unreachable; a TCP one closed the stream.
            dropped.addAndGet(pending);
            if (target.tcp())
            {
                failure = "the IPFIX collector " + target + " closed the connection: " + e.getMessage();
            }
            else
            {
                // Templates again with the next message: a collector that comes back must learn them.
                templatesSent = false;
            }
        }
        pending = 0;
        message.clear();
    }

    /** With --ipfix-rate: waits until the records sent so far are due at that rate (a UDP collector takes bursts badly). */
    private void pace()
    {
        if (nanosPerRecord == 0)
        {
            return;
        }
        final long now = System.nanoTime();
        if (sent == 0 || now - pacedSince > 1_000_000_000L + sent * nanosPerRecord)
        {
            pacedSince = now - sent * nanosPerRecord; // start, or restart after a quiet second
        }
        final long due = pacedSince + sent * nanosPerRecord;
        while (System.nanoTime() < due && !Thread.currentThread().isInterrupted())
        {
            LockSupport.parkNanos(due - System.nanoTime());
        }
    }

    /** Records sent to the collector so far. */
    public long sent()
    {
        return sent;
    }

    /** Records lost: the queue was full, the collector refused, or it was still sending at exit. */
    public long dropped()
    {
        return dropped.get();
    }

    public long messages()
    {
        return messages;
    }

    /** What stopped the export early, or null. */
    public String failure()
    {
        return failure;
    }

    public IpfixTarget target()
    {
        return target;
    }

    /** Sends what is queued (waiting 10 s at most), then closes; what is left is counted as dropped. */
    @Override
    public void close()
    {
        closing = true;
        try
        {
            thread.join(CLOSE_WAIT_NANOS / 1_000_000);
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            failure = failure != null ? failure : "the IPFIX collector " + target + " took too long";
            close(channel);
            try
            {
                thread.join(1_000);
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        long left = 0;
        while (queue.poll() != null)
        {
            left++;
        }
        dropped.addAndGet(left + (thread.isAlive() ? pending : 0));
        close(channel);
    }

    private static void close(final ByteChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (IOException e)
        {
            // nothing more to send on it
        }
    }
}
