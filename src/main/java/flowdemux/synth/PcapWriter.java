package flowdemux.synth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Classic pcap writer (little-endian; microsecond or nanosecond magic). */
public final class PcapWriter implements CaptureWriter
{
    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(final OutputStream out, final int linkType, final boolean nanos) throws IOException
    {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.nanos = nanos;
        header.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(262_144).putInt(linkType);
        this.out.write(header.array(), 0, 24);
    }

    @Override
    public void write(final long timestampNanos, final byte[] frame, final int length, final int interfaceId)
        throws IOException
    {
        write(timestampNanos, frame, 0, length, length);
    }

    /** A packet of {@code originalLength} bytes on the wire, of which {@code length} were captured. */
    @Override
    public void writeCaptured(final long timestampNanos, final byte[] frame, final int offset, final int length,
        final int originalLength) throws IOException
    {
        write(timestampNanos, frame, offset, length, originalLength);
    }

    private void write(final long timestampNanos, final byte[] frame, final int offset, final int length,
        final int originalLength) throws IOException
    {
        header.clear();
        header.putInt((int)(timestampNanos / 1_000_000_000L));
        final long fraction = timestampNanos % 1_000_000_000L;
        header.putInt((int)(nanos ? fraction : fraction / 1000));
        header.putInt(length).putInt(Math.max(length, originalLength));
        out.write(header.array(), 0, 16);
        out.write(frame, offset, length);
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
