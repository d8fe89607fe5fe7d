package flowdemux.source;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * A libpcap handle opened through pcap4j: a live device, or a file read by libpcap (--reader pcap4j). Packets come out
 * through {@link PcapNext} (one native call and one copy each), either in runs into a {@link CaptureSlab}
 * ({@link #fill}, the capture thread of a {@link LiveFeed}) or one at a time as a {@link CaptureReader}.
 */
public final class LiveCapture implements CaptureReader
{
    /**
     * How long libpcap may hold packets before handing them over (TPACKET_V3's block timeout): the delay of a packet
     * on a quiet link, and how promptly a stop request is seen.
     */
    private static final int READ_TIMEOUT_MILLIS = 100;
    /** The kernel ring by default: about 0.3 s of a saturated 1 Gbit/s link; tcpdump's is 2 MiB. */
    public static final int DEFAULT_BUFFER_BYTES = 64 << 20;
    /** Pause between polls of a quiet non-blocking handle (one-at-a-time reads only). */
    private static final long IDLE_PARK_NANOS = 1_000_000;

    private final PcapHandle handle;
    private final PcapNext pcap;
    private final String device;
    private final int linkType;
    /** The longest packet libpcap can hand over (its snapshot length). */
    private final int maxLength;
    private final long maxPackets;
    private final boolean offline;
    /**
     * After a stop, how long packets are still read: libpcap hands a TPACKET_V3 block over only when it is full or
     * the read timeout has passed, so what arrived just before the stop is in libpcap's hands a moment later.
     */
    private static final long DRAIN_NANOS = 2L * READ_TIMEOUT_MILLIS * 1_000_000L;

    private volatile boolean stopping;
    private volatile long stopAt;
    private boolean ended;
    private long index;
    private long bytes;
    /** The one-at-a-time reader's copy of the current packet. */
    private byte[] single = new byte[2048];
    private volatile Boolean loopback;

    private LiveCapture(final PcapHandle handle, final String device, final long maxPackets, final boolean offline)
    {
        this.offline = offline;
        this.handle = handle;
        this.device = device;
        this.linkType = handle.getDlt().value();
        this.maxLength = snapshotLength(handle);
        this.maxPackets = maxPackets;
        this.pcap = new PcapNext(handle);
    }

    /** libpcap's snapshot length: the most bytes it hands over for one packet (at least 64, at most 256 KiB). */
    private static int snapshotLength(final PcapHandle handle)
    {
        try
        {
            return Math.max(64, Math.min(handle.getSnapshot(), CaptureSlab.BYTES >> 2));
        }
        catch (NotOpenException e)
        {
            throw new IllegalStateException("handle closed while opening", e);
        }
    }

    /**
     * Opens a device.
     *
     * @param immediate   hand each packet over as it comes; libpcap then uses TPACKET_V2, which gives every packet a
     *                    whole snaplen-sized slot of the ring (a 64 MiB ring holds about 1,000 packets), so bursts are
     *                    dropped. Off, packets are packed into TPACKET_V3 blocks and arrive within the read timeout.
     * @param bufferBytes the kernel ring's size
     * @param maxPackets  stop after this many packets (0: no limit)
     * @throws PcapNativeException when libpcap refuses (no such device, no permission, bad filter)
     */
    public static LiveCapture open(final String device, final int snaplen, final boolean promiscuous,
        final boolean immediate, final int bufferBytes, final String filter, final long maxPackets)
        throws PcapNativeException, NotOpenException
    {
        final PcapHandle.Builder builder = new PcapHandle.Builder(device)
            .snaplen(snaplen)
            .promiscuousMode(promiscuous ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
            .timeoutMillis(READ_TIMEOUT_MILLIS)
            .bufferSize(bufferBytes)
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
            // A non-blocking handle never waits inside libpcap, so a stop request is seen at once; the capture
            // thread parks briefly when there is nothing to read.
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            if (filter != null && !filter.isBlank())
            {
                handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            }
            return new LiveCapture(handle, device, maxPackets, false);
        }
        catch (PcapNativeException | NotOpenException | RuntimeException e)
        {
            handle.close();
            throw e;
        }
    }

    /** Opens a capture file through libpcap instead of the project's own reader (--reader pcap4j). */
    public static LiveCapture openOffline(final String path) throws PcapNativeException
    {
        final PcapHandle handle = Pcaps.openOffline(path, PcapHandle.TimestampPrecision.NANO);
        try
        {
            return new LiveCapture(handle, path, 0, true);
        }
        catch (RuntimeException e)
        {
            handle.close();
            throw e;
        }
    }

    /**
     * Copies the packets libpcap has ready into {@code slab}, until it has none, the slab is full or the capture has
     * {@link #ended()}.
     *
     * @return the number of packets added
     * @throws IOException when libpcap fails (the device went away)
     */
    int fill(final CaptureSlab slab) throws IOException
    {
        int added = 0;
        while (!ended() && slab.hasRoom(maxLength))
        {
            final int result = pcap.next();
            if (result == PcapNext.PACKET)
            {
                final int n = slab.count;
                final int length = Math.min(pcap.capturedLength, maxLength);
                pcap.capturedLength = length;
                pcap.copyTo(slab.data, slab.used);
                slab.offset[n] = slab.used;
                slab.captured[n] = length;
                slab.original[n] = Math.max(length, pcap.originalLength);
                slab.timestamp[n] = pcap.timestampNanos;
                slab.used += length;
                slab.count = n + 1;
                index++;
                bytes += length;
                added++;
            }
            else if (result == PcapNext.NONE_YET)
            {
                break;
            }
            else
            {
                failOrEnd(result);
            }
        }
        return added;
    }

    /** Stopped (and drained), at the packet count, or at the end of a file. */
    boolean ended()
    {
        return ended || (maxPackets != 0 && index >= maxPackets) || (stopping && System.nanoTime() - stopAt >= 0);
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException
    {
        while (!ended())
        {
            final int result = pcap.next();
            if (result == PcapNext.PACKET)
            {
                final int length = Math.min(pcap.capturedLength, maxLength);
                pcap.capturedLength = length;
                if (single.length < length)
                {
                    single = new byte[Math.max(length, single.length * 2)];
                }
                pcap.copyTo(single, 0);
                record.set(single, 0, length, Math.max(length, pcap.originalLength));
                record.timestampNanos = pcap.timestampNanos;
                record.linkType = linkType;
                record.interfaceId = 0;
                record.fileOffset = bytes;
                record.index = index++;
                bytes += length;
                return true;
            }
            if (result == PcapNext.NONE_YET)
            {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            failOrEnd(result);
        }
        return false;
    }

    private void failOrEnd(final int result) throws IOException
    {
        ended = true;
        if (result == PcapNext.ERROR && !stopping)
        {
            throw new IOException((offline ? "libpcap failed reading " : "capture on ") + device + " failed: "
                + pcap.error());
        }
    }

    /**
     * Ends the capture: what the kernel has received so far is still read, for up to twice the read timeout (0.2 s),
     * so that the counters add up. Safe from any thread; a second call does not extend the wait.
     */
    public void stop()
    {
        if (!stopping)
        {
            stopAt = System.nanoTime() + (offline ? 0 : DRAIN_NANOS);
            stopping = true;
        }
    }

    /** Ends the capture at once, without reading what is left. */
    private void stopNow()
    {
        stopAt = System.nanoTime();
        stopping = true;
    }

    /** Whether the device is a loopback one (its kernel counters see each packet twice). */
    public boolean isLoopback()
    {
        if (loopback == null)
        {
            loopback = !offline && loopback(device);
        }
        return loopback;
    }

    private static boolean loopback(final String device)
    {
        try
        {
            final PcapNetworkInterface nif = Pcaps.getDevByName(device);
            return nif != null && nif.isLoopBack();
        }
        catch (PcapNativeException e)
        {
            return "lo".equals(device);
        }
    }

    /** {received, dropped by the kernel, dropped by the interface}, or null where libpcap cannot say. */
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

    public String device()
    {
        return device;
    }

    /** Closes the handle: only once no thread reads from it any more. */
    @Override
    public void close()
    {
        stopNow();
        handle.close();
        pcap.free();
    }
}
