package flowdemux.source;

import flowdemux.util.Bytes;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens a capture by its magic number (never by its name): pcap, pcapng, either gzip-compressed or not. */
public final class CaptureReaders
{
    /** Largest record or block accepted; larger length fields are corruption (libpcap's pcapng limit). */
    public static final int MAX_RECORD = 16 * 1024 * 1024;
    private static final int GZIP_BUFFER = 1 << 16;

    private CaptureReaders()
    {
    }

    /** Opens a file, or standard input when {@code path} is "-". */
    public static CaptureReader open(final String path) throws IOException, CaptureFormatException
    {
        final InputStream raw = "-".equals(path) ? System.in : openFile(Path.of(path));
        try
        {
            return open(raw);
        }
        catch (IOException | CaptureFormatException | RuntimeException e)
        {
            raw.close();
            throw e;
        }
    }

    /**
     * A regular file through its channel; anything else (a pipe such as bash's {@code <(...)}, a FIFO, a device)
     * through FileInputStream, whose available() works there: the channel's throws "Illegal seek" on a pipe, which
     * GZIPInputStream asks at the end of every member.
     */
    private static InputStream openFile(final Path path) throws IOException
    {
        if (Files.isRegularFile(path))
        {
            return new SeekableFileInput(path, Integer.MAX_VALUE);
        }
        if (!Files.exists(path))
        {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        try
        {
            return new java.io.FileInputStream(path.toFile());
        }
        catch (java.io.FileNotFoundException e)
        {
            throw new java.nio.file.AccessDeniedException(path.toString(), null, e.getMessage());
        }
    }

    /**
     * Opens a regular file to read records by their offsets ({@link CaptureReader#seek}), reading a little at a time;
     * the head of the file (pcap's header, pcapng's section and interfaces) is read by the first {@code next}.
     */
    public static CaptureReader openForSeeking(final Path path) throws IOException, CaptureFormatException
    {
        final InputStream raw = new SeekableFileInput(path, 1 << 14);
        try
        {
            return open(raw);
        }
        catch (IOException | CaptureFormatException | RuntimeException e)
        {
            raw.close();
            throw e;
        }
    }

    public static CaptureReader open(final InputStream raw) throws IOException, CaptureFormatException
    {
        final byte[] two = new byte[2];
        final InputStream peeked;
        final int n;
        if (raw instanceof SeekableFileInput file)
        {
            // Looked at and rewound: the reader keeps the file itself, and with it the ability to seek.
            n = file.readNBytes(two, 0, 2);
            file.position(0);
            peeked = file;
        }
        else
        {
            final PushbackInputStream peek = new PushbackInputStream(raw, 2);
            n = peek.readNBytes(two, 0, 2);
            if (n > 0)
            {
                peek.unread(two, 0, n);
            }
            peeked = peek;
        }
        final InputStream in = n == 2 && (two[0] & 0xFF) == 0x1F && (two[1] & 0xFF) == 0x8B
            ? new GZIPInputStream(peeked, GZIP_BUFFER) : peeked;
        final CaptureInput input = new CaptureInput(in, MAX_RECORD);
        if (!input.ensure(4))
        {
            throw new CaptureFormatException(0, "not a capture file: tried to read 4 bytes of file header, only got "
                + input.available());
        }
        final int magic = Bytes.i32(input.buffer(), input.index());
        if (magic == PcapngReader.SHB)
        {
            return new PcapngReader(input);
        }
        if (magic == PcapReader.MAGIC_MICROS || magic == PcapReader.MAGIC_NANOS
            || Integer.reverseBytes(magic) == PcapReader.MAGIC_MICROS || Integer.reverseBytes(magic) == PcapReader.MAGIC_NANOS)
        {
            return new PcapReader(input);
        }
        throw new CaptureFormatException(0, String.format("not a pcap or pcapng file (unknown magic 0x%08x)", magic));
    }
}
