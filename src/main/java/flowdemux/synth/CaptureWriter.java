package flowdemux.synth;

import java.io.IOException;

/** Writes packets to a capture file. */
public interface CaptureWriter extends AutoCloseable
{
    void write(long timestampNanos, byte[] frame, int length, int interfaceId) throws IOException;

    @Override
    void close() throws IOException;
}
