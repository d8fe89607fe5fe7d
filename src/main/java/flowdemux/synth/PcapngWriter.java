package flowdemux.synth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** pcapng writer: one section, interfaces with their own link type and if_tsresol (10^-n), EPBs. */
public final class PcapngWriter implements CaptureWriter
{
    private final OutputStream out;
    private final ByteOrder order;
    private int[] resolutions = new int[0];
    /** An enhanced packet block's header and trailer, reused (a live capture writes every packet through here). */
    private final ByteBuffer header;
    private final ByteBuffer trailer;
    private static final byte[] PADDING = new byte[4];

    public PcapngWriter(final OutputStream out, final ByteOrder order) throws IOException
    {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.order = order;
        this.header = ByteBuffer.allocate(28).order(order);
        this.trailer = ByteBuffer.allocate(4).order(order);
        final ByteBuffer b = ByteBuffer.allocate(28).order(order);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short)1).putShort((short)0).putLong(-1L).putInt(28);
        this.out.write(b.array());
    }

    /** Adds an interface whose timestamps tick at 10^-decimalResolution seconds; returns its id. */
    public int addInterface(final int linkType, final int decimalResolution) throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(32).order(order);
        b.putInt(1).putInt(32).putShort((short)linkType).putShort((short)0).putInt(262_144);
        b.putShort((short)9).putShort((short)1).put((byte)decimalResolution).put((byte)0).putShort((short)0);
        b.putShort((short)0).putShort((short)0);
        b.putInt(32);
        out.write(b.array());
        resolutions = java.util.Arrays.copyOf(resolutions, resolutions.length + 1);
        resolutions[resolutions.length - 1] = decimalResolution;
        return resolutions.length - 1;
    }

    @Override
    public void write(final long timestampNanos, final byte[] frame, final int length, final int interfaceId)
        throws IOException
    {
        final int padded = (length + 3) & ~3;
        final int total = 32 + padded;
        final int resolution = resolutions[interfaceId];
        final long ticks = resolution >= 9 ? timestampNanos * (long)Math.pow(10, resolution - 9)
            : timestampNanos / (long)Math.pow(10, 9 - resolution);
        final ByteBuffer b = ByteBuffer.allocate(28).order(order);
        b.putInt(6).putInt(total).putInt(interfaceId).putInt((int)(ticks >>> 32)).putInt((int)ticks).putInt(length)
            .putInt(length);
        out.write(b.array());
        out.write(frame, 0, length);
        out.write(new byte[padded - length]);
        final ByteBuffer t = ByteBuffer.allocate(4).order(order).putInt(total);
        out.write(t.array());
    }

    /**
     * An enhanced packet block of {@code length} captured bytes of a frame of {@code originalLength}, on interface 0
     * (whose if_tsresol is {@code 10^-9} for a live capture's nanoseconds); nothing allocated.
     */
    @Override
    public void writeCaptured(final long timestampNanos, final byte[] frame, final int offset, final int length,
        final int originalLength) throws IOException
    {
        final int padded = (length + 3) & ~3;
        final int total = 32 + padded;
        final int resolution = resolutions[0];
        final long ticks = resolution == 9 ? timestampNanos : resolution > 9
            ? timestampNanos * (long)Math.pow(10, resolution - 9) : timestampNanos / (long)Math.pow(10, 9 - resolution);
        header.clear();
        header.putInt(6).putInt(total).putInt(0).putInt((int)(ticks >>> 32)).putInt((int)ticks).putInt(length)
            .putInt(Math.max(length, originalLength));
        out.write(header.array(), 0, 28);
        out.write(frame, offset, length);
        out.write(PADDING, 0, padded - length);
        trailer.clear();
        trailer.putInt(total);
        out.write(trailer.array(), 0, 4);
    }

    /** A custom block (0x00000BAD: rewriters may copy it) of enterprise {@code pen}, without options. */
    public void writeCustom(final int pen, final byte[] data) throws IOException
    {
        final int padded = (data.length + 3) & ~3;
        final int total = 16 + padded;
        final ByteBuffer b = ByteBuffer.allocate(12).order(order);
        b.putInt(0x00000BAD).putInt(total).putInt(pen);
        out.write(b.array());
        out.write(data);
        out.write(PADDING, 0, padded - data.length);
        final ByteBuffer t = ByteBuffer.allocate(4).order(order).putInt(total);
        out.write(t.array());
    }

    @Override
    public void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
