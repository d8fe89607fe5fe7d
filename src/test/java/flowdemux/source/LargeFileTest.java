package flowdemux.source;

import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A capture over 2 GiB: offsets past 2^31 read correctly end to end. Tagged "large"; .ci/run runs it. */
@Tag("large")
class LargeFileTest
{
    private static final long TWO_GIB = 1L << 31;

    @Test
    void readsACaptureLargerThanTwoGibibytes(@TempDir final Path tmp) throws Exception
    {
        final Path folder = folderWithRoom(tmp);
        final Path file = folder.resolve("flowdemux-large-" + ProcessHandle.current().pid() + ".pcap");
        try
        {
            readLarge(file);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The temporary folder, or else the build folder, whichever has room for a capture over 2 GiB (a RAM-backed /tmp
     * may not). Without room the test is skipped with the reason, or fails where flowdemux.requireCorpus is set
     * (.ci/run), so CI cannot pass without having read a file past 2^31.
     */
    private static Path folderWithRoom(final Path tmp) throws Exception
    {
        final long need = TWO_GIB + (1L << 30);
        final StringBuilder seen = new StringBuilder();
        for (final Path candidate : new Path[] {tmp, Path.of("target").toAbsolutePath()})
        {
            Files.createDirectories(candidate);
            final long free = Files.getFileStore(candidate).getUsableSpace();
            if (free > need)
            {
                return candidate;
            }
            seen.append(candidate).append(": ").append(free >> 20).append(" MiB free; ");
        }
        final String why = "a capture over 2 GiB needs about 3 GiB free: " + seen;
        if (Boolean.getBoolean("flowdemux.requireCorpus"))
        {
            throw new AssertionError(why);
        }
        Assumptions.abort(why);
        return null;
    }

    private static void readLarge(final Path file) throws Exception
    {
        final PacketBuilder b = new PacketBuilder();
        final byte[] client = PacketBuilder.ipv4("10.1.0.1");
        final byte[] server = PacketBuilder.ipv4("10.1.0.2");
        long packets = 0;
        try (OutputStream out = Files.newOutputStream(file); PcapWriter w = new PcapWriter(out, 1, false))
        {
            // 64 KB datagrams on 4 UDP flows until the file passes 2 GiB.
            long written = 24;
            while (written < TWO_GIB + (64L << 20))
            {
                b.udp(client, 40_000 + (int)(packets & 3), server, 9_000, 65_000);
                w.write(1_700_000_000_000_000_000L + packets * 1000, b.frame(), b.length(), 0);
                written += 16 + b.length();
                packets++;
            }
        }
        assertTrue(Files.size(file) > TWO_GIB);
        long lastOffset = -1;
        long count = 0;
        try (CaptureReader r = CaptureReaders.open(file.toString()))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                count++;
                lastOffset = p.fileOffset;
            }
        }
        assertEquals(packets, count);
        assertTrue(lastOffset > TWO_GIB, "last record offset " + lastOffset);
        final Cli cli = Cli.run("read", file.toString(), "--format", "csv");
        assertEquals(0, cli.exitCode, cli.err);
        final long total = cli.out.lines().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[13])).sum();
        assertEquals(packets, total, "every packet in a flow");
        assertEquals(5, cli.out.lines().count(), "header + 4 flows");
    }
}
