package flowdemux.source;

import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.SampleMaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadersTest
{
    private static List<long[]> readAll(final InputStream in) throws Exception
    {
        final List<long[]> out = new ArrayList<>();
        try (CaptureReader r = CaptureReaders.open(in))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                out.add(new long[] {p.timestampNanos, p.capturedLength, p.originalLength, p.linkType, p.fileOffset});
            }
        }
        return out;
    }

    private static byte[] threeTabs() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        SampleMaker.threeTabs(out);
        return out.toByteArray();
    }

    /** The same capture rewritten big-endian with nanosecond magic must read to the same packets. */
    @Test
    void pcapBothByteOrdersAndBothResolutionsReadAlike() throws Exception
    {
        final byte[] le = threeTabs();
        final ByteBuffer in = ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer out = ByteBuffer.allocate(le.length).order(ByteOrder.BIG_ENDIAN);
        out.putInt(0xA1B23C4D).putShort(in.getShort(4)).putShort(in.getShort(6)).putInt(0).putInt(0)
            .putInt(in.getInt(16)).putInt(in.getInt(20));
        int p = 24;
        while (p < le.length)
        {
            final int len = in.getInt(p + 8);
            out.putInt(in.getInt(p)).putInt(in.getInt(p + 4) * 1000).putInt(len).putInt(in.getInt(p + 12));
            out.put(le, p + 16, len);
            p += 16 + len;
        }
        final List<long[]> a = readAll(new ByteArrayInputStream(le));
        final List<long[]> b = readAll(new ByteArrayInputStream(out.array()));
        assertEquals(27, a.size());
        for (int i = 0; i < a.size(); i++)
        {
            assertTrue(Arrays.equals(a.get(i), b.get(i)), "packet " + i);
        }
    }

    @Test
    void gzipCompressedCaptureIsFoundByItsMagic(@TempDir final Path tmp) throws Exception
    {
        final Path gz = tmp.resolve("capture.bin");
        try (GZIPOutputStream z = new GZIPOutputStream(Files.newOutputStream(gz)))
        {
            z.write(threeTabs());
        }
        assertEquals(readAll(new ByteArrayInputStream(threeTabs())).size(), readAll(Files.newInputStream(gz)).size());
        final Cli r = Cli.run("read", gz.toString(), "--format", "zeek");
        assertEquals(0, r.exitCode, r.err);
        assertEquals(3, r.out.lines().filter(l -> l.contains("\t93.184.216.34\t443\t")).count());
    }

    @Test
    void standardInputIsRead() throws Exception
    {
        final InputStream saved = System.in;
        try
        {
            System.setIn(new ByteArrayInputStream(threeTabs()));
            final Cli r = Cli.run("read", "-", "--format", "csv");
            assertEquals(0, r.exitCode, r.err);
            assertEquals(4, r.out.lines().count(), "header and three flows");
        }
        finally
        {
            System.setIn(saved);
        }
    }

    @Test
    void truncatedLastRecordIsReportedAsSuchAfterTheRest() throws Exception
    {
        final byte[] whole = threeTabs();
        final byte[] cut = Arrays.copyOf(whole, whole.length - 10);
        final List<long[]> got = new ArrayList<>();
        final CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(cut));
        final PacketRecord p = new PacketRecord();
        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () ->
        {
            while (r.next(p))
            {
                got.add(new long[] {p.fileOffset});
            }
        });
        assertEquals(26, got.size(), "every whole record before the cut is read");
        assertTrue(e.getMessage().startsWith("truncated packet record"), e.getMessage());
        assertTrue(e.getMessage().contains("packet 27"), e.getMessage());
    }

    @Test
    void pcapngInterfacesKeepTheirOwnResolution() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        SampleMaker.mixed(out);
        final List<long[]> packets = readAll(new ByteArrayInputStream(out.toByteArray()));
        // The IPv6 handshake on interface 1 (nanosecond if_tsresol) has sub-microsecond timestamps.
        assertTrue(packets.stream().anyMatch(p -> p[0] % 1000 != 0), "nanoseconds survive on the 10^-9 interface");
        assertTrue(packets.stream().filter(p -> p[0] % 1000 != 0).count() >= 2);
    }

    @Test
    void binaryResolutionTimestampsConvertExactly()
    {
        // 2^-63 resolution, 2^63-1 ticks: 0.99999999999999999989 s, truncated to 999999999 ns (libpcap PR 1713).
        assertEquals(999_999_999L, Timestamps.toNanos(Long.MAX_VALUE, 0x80 | 63, 0));
        assertEquals(1_500_000_000L, Timestamps.toNanos(3, 0x80 | 1, 0));
        assertEquals(1_000_000_000L, Timestamps.toNanos(1_000_000, 6, 0));
        assertEquals(1_000_000_001L, Timestamps.toNanos(1_000_000_001L, 9, 0));
        assertEquals(5_000_000_000L, Timestamps.toNanos(0, 6, 5));
    }

    @Test
    void unknownMagicIsRejectedAtOffsetZero()
    {
        final CaptureFormatException e = assertThrows(CaptureFormatException.class,
            () -> CaptureReaders.open(new ByteArrayInputStream("hello, world, not pcap".getBytes())));
        assertEquals(0, e.byteOffset());
        assertTrue(e.getMessage().contains("unknown magic"));
    }

    @Test
    void hugeCapturedLengthIsRejectedBeforeAnyAllocation() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, 1, false))
        {
            final PacketBuilder b = new PacketBuilder().udp(PacketBuilder.ipv4("10.0.0.1"), 1, PacketBuilder.ipv4("10.0.0.2"), 2, 4);
            w.write(1_000_000_000L, b.frame(), b.length(), 0);
        }
        final byte[] file = bytes.toByteArray();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0xFFFF_FFF0);
        final CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(file));
        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(new PacketRecord()));
        assertEquals(24, e.byteOffset());
        assertFalse(e.getMessage().isEmpty());
    }
}
