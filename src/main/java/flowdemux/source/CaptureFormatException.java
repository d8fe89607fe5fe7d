package flowdemux.source;

/**
 * The input is not a capture this reader can read, or is corrupt from some byte on. The message names the byte
 * offset; what was read before that offset stays valid.
 */
public final class CaptureFormatException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final long byteOffset;

    public CaptureFormatException(final long byteOffset, final String message)
    {
        super(message);
        this.byteOffset = byteOffset;
    }

    public long byteOffset()
    {
        return byteOffset;
    }
}
