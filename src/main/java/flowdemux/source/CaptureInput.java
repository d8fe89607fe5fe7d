package flowdemux.source;

import java.io.IOException;
import java.io.InputStream;

/**
 * Large sequential reads over any input stream, with the absolute byte position kept as a long (files over 2 GiB).
 * Readers ask for {@link #ensure} bytes and then read them in place from {@link #buffer()} at {@link #index()}:
 * no copy per record. The buffer grows only as real bytes arrive, never to a size a length field merely claims.
 */
public final class CaptureInput implements AutoCloseable
{
    /** Small to start with (a short file costs little); large once the input proves long, for big sequential reads. */
    private static final int INITIAL_SIZE = 1 << 16;
    private static final int LONG_INPUT_SIZE = 1 << 20;
    private final InputStream in;
    private final int maxRecord;
    private byte[] buffer = new byte[INITIAL_SIZE];
    private int start;
    private int end;
    private long startPosition;
    private boolean eof;

    public CaptureInput(final InputStream in, final int maxRecord)
    {
        this.in = in;
        this.maxRecord = maxRecord;
    }

    public byte[] buffer()
    {
        return buffer;
    }

    /** Index in {@link #buffer()} of the next unread byte. */
    public int index()
    {
        return start;
    }

    /** Absolute offset in the input of the next unread byte. */
    public long position()
    {
        return startPosition;
    }

    /** Bytes available from {@link #index()} without reading more. */
    public int available()
    {
        return end - start;
    }

    /**
     * Makes {@code n} bytes readable at {@link #index()}. Returns false when the input ends first; {@link #available()}
     * then says how many there were.
     */
    public boolean ensure(final int n) throws IOException
    {
        if (end - start >= n)
        {
            return true;
        }
        if (n > maxRecord)
        {
            throw new IllegalArgumentException("record larger than " + maxRecord);
        }
        while (end - start < n && !eof)
        {
            if (buffer.length < LONG_INPUT_SIZE && startPosition >= LONG_INPUT_SIZE && start > 0)
            {
                final byte[] bigger = new byte[LONG_INPUT_SIZE];
                System.arraycopy(buffer, start, bigger, 0, end - start);
                end -= start;
                start = 0;
                buffer = bigger;
            }
            if (start > 0 && (buffer.length - start < n || end == buffer.length))
            {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.length)
            {
                // The buffer is full of real bytes and still too small: grow by doubling, never past maxRecord.
                final byte[] bigger = new byte[(int)Math.min((long)buffer.length * 2, Math.max(maxRecord, INITIAL_SIZE))];
                System.arraycopy(buffer, start, bigger, 0, end - start);
                end -= start;
                start = 0;
                buffer = bigger;
            }
            final int read = in.read(buffer, end, buffer.length - end);
            if (read < 0)
            {
                eof = true;
            }
            else
            {
                end += read;
            }
        }
        return end - start >= n;
    }

    /** Whether {@link #seek} can go to any offset: a regular file read as it is (not compressed, not a pipe). */
    public boolean seekable()
    {
        return in instanceof SeekableFileInput;
    }

    /** Goes to {@code offset}: within the bytes at hand without reading, else by repositioning the file. */
    public void seek(final long offset) throws IOException
    {
        if (offset >= startPosition && offset - startPosition <= end - start)
        {
            advance((int)(offset - startPosition));
            return;
        }
        if (!seekable())
        {
            throw new IOException("this input cannot be read at an offset");
        }
        ((SeekableFileInput)in).position(offset);
        start = 0;
        end = 0;
        startPosition = offset;
        eof = false;
    }

    public void advance(final int n)
    {
        start += n;
        startPosition += n;
    }

    /** Skips {@code n} bytes; returns how many were really skipped (fewer at end of input). */
    public long skip(final long n) throws IOException
    {
        long left = n;
        final int inBuffer = (int)Math.min(left, end - start);
        advance(inBuffer);
        left -= inBuffer;
        while (left > 0)
        {
            if (!ensure(1))
            {
                break;
            }
            final int step = (int)Math.min(left, end - start);
            advance(step);
            left -= step;
        }
        return n - left;
    }

    @Override
    public void close() throws IOException
    {
        in.close();
    }
}
