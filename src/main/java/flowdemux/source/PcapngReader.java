package flowdemux.source;

import flowdemux.util.Bytes;

import java.io.IOException;
import java.util.Arrays;

/**
 * pcapng (draft-ietf-opsawg-pcapng): sections of blocks, each section with its own byte order and interfaces.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                          Block Type                           |
 * +---------------------------------------------------------------+
 * |                      Block Total Length                       |
 * +---------------------------------------------------------------+
 * /                          Block Body                           /
 * +---------------------------------------------------------------+
 * |                      Block Total Length                       |
 * +---------------------------------------------------------------+
 * </pre>
 * Read: SHB, IDB (link type, snaplen, if_tsresol, if_tsoffset), EPB, SPB and the obsolete PB. Every other block is
 * skipped by its length. Malformed structure is rejected with the checks and wording of libpcap's reader.
 */
public final class PcapngReader implements CaptureReader
{
    public static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int PB = 2;
    static final int SPB = 3;
    static final int EPB = 6;
    /** Custom blocks: one a rewriter may copy, one it should not. */
    static final int CB_COPY = 0x00000BAD;
    static final int CB_NO_COPY = 0x40000BAD;
    /** Custom block bytes kept until a listener asks for them: a bound, so a file of nothing else cannot fill memory. */
    private static final int EARLY_BLOCK_BYTES = 4 << 20;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    /** libpcap's BT_SHB_INSANE_MAX. */
    static final int SHB_MAX = 1024 * 1024;
    static final int OPT_ENDOFOPT = 0;
    static final int IF_TSRESOL = 9;
    static final int IF_TSOFFSET = 14;

    private final CaptureInput in;
    private CustomBlocks customBlocks;
    private java.util.List<byte[]> earlyBlocks = new java.util.ArrayList<>();
    private int earlyBytes;
    private boolean littleEndian;
    private boolean anyLittle;
    private boolean anyBig;
    private long index;
    private long lastTimestamp;
    /**
     * A section or interface described after a packet, or a simple packet block (whose time is its predecessor's):
     * a record read out of order may then mean another thing.
     */
    private boolean dependsOnOrder;

    // Interfaces of the current section, struct of arrays.
    private int interfaceCount;
    private int[] ifLinkType = new int[4];
    private int[] ifSnapLen = new int[4];
    private int[] ifResolution = new int[4];
    private long[] ifOffsetSeconds = new long[4];
    private int[] seenLinkTypes = new int[0];

    public PcapngReader(final CaptureInput in) throws IOException, CaptureFormatException
    {
        this.in = in;
        readSectionHeader();
    }

    @Override
    public boolean next(final PacketRecord record) throws IOException, CaptureFormatException
    {
        while (true)
        {
            final long blockOffset = in.position();
            if (!in.ensure(8))
            {
                if (in.available() == 0)
                {
                    // A section without interfaces holds no packets: an empty capture, as capinfos and tshark
                    // read it (a packet block naming a missing interface is an error where it stands).
                    return false;
                }
                throw new CaptureFormatException(blockOffset, "truncated pcapng block header: tried to read 8 bytes, only got "
                    + in.available());
            }
            final int type = i32(in.buffer(), in.index());
            if (type == SHB)
            {
                readSectionHeader();
                continue;
            }
            final int length = readBlock(blockOffset);
            final byte[] b = in.buffer();
            final int body = in.index() + 8;
            final int bodyLength = length - 12;
            boolean packet = false;
            switch (type)
            {
                case IDB:
                    readInterface(b, body, bodyLength, blockOffset);
                    break;
                case EPB:
                    packet = readTimestampedPacket(record, b, body, bodyLength, blockOffset, true);
                    break;
                case SPB:
                    packet = readSimplePacket(record, b, body, bodyLength, blockOffset);
                    break;
                case PB:
                    packet = readTimestampedPacket(record, b, body, bodyLength, blockOffset, false);
                    break;
                case CB_COPY:
                case CB_NO_COPY:
                    if (bodyLength >= 4)
                    {
                        custom(i32(b, body), b, body + 4, bodyLength - 4);
                    }
                    break;
                default:
                    break;
            }
            if (packet)
            {
                record.fileOffset = blockOffset;
                record.index = index++;
                lastTimestamp = record.timestampNanos;
                in.advance(length);
                return true;
            }
            in.advance(length);
        }
    }

    private void custom(final int pen, final byte[] b, final int offset, final int length)
    {
        if (customBlocks != null)
        {
            customBlocks.block(pen, b, offset, length);
        }
        else if (earlyBlocks != null && earlyBytes + length <= EARLY_BLOCK_BYTES)
        {
            earlyBytes += length;
            final byte[] copy = new byte[length + 4];
            java.nio.ByteBuffer.wrap(copy).putInt(pen);
            System.arraycopy(b, offset, copy, 4, length);
            earlyBlocks.add(copy);
        }
    }

    @Override
    public void customBlocks(final CustomBlocks listener)
    {
        customBlocks = listener;
        if (earlyBlocks != null)
        {
            for (final byte[] e : earlyBlocks)
            {
                listener.block(java.nio.ByteBuffer.wrap(e).getInt(), e, 4, e.length - 4);
            }
            earlyBlocks = null;
        }
    }

    private void readSectionHeader() throws IOException, CaptureFormatException
    {
        final long offset = in.position();
        if (!in.ensure(12))
        {
            throw new CaptureFormatException(offset, "truncated pcapng section header: tried to read 12 bytes, only got "
                + in.available());
        }
        byte[] b = in.buffer();
        int p = in.index();
        if (Bytes.i32(b, p) != SHB)
        {
            throw new CaptureFormatException(offset, "not a pcapng section header block");
        }
        final int bom = Bytes.i32(b, p + 8);
        if (bom == BYTE_ORDER_MAGIC)
        {
            littleEndian = false;
            anyBig = true;
        }
        else if (Integer.reverseBytes(bom) == BYTE_ORDER_MAGIC)
        {
            littleEndian = true;
            anyLittle = true;
        }
        else
        {
            throw new CaptureFormatException(offset + 8, String.format("bad pcapng byte-order magic 0x%08x", bom));
        }
        final long length = i32(b, p + 4) & 0xFFFF_FFFFL;
        if (length < 28 || length > SHB_MAX)
        {
            throw new CaptureFormatException(offset, "section header block has invalid length " + length
                + " (must be 28 to " + SHB_MAX + ")");
        }
        final int len = readBlock(offset);
        b = in.buffer();
        p = in.index();
        final int major = u16(b, p + 12);
        final int minor = u16(b, p + 14);
        if (major != 1 || minor != 0)
        {
            throw new CaptureFormatException(offset + 12, "unsupported pcapng savefile version " + major + "." + minor);
        }
        checkOptions(b, p + 24, len - 28, offset + 24);
        dependsOnOrder |= index > 0;
        interfaceCount = 0;
        in.advance(len);
    }

    /** Checks a block's length fields and makes the whole block readable; returns its length. */
    private int readBlock(final long offset) throws IOException, CaptureFormatException
    {
        final long length = i32(in.buffer(), in.index() + 4) & 0xFFFF_FFFFL;
        if (length < 12)
        {
            throw new CaptureFormatException(offset, "pcapng block has a length of " + length + " < 12");
        }
        if ((length & 3) != 0)
        {
            throw new CaptureFormatException(offset, "pcapng block has a length of " + length + " that is not a multiple of 4");
        }
        if (length > CaptureReaders.MAX_RECORD)
        {
            throw new CaptureFormatException(offset, "pcapng block has a length of " + length + ", larger than the maximum of "
                + CaptureReaders.MAX_RECORD);
        }
        final int len = (int)length;
        if (!in.ensure(len))
        {
            throw new CaptureFormatException(offset, "truncated pcapng block: length " + len + " but only "
                + in.available() + " bytes left");
        }
        final long trailer = i32(in.buffer(), in.index() + len - 4) & 0xFFFF_FFFFL;
        if (trailer != length)
        {
            throw new CaptureFormatException(offset, "block total length in header " + length + " and trailer " + trailer
                + " don't match");
        }
        return len;
    }

    private void readInterface(final byte[] b, final int body, final int bodyLength, final long offset)
        throws CaptureFormatException
    {
        dependsOnOrder |= index > 0;
        if (bodyLength < 8)
        {
            throw new CaptureFormatException(offset, "interface description block too short: " + bodyLength + " body bytes");
        }
        final int linkType = u16(b, body);
        final long snapLen = i32(b, body + 4) & 0xFFFF_FFFFL;
        int resolution = 6;
        long offsetSeconds = 0;
        boolean sawResolution = false;
        boolean sawOffset = false;
        int p = body + 8;
        final int end = body + bodyLength;
        while (p + 4 <= end)
        {
            final int code = u16(b, p);
            final int len = u16(b, p + 2);
            final long optionOffset = offset + 8 + (p - body);
            if (p + 4 + len > end)
            {
                throw new CaptureFormatException(optionOffset, "option " + code + " of length " + len
                    + " runs past the end of the interface description block");
            }
            if (code == OPT_ENDOFOPT)
            {
                if (len != 0)
                {
                    throw new CaptureFormatException(optionOffset,
                        "interface description block has opt_endofopt option with length " + len + " != 0");
                }
                break;
            }
            if (code == IF_TSRESOL)
            {
                if (len != 1)
                {
                    throw new CaptureFormatException(optionOffset,
                        "interface description block has if_tsresol option with length " + len + " != 1");
                }
                if (sawResolution)
                {
                    throw new CaptureFormatException(optionOffset,
                        "interface description block has more than one if_tsresol option");
                }
                sawResolution = true;
                resolution = b[p + 4] & 0xFF;
                final boolean binary = (resolution & 0x80) != 0;
                final int exponent = resolution & 0x7F;
                if (binary ? exponent > 63 : exponent > 19)
                {
                    throw new CaptureFormatException(optionOffset, "interface description block if_tsresol option resolution "
                        + (binary ? "2^-" : "10^-") + exponent + " is too high");
                }
            }
            else if (code == IF_TSOFFSET)
            {
                if (len != 8)
                {
                    throw new CaptureFormatException(optionOffset,
                        "interface description block has if_tsoffset option with length " + len + " != 8");
                }
                if (sawOffset)
                {
                    throw new CaptureFormatException(optionOffset,
                        "interface description block has more than one if_tsoffset option");
                }
                sawOffset = true;
                offsetSeconds = littleEndian ? Long.reverseBytes(Bytes.i64(b, p + 4)) : Bytes.i64(b, p + 4);
            }
            p += 4 + ((len + 3) & ~3);
        }
        if (interfaceCount == ifLinkType.length)
        {
            final int n = interfaceCount * 2;
            ifLinkType = Arrays.copyOf(ifLinkType, n);
            ifSnapLen = Arrays.copyOf(ifSnapLen, n);
            ifResolution = Arrays.copyOf(ifResolution, n);
            ifOffsetSeconds = Arrays.copyOf(ifOffsetSeconds, n);
        }
        ifLinkType[interfaceCount] = linkType;
        ifSnapLen[interfaceCount] = (int)Math.min(snapLen, Integer.MAX_VALUE);
        ifResolution[interfaceCount] = resolution;
        ifOffsetSeconds[interfaceCount] = offsetSeconds;
        interfaceCount++;
        for (final int seen : seenLinkTypes)
        {
            if (seen == linkType)
            {
                return;
            }
        }
        seenLinkTypes = Arrays.copyOf(seenLinkTypes, seenLinkTypes.length + 1);
        seenLinkTypes[seenLinkTypes.length - 1] = linkType;
    }

    /**
     * Enhanced Packet Block and the obsolete Packet Block share one layout after the interface id (32 bits in an
     * EPB; 16 bits and a drop count in a PB): timestamp high and low, captured length, original length, data.
     */
    private boolean readTimestampedPacket(final PacketRecord record, final byte[] b, final int body,
        final int bodyLength, final long offset, final boolean enhanced) throws CaptureFormatException
    {
        final String block = enhanced ? "enhanced packet block" : "packet block";
        if (bodyLength < 20)
        {
            throw new CaptureFormatException(offset, block + " too short: " + bodyLength + " body bytes");
        }
        final int interfaceId = checkInterface(enhanced ? i32(b, body) : u16(b, body), offset);
        final long ticks = ((long)i32(b, body + 4) << 32) | (i32(b, body + 8) & 0xFFFF_FFFFL);
        final long capLen = i32(b, body + 12) & 0xFFFF_FFFFL;
        final long origLen = i32(b, body + 16) & 0xFFFF_FFFFL;
        if (capLen > bodyLength - 20)
        {
            throw new CaptureFormatException(offset, block + " captured length " + capLen
                + " runs past the end of the block (" + (bodyLength - 20) + " bytes of data)");
        }
        record.set(b, body + 20, (int)capLen, (int)Math.min(Math.max(origLen, capLen), Integer.MAX_VALUE));
        record.timestampNanos = timestamp(interfaceId, ticks);
        record.linkType = ifLinkType[interfaceId];
        record.interfaceId = interfaceId;
        return true;
    }

    private boolean readSimplePacket(final PacketRecord record, final byte[] b, final int body, final int bodyLength,
        final long offset) throws CaptureFormatException
    {
        dependsOnOrder = true;
        if (bodyLength < 4)
        {
            throw new CaptureFormatException(offset, "simple packet block too short: " + bodyLength + " body bytes");
        }
        checkInterface(0, offset);
        final long origLen = i32(b, body) & 0xFFFF_FFFFL;
        long capLen = Math.min(origLen, bodyLength - 4);
        if (ifSnapLen[0] > 0)
        {
            capLen = Math.min(capLen, ifSnapLen[0]);
        }
        record.set(b, body + 4, (int)capLen, (int)Math.min(origLen, Integer.MAX_VALUE));
        // A simple packet block carries no timestamp: it inherits the previous packet's.
        record.timestampNanos = lastTimestamp;
        record.linkType = ifLinkType[0];
        record.interfaceId = 0;
        return true;
    }

    private int checkInterface(final int interfaceId, final long offset) throws CaptureFormatException
    {
        if (interfaceCount == 0)
        {
            throw new CaptureFormatException(offset,
                "the capture file has a packet block before any Interface Description Blocks");
        }
        if (interfaceId < 0 || interfaceId >= interfaceCount)
        {
            throw new CaptureFormatException(offset, "packet block names interface " + (interfaceId & 0xFFFF_FFFFL)
                + " but the section has only " + interfaceCount);
        }
        return interfaceId;
    }

    private long timestamp(final int interfaceId, final long ticks)
    {
        return Timestamps.toNanos(ticks, ifResolution[interfaceId], ifOffsetSeconds[interfaceId]);
    }

    /** Walks the options of a block and checks that none runs past its end. */
    private void checkOptions(final byte[] b, final int start, final int length, final long offset)
        throws CaptureFormatException
    {
        int p = start;
        final int end = start + length;
        while (p + 4 <= end)
        {
            final int code = u16(b, p);
            final int len = u16(b, p + 2);
            if (p + 4 + len > end)
            {
                throw new CaptureFormatException(offset + (p - start), "option " + code + " of length " + len
                    + " runs past the end of the block");
            }
            if (code == OPT_ENDOFOPT)
            {
                break;
            }
            p += 4 + ((len + 3) & ~3);
        }
    }

    @Override
    public String formatName()
    {
        final String order = anyLittle && anyBig ? "mixed byte order" : anyLittle ? "little-endian" : "big-endian";
        return "pcapng (" + order + ")";
    }

    @Override
    public int[] linkTypes()
    {
        return seenLinkTypes.clone();
    }

    @Override
    public boolean seekable()
    {
        return in.seekable() && !dependsOnOrder;
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

    @Override
    public void close() throws IOException
    {
        in.close();
    }
}
