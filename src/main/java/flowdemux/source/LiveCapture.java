package flowdemux.source;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

import java.io.IOException;
import java.sql.Timestamp;
import java.util.concurrent.locks.LockSupport;

/**
 * A live capture through libpcap (pcap4j), as a {@link CaptureReader}: {@link #next} waits for the next packet
 * and returns false once {@link #stop()} was called or the packet count is reached. pcap4j hands each packet over
 * as a new byte array: that copy happens here, at the edge, and nowhere after.
 */
public final class LiveCapture implements CaptureReader
{
    /** How long one libpcap read may wait, so that stop requests and interval ticks are seen promptly. */
    private static final int READ_TIMEOUT_MILLIS = 100;
    /** The kernel ring: with immediate mode each slot is a whole snaplen, so a small ring drops bursts. */
    private static final int BUFFER_BYTES = 64 << 20;
    /** Pause between polls of a quiet non-blocking handle. */
    private static final long IDLE_PARK_NANOS = 1_000_000;

    private final PcapHandle handle;
    private final String device;
    private final int linkType;
    private final long maxPackets;
    private final Runnable onIdle;
    private final boolean offline;
    private volatile boolean stopped;
    private long index;
    private long bytes;

    private LiveCapture(final PcapHandle handle, final String device, final long maxPackets, final Runnable onIdle,
        final boolean offline)
    {
        this.offline = offline;
        this.handle = handle;
        this.device = device;
        this.linkType = handle.getDlt().value();
        this.maxPackets = maxPackets;
        this.onIdle = onIdle;
    }

    /**
     * Opens a device.
     *
     * @param maxPackets stop after this many packets (0: no limit)
     * @param onIdle     called between reads (at least every 100 ms), on the reading thread
     * @throws PcapNativeException when libpcap refuses (no such device, no permission, bad filter)
     */
    public static LiveCapture open(final String device, final int snaplen, final boolean promiscuous,
        final boolean immediate, final String filter, final long maxPackets, final Runnable onIdle)
        throws PcapNativeException, NotOpenException
    {
        final PcapHandle.Builder builder = new PcapHandle.Builder(device)
            .snaplen(snaplen)
            .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
            .timeoutMillis(READ_TIMEOUT_MILLIS)
            .bufferSize(BUFFER_BYTES)
            .timestampPrecision(PcapHandle.TimestampPrecision.NANO);
        if (immediate)
        {
            builder.immediateMode(true);
        }
        PcapHandle handle;
        try
        {
            handle = builder.build();
        }
        catch (PcapNativeException e)
        {
            if (e.getMessage() != null && e.getMessage().contains("precision"))
            {
                // Some devices cannot give nanoseconds; microseconds then.
                handle = builder.timestampPrecision(PcapHandle.TimestampPrecision.MICRO).build();
            }
            else
            {
                throw e;
            }
        }
        try
        {
            // With immediate mode libpcap ignores the read timeout and a read blocks until a packet comes; a
            // non-blocking handle polled with a short park keeps stop requests and ticks prompt on a quiet link.
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        }
        catch (PcapNativeException | NotOpenException e)
        {
            handle.close();
            throw e;
        }
        if (filter != null && !filter.isBlank())
        {
            try
            {
                handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            }
            catch (PcapNativeException | NotOpenException e)
            {
                handle.close();
                throw e;
            }
        }
        return new LiveCapture(handle, device, maxPackets, onIdle, false);
    }

    /** Opens a capture file through libpcap instead of the project's own reader (--reader pcap4j). */
    public static LiveCapture openOffline(final String path) throws PcapNativeException
    {
        final PcapHandle handle = Pcaps.openOffline(path, PcapHandle.TimestampPrecision.NANO);
        return new LiveCapture(handle, path, 0, () -> { }, true);
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException
    {
        while (!stopped && (maxPackets == 0 || index < maxPackets))
        {
            final byte[] raw;
            try
            {
                raw = handle.getNextRawPacketEx();
            }
            catch (java.util.concurrent.TimeoutException e)
            {
                onIdle.run();
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            catch (java.io.EOFException e)
            {
                return false;
            }
            catch (PcapNativeException | NotOpenException e)
            {
                if (stopped)
                {
                    return false;
                }
                throw new IOException("capture on " + device + " failed: " + e.getMessage(), e);
            }
            final Timestamp ts = handle.getTimestamp();
            final long seconds = Math.floorDiv(ts.getTime(), 1000L);
            record.set(raw, 0, raw.length, Math.max(raw.length, handle.getOriginalLength()));
            record.timestampNanos = seconds * 1_000_000_000L + ts.getNanos();
            record.linkType = linkType;
            record.interfaceId = 0;
            record.fileOffset = bytes;
            record.index = index++;
            bytes += raw.length;
            onIdle.run();
            return true;
        }
        return false;
    }

    /** Ends the capture: the current or next {@link #next} returns false. Safe from any thread. */
    public void stop()
    {
        stopped = true;
        try
        {
            handle.breakLoop();
        }
        catch (NotOpenException e)
        {
            // already closed
        }
    }

    /** {received, dropped by the kernel, dropped by the interface}, or nulls where libpcap cannot say. */
    /** Whether the device is a loopback one (its kernel counters see each packet twice). */
    public boolean isLoopback()
    {
        if (offline)
        {
            return false;
        }
        try
        {
            final org.pcap4j.core.PcapNetworkInterface nif = org.pcap4j.core.Pcaps.getDevByName(device);
            return nif != null && nif.isLoopBack();
        }
        catch (PcapNativeException e)
        {
            return "lo".equals(device);
        }
    }

    public long[] stats()
    {
        try
        {
            final PcapStat s = handle.getStats();
            return new long[] {s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf()};
        }
        catch (PcapNativeException | NotOpenException | UnsupportedOperationException e)
        {
            return null;
        }
    }

    @Override
    public String formatName()
    {
        return offline ? "pcap or pcapng (read by libpcap through pcap4j)" : "live capture on " + device;
    }

    @Override
    public int[] linkTypes()
    {
        return new int[] {linkType};
    }

    @Override
    public long position()
    {
        return bytes;
    }

    public int linkType()
    {
        return linkType;
    }

    @Override
    public void close()
    {
        handle.close();
    }
}
