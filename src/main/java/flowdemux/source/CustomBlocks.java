package flowdemux.source;

/** Receives the pcapng custom blocks (types 0x00000BAD and 0x40000BAD) of a capture as the reader meets them. */
@FunctionalInterface
public interface CustomBlocks
{
    /** {@code length} bytes of custom data at {@code offset} (padding included: the format has no length for it). */
    void block(int pen, byte[] data, int offset, int length);
}
