package flowdemux.synth;

import java.io.IOException;

/** Writes packets to a capture file. */
public interface CaptureWriter extends AutoCloseable
{
    void write(long timestampNanos, byte[] frame, int length, int interfaceId) throws IOException;

    /**
     * {@code length} captured bytes at {@code offset} of a frame of {@code originalLength}, on the first interface:
     * what a live capture saves (the file writers; a generator's sinks take only {@link #write}).
     */
    default void writeCaptured(long timestampNanos, byte[] frame, int offset, int length, int originalLength)
        throws IOException
    {
        throw new UnsupportedOperationException("a writer of generated frames only");
    }

    default void flush() throws IOException
    {
    }

    @Override
    void close() throws IOException;
}
