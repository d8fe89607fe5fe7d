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

    @Override
    void close() throws IOException;
}
