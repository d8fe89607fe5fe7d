package flowdemux.source;

import java.io.IOException;

/** Reads packets one at a time from a capture; the record handed out is reused for the next packet. */
public interface CaptureReader extends AutoCloseable
{
    /**
     * Fills {@code record} with the next packet. Returns false at the clean end of the input.
     *
     * @throws CaptureFormatException when the input is corrupt from some offset on; packets read before stay valid.
     */
    boolean next(PacketRecord record) throws IOException, CaptureFormatException;

    /** "pcap", "pcap (nanosecond)", "pcapng", ... with the byte order. */
    String formatName();

    /** Distinct link types of the interfaces seen so far, in the order first seen. */
    int[] linkTypes();

    /** Bytes consumed so far (the offset of the next record). */
    long position();

    /**
     * The file header of a classic pcap input, as in the file, when each record handed out is preceded in its buffer
     * by its own 16-byte record header as in the file: a writer then copies both and its records are byte-identical.
     * Null otherwise (pcapng, libpcap's reader, inputs that differ).
     */
    default byte[] pcapHeader()
    {
        return null;
    }

    /**
     * Whether every record handed out can be read again alone, by {@link #seek} to its {@code fileOffset} and
     * {@link #next}: a regular uncompressed file, and for pcapng one whose interfaces are all described before its
     * first packet (so that a record read out of order means what it meant in order).
     */
    default boolean seekable()
    {
        return false;
    }

    /** Makes the next {@link #next} read the record at {@code fileOffset}; only when {@link #seekable()}. */
    default void seek(final long fileOffset) throws IOException
    {
        throw new IOException(formatName() + " input cannot be read at an offset");
    }

    @Override
    void close() throws IOException;

    /**
     * Hands the input's pcapng custom blocks to {@code listener}, those already passed included (a reader meets the
     * ones before the first packet when it opens); inputs that have none say nothing.
     */
    default void customBlocks(final CustomBlocks listener)
    {
    }
}
