package flowdemux.pipeline;

/** Called from the reading thread every so many packets. */
@FunctionalInterface
public interface ProgressListener
{
    ProgressListener NONE = (bytes, packets) -> { };

    void progress(long bytesRead, long packets);
}
