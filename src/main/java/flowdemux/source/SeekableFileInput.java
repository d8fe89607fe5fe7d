package flowdemux.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A regular file read through its channel, whose position can be set: what lets a reader go back to a record by its
 * file offset ({@link CaptureReader#seek}). Each read asks for at most {@code readLimit} bytes, so that a reader
 * jumping from record to record does not read a megabyte for each.
 */
final class SeekableFileInput extends InputStream
{
    private final FileChannel channel;
    private final int readLimit;

    SeekableFileInput(final Path path, final int readLimit) throws IOException
    {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.readLimit = readLimit;
    }

    void position(final long offset) throws IOException
    {
        channel.position(offset);
    }

    @Override
    public int read() throws IOException
    {
        final byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException
    {
        if (len == 0)
        {
            return 0;
        }
        return channel.read(ByteBuffer.wrap(b, off, Math.min(len, readLimit)));
    }

    @Override
    public long skip(final long n) throws IOException
    {
        if (n <= 0)
        {
            return 0;
        }
        final long p = channel.position();
        final long to = Math.min(channel.size(), p + n);
        channel.position(to);
        return to - p;
    }

    @Override
    public int available() throws IOException
    {
        return (int)Math.max(0, Math.min(Integer.MAX_VALUE, channel.size() - channel.position()));
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
