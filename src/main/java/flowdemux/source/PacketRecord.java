package flowdemux.source;

/**
 * One captured packet as a reader hands it out: a view of {@code capturedLength} bytes at {@code offset} in
 * {@code buffer}. The reader reuses this object and its buffer for the next packet, so a consumer that keeps
 * anything past the next call must copy it.
 */
public final class PacketRecord
{
    public byte[] buffer;
    public int offset;
    public int capturedLength;
    /** Length on the wire; at least {@code capturedLength} unless the file says otherwise. */
    public int originalLength;
    /** Capture time in nanoseconds since the Unix epoch, at the file's own resolution. */
    public long timestampNanos;
    /** LINKTYPE_* of the interface the packet came from. */
    public int linkType;
    public int interfaceId;
    /** Byte offset of the record (pcap record header or pcapng block) in the input. */
    public long fileOffset;
    /** Number of the packet in the input, from 0. */
    public long index;

    public void set(final byte[] buffer, final int offset, final int capturedLength, final int originalLength)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
    }

    /** Copies the record into {@code target}, with a buffer of its own. */
    public void copyTo(final PacketRecord target)
    {
        if (target.buffer == null || target.buffer.length < capturedLength)
        {
            target.buffer = new byte[Math.max(capturedLength, 2048)];
        }
        System.arraycopy(buffer, offset, target.buffer, 0, capturedLength);
        target.offset = 0;
        target.capturedLength = capturedLength;
        target.originalLength = originalLength;
        target.timestampNanos = timestampNanos;
        target.linkType = linkType;
        target.interfaceId = interfaceId;
        target.fileOffset = fileOffset;
        target.index = index;
    }
}
