package flowdemux.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * A report file's writer: buffered UTF-8 text, as {@code BufferedWriter(OutputStreamWriter(UTF-8))} writes it, that
 * also takes lines already held as bytes of one character each (the workers' merged conn.log and CSV lines) and
 * encodes them itself, without widening them to chars for the JDK's encoder. A character below 256 has one UTF-8
 * form and no surrogate, so both ways give the same bytes.
 */
public final class ReportWriter extends Writer
{
    private static final int BUFFER = 1 << 16;

    private final OutputStream stream;
    private final Writer chars;
    /** Chars written since the last switch to bytes: the char side must flush before bytes follow. */
    private boolean charsPending;
    private final byte[] bytes = new byte[BUFFER];
    private int used;

    public ReportWriter(final OutputStream stream)
    {
        this.stream = stream;
        this.chars = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), BUFFER);
    }

    @Override
    public void write(final char[] c, final int off, final int len) throws IOException
    {
        toChars();
        chars.write(c, off, len);
    }

    @Override
    public void write(final String s, final int off, final int len) throws IOException
    {
        toChars();
        chars.write(s, off, len);
    }

    @Override
    public void write(final int c) throws IOException
    {
        toChars();
        chars.write(c);
    }

    /**
     * Writes {@code len} characters held one per byte (ISO-8859-1) from {@code b} at {@code off}, then a newline.
     */
    public void writeLine(final byte[] b, final int off, final int len) throws IOException
    {
        if (charsPending)
        {
            chars.flush();
            charsPending = false;
        }
        if (bytes.length - used < 2 * len + 1)
        {
            flushBytes();
            if (bytes.length < 2 * len + 1)
            {
                throw new IllegalArgumentException("a line of " + len + " characters");
            }
        }
        final byte[] to = bytes;
        int at = used;
        for (int i = off; i < off + len; i++)
        {
            final byte v = b[i];
            if (v >= 0)
            {
                to[at++] = v;
            }
            else
            {
                to[at++] = (byte)(0xC0 | ((v & 0xFF) >>> 6));
                to[at++] = (byte)(0x80 | (v & 0x3F));
            }
        }
        to[at++] = '\n';
        used = at;
    }

    private void toChars() throws IOException
    {
        flushBytes();
        charsPending = true;
    }

    private void flushBytes() throws IOException
    {
        if (used > 0)
        {
            stream.write(bytes, 0, used);
            used = 0;
        }
    }

    @Override
    public void flush() throws IOException
    {
        if (charsPending)
        {
            chars.flush();
            charsPending = false;
        }
        flushBytes();
        stream.flush();
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            flush();
        }
        finally
        {
            chars.close();
        }
    }
}
