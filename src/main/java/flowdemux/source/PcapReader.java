package flowdemux.source;

import flowdemux.util.Bytes;

import java.io.IOException;

/**
 * Classic libpcap savefile: a 24-byte file header, then per packet a 16-byte record header and the packet bytes.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      magic: A1B2C3D4 (usec) or A1B23C4D (nsec), either order  |
 * +-------------------------------+-------------------------------+
 * |         version major (2)     |        version minor (4)      |
 * +-------------------------------+-------------------------------+
 * |              thiszone (ignored)   |   sigfigs (ignored)       |
 * +---------------------------------------------------------------+
 * |                            snaplen                            |
 * +---------------------------------------------------------------+
 * | FCS len |f|   reserved (0)    |          link type            |
 * +---------------------------------------------------------------+
 * record: ts seconds (u32) | ts usec or nsec (u32) | caplen | orig len
 * </pre>
 */
public final class PcapReader implements CaptureReader
{
    public static final int MAGIC_MICROS = 0xA1B2C3D4;
    public static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;
    /** libpcap's largest snapshot length; a larger caplen in a record is corruption, not a packet. */
    static final int MAX_SNAPLEN = 262_144;

    private final CaptureInput in;
    private final boolean littleEndian;
    private final boolean nanos;
    private final int linkType;
    private final int maxCapLen;
    private long index;
    private final byte[] header;

    public PcapReader(final CaptureInput in) throws IOException, CaptureFormatException
    {
        this.in = in;
        if (!in.ensure(FILE_HEADER))
        {
            throw new CaptureFormatException(in.position(), "truncated pcap file header: tried to read "
                + FILE_HEADER + " bytes, only got " + in.available());
        }
        final byte[] b = in.buffer();
        final int p = in.index();
        final int magic = Bytes.i32(b, p);
        if (magic == MAGIC_MICROS || magic == MAGIC_NANOS)
        {
            littleEndian = false;
        }
        else if (Integer.reverseBytes(magic) == MAGIC_MICROS || Integer.reverseBytes(magic) == MAGIC_NANOS)
        {
            littleEndian = true;
        }
        else
        {
            throw new CaptureFormatException(in.position(), String.format("unknown pcap magic 0x%08x", magic));
        }
        nanos = (littleEndian ? Integer.reverseBytes(magic) : magic) == MAGIC_NANOS;
        final int major = u16(b, p + 4);
        final int minor = u16(b, p + 6);
        if (major != 2 || minor > 4)
        {
            throw new CaptureFormatException(in.position() + 4, "unsupported pcap savefile version " + major + "." + minor);
        }
        final long snaplen = u32(b, p + 16) & 0xFFFF_FFFFL;
        final int linkField = i32(b, p + 20);
        if ((linkField & 0x03FF_0000) != 0)
        {
            throw new CaptureFormatException(in.position() + 20,
                String.format("link type reserved field not zero (0x%08x)", linkField & 0x03FF_0000));
        }
        linkType = linkField & 0xFFFF;
        header = java.util.Arrays.copyOfRange(b, p, p + FILE_HEADER);
        maxCapLen = (int)Math.max(MAX_SNAPLEN, Math.min(snaplen, CaptureReaders.MAX_RECORD - RECORD_HEADER));
        in.advance(FILE_HEADER);
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException, CaptureFormatException
    {
        final long recordOffset = in.position();
        if (!in.ensure(RECORD_HEADER))
        {
            if (in.available() == 0)
            {
                return false;
            }
            throw new CaptureFormatException(recordOffset, "truncated record header: expected " + RECORD_HEADER
                + " bytes, got " + in.available() + " (packet " + (index + 1) + ")");
        }
        byte[] b = in.buffer();
        int p = in.index();
        final long seconds = u32(b, p);
        final long fraction = u32(b, p + 4);
        final long capLen = u32(b, p + 8);
        final long origLen = u32(b, p + 12);
        if (capLen > maxCapLen)
        {
            throw new CaptureFormatException(recordOffset, "invalid packet capture length " + capLen
                + ", bigger than the maximum of " + maxCapLen + " (packet " + (index + 1) + ")");
        }
        final int len = (int)capLen;
        if (!in.ensure(RECORD_HEADER + len))
        {
            throw new CaptureFormatException(recordOffset, "truncated packet record: captured length " + len
                + " but only " + (in.available() - RECORD_HEADER) + " bytes left (packet " + (index + 1) + ")");
        }
        b = in.buffer();
        p = in.index();
        record.set(b, p + RECORD_HEADER, len, (int)Math.min(Math.max(origLen, capLen), Integer.MAX_VALUE));
        record.timestampNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000L);
        record.linkType = linkType;
        record.interfaceId = 0;
        record.fileOffset = recordOffset;
        record.index = index++;
        in.advance(RECORD_HEADER + len);
        return true;
    }

    @Override
    public String formatName()
    {
        return "pcap (" + (littleEndian ? "little-endian" : "big-endian") + (nanos ? ", nanosecond" : ", microsecond") + ")";
    }

    @Override
    public byte[] pcapHeader()
    {
        return header.clone();
    }

    @Override
    public int[] linkTypes()
    {
        return new int[] {linkType};
    }

    @Override
    public boolean seekable()
    {
        return in.seekable();
    }

    @Override
    public void seek(final long fileOffset) throws IOException
    {
        in.seek(fileOffset);
    }

    @Override
    public long position()
    {
        return in.position();
    }

    private int u16(final byte[] b, final int i)
    {
        return littleEndian ? Bytes.u16le(b, i) : Bytes.u16(b, i);
    }

    private int i32(final byte[] b, final int i)
    {
        return littleEndian ? Bytes.i32le(b, i) : Bytes.i32(b, i);
    }

    private long u32(final byte[] b, final int i)
    {
        return i32(b, i) & 0xFFFF_FFFFL;
    }

    @Override
    public void close() throws IOException
    {
        in.close();
    }
}
