package flowdemux.source;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.pcap4j.core.PcapHandle;

import java.lang.reflect.Field;

/**
 * libpcap's {@code pcap_next_ex}, called straight on the handle pcap4j opened (JNA direct mapping), and the packet read
 * from libpcap's own buffer into the caller's array: one native call and one copy a packet. pcap4j's
 * {@code getNextRawPacketEx} allocates JNA {@code Memory} objects with finalizers for every packet, and on a busy link
 * the capture thread spent most of its time registering and finalizing them (JFR: WeakHashMap.put, Finalizer,
 * Memory.free) while the kernel dropped packets.
 * <p>
 * pcap4j still opens the device, sets its options, compiles the filter and reads the counters: only the packet loop is
 * here. Pointers travel as {@code long}s (LP64: the same registers as a pointer), so nothing is allocated per packet.
 * One instance per handle, used by one thread.
 */
final class PcapNext
{
    /** Same library as pcap4j's (its property picks another file). */
    private static final String LIBRARY = System.getProperty("org.pcap4j.core.pcapLibName",
        Platform.isWindows() ? "wpcap" : "pcap");

    /** pcap_next_ex's results. */
    static final int PACKET = 1;
    static final int NONE_YET = 0;
    static final int ERROR = -1;
    static final int END_OF_FILE = -2;

    static
    {
        Native.register(PcapNext.class, NativeLibrary.getInstance(LIBRARY));
    }

    private static native int pcap_next_ex(long pcap, long headerOut, long dataOut);

    private static native Pointer pcap_geterr(long pcap);

    private final long pcap;
    /** Two pointer-sized slots libpcap writes the header and data addresses into. */
    private long out;
    private final boolean nanos;

    /** The last packet's capture time, captured length and length on the wire. */
    long timestampNanos;
    int capturedLength;
    int originalLength;
    private long data;

    PcapNext(final PcapHandle handle)
    {
        this.pcap = address(handle);
        this.nanos = handle.getTimestampPrecision() == PcapHandle.TimestampPrecision.NANO;
        this.out = NativeMemory.allocate(16);
    }

    /** Reads the next packet's header: {@link #PACKET}, {@link #NONE_YET}, {@link #ERROR} or {@link #END_OF_FILE}. */
    int next()
    {
        final int result = pcap_next_ex(pcap, out, out + 8);
        if (result == PACKET)
        {
            // struct pcap_pkthdr on LP64: struct timeval (8 + 8), bpf_u_int32 caplen, bpf_u_int32 len.
            final long header = NativeMemory.getLong(out);
            data = NativeMemory.getLong(out + 8);
            final long seconds = NativeMemory.getLong(header);
            final long fraction = NativeMemory.getLong(header + 8);
            timestampNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
            capturedLength = NativeMemory.getInt(header + 16);
            originalLength = NativeMemory.getInt(header + 20);
        }
        return result;
    }

    /** Copies the last packet's captured bytes to {@code target} at {@code offset}. */
    void copyTo(final byte[] target, final int offset)
    {
        NativeMemory.copy(data, target, offset, capturedLength);
    }

    /** libpcap's message for the last {@link #ERROR}. */
    String error()
    {
        final Pointer message = pcap_geterr(pcap);
        return message == null ? "unknown libpcap error" : message.getString(0);
    }

    /** Frees the two pointer slots; the handle itself is pcap4j's to close. */
    void free()
    {
        if (out != 0)
        {
            NativeMemory.free(out);
            out = 0;
        }
    }

    /** The {@code pcap_t *} inside pcap4j's handle. */
    private static long address(final PcapHandle handle)
    {
        try
        {
            final Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return Pointer.nativeValue((Pointer)field.get(handle));
        }
        catch (ReflectiveOperationException | RuntimeException e)
        {
            throw new IllegalStateException("this pcap4j has no handle field to read packets from: " + e, e);
        }
    }
}
