package flowdemux.robust;

import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Length fields that lie, each in bytes this test writes: every one ends in a named error or drop reason, never an
 * exception of another kind, a hang, or an allocation the size of the lie.
 */
class HostileLengthsTest
{
    private static final byte[] PACKET = udpPacket();

    private static byte[] udpPacket()
    {
        final flowdemux.synth.PacketBuilder b = new flowdemux.synth.PacketBuilder();
        b.udp(flowdemux.synth.PacketBuilder.ipv4("10.0.0.1"), 1000, flowdemux.synth.PacketBuilder.ipv4("10.0.0.2"), 53, 20);
        return b.copy();
    }

    private static ByteBuffer pcapHeader(final int snaplen)
    {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xA1B2C3D4).putShort((short)2)
            .putShort((short)4).putInt(0).putInt(0).putInt(snaplen).putInt(1);
    }

    private static byte[] pcap(final int snaplen, final int capLen, final int origLen, final byte[] data)
    {
        final ByteBuffer b = ByteBuffer.allocate(24 + 16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(pcapHeader(snaplen).array()).putInt(1).putInt(0).putInt(capLen).putInt(origLen).put(data);
        return b.array();
    }

    /** Reads a whole capture; returns packets read, or throws its format error. */
    private static int readAll(final byte[] file) throws Exception
    {
        int n = 0;
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(file)))
        {
            final PacketRecord p = new PacketRecord();
            while (r.next(p))
            {
                n++;
            }
        }
        return n;
    }

    @Test
    void pcapSnaplenZeroAndCaplenAboveSnaplenStillRead() throws Exception
    {
        // libpcap tolerates both; what matters is that the record's own length is checked against the data.
        assertEquals(1, readAll(pcap(0, PACKET.length, PACKET.length, PACKET)));
        assertEquals(1, readAll(pcap(16, PACKET.length, PACKET.length, PACKET)));
    }

    @Test
    void pcapCaplenLargerThanTheFileIsATruncatedRecord()
    {
        final CaptureFormatException e = assertThrows(CaptureFormatException.class,
            () -> readAll(pcap(65535, 60_000, 60_000, PACKET)));
        assertEquals(24, e.byteOffset());
        assertTrue(e.getMessage().startsWith("truncated packet record"), e.getMessage());
    }

    @Test
    void pcapRecordLengthNearTwoToThe32IsRejectedBeforeAllocating()
    {
        final CaptureFormatException e = assertThrows(CaptureFormatException.class,
            () -> readAll(pcap(65535, 0xFFFF_FFF0, 0xFFFF_FFF0, PACKET)));
        assertTrue(e.getMessage().contains("invalid packet capture length"), e.getMessage());
    }

    private static byte[] shb()
    {
        return ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D)
            .putShort((short)1).putShort((short)0).putLong(-1).putInt(28).array();
    }

    private static byte[] idb(final byte[] options)
    {
        final int len = 20 + options.length;
        return ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(len).putShort((short)1)
            .putShort((short)0).putInt(0).put(options).putInt(len).array();
    }

    private static byte[] epb(final int interfaceId, final int capLen, final int declaredLength, final int trailer)
    {
        final ByteBuffer b = ByteBuffer.allocate(32 + ((PACKET.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(6).putInt(declaredLength).putInt(interfaceId).putInt(0).putInt(0).putInt(capLen).putInt(PACKET.length)
            .put(PACKET);
        b.position(b.capacity() - 4);
        b.putInt(trailer);
        return b.array();
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String pcapngError(final byte[] file)
    {
        return assertThrows(CaptureFormatException.class, () -> readAll(file)).getMessage();
    }

    @Test
    void pcapngBlockLengthsThatLie() throws Exception
    {
        final int good = 32 + ((PACKET.length + 3) & ~3);
        final byte[] idb = idb(new byte[0]);
        assertEquals(1, readAll(concat(shb(), idb, epb(0, PACKET.length, good, good))));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, PACKET.length, 0, good))).contains("< 12"));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, PACKET.length, good - 2, good))).contains("multiple of 4"));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, PACKET.length, good, good + 4))).contains("don't match"));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, PACKET.length, 16, 16))).contains("trailer"));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, 4096, good, good))).contains("runs past the end"));
        assertTrue(pcapngError(concat(shb(), idb, epb(7, PACKET.length, good, good))).contains("interface 7"));
        assertTrue(pcapngError(concat(shb(), idb, epb(0, PACKET.length, 0x7FFF_FFF0, good))).contains("larger than"));
    }

    @Test
    void pcapngOptionsThatLie()
    {
        // An if_tsresol option claiming 200 bytes inside a block that has 4.
        final byte[] longOption = {9, 0, (byte)200, 0, 6, 0, 0, 0};
        assertTrue(pcapngError(concat(shb(), idb(longOption))).contains("runs past the end"));
        // A huge if_tsresol: 10^-120.
        final byte[] hugeResolution = {9, 0, 1, 0, 120, 0, 0, 0};
        assertTrue(pcapngError(concat(shb(), idb(hugeResolution))).contains("too high"));
    }

    private static DropReason decode(final int linkType, final byte[] bytes)
    {
        final PacketRecord r = new PacketRecord();
        r.set(bytes, 0, bytes.length, bytes.length);
        r.linkType = linkType;
        return new PacketDecoder(flowdemux.decode.ChecksumMode.VERIFY).decode(r);
    }

    @Test
    void ipv4LengthsThatLie()
    {
        final byte[] ihl = PACKET.clone();
        ihl[14] = 0x43;
        assertEquals(DropReason.BAD_IP_HEADER_LENGTH, decode(LinkType.ETHERNET, ihl));
        final byte[] shortTotal = PACKET.clone();
        shortTotal[16] = 0;
        shortTotal[17] = 12; // total length 12 < header 20
        assertEquals(DropReason.BAD_IP_TOTAL_LENGTH, decode(LinkType.ETHERNET, shortTotal));
        final byte[] longTotal = PACKET.clone();
        longTotal[16] = 0x10; // 4096 > what is there
        assertEquals(DropReason.BAD_IP_TOTAL_LENGTH, decode(LinkType.ETHERNET, longTotal));
    }

    @Test
    void tcpDataOffsetThatLies()
    {
        final flowdemux.synth.PacketBuilder b = new flowdemux.synth.PacketBuilder();
        b.tcp(flowdemux.synth.PacketBuilder.ipv4("10.0.0.1"), 1, flowdemux.synth.PacketBuilder.ipv4("10.0.0.2"), 2, 1, 1,
            0x10, 100, null, 0);
        final byte[] small = b.copy();
        small[14 + 20 + 12] = 0x30; // 3 words
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, decode(LinkType.ETHERNET, small));
        final byte[] past = b.copy();
        past[14 + 20 + 12] = (byte)0xF0; // 60 bytes, past the segment
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, decode(LinkType.ETHERNET, past));
    }

    @Test
    void ipv6ChainsThatLoopRunPastOrNestFragments()
    {
        final byte[] p = new byte[40 + 16];
        p[0] = 0x60;
        p[5] = 16;
        p[6] = 44; // fragment header
        p[40] = 44; // another fragment header
        assertEquals(DropReason.BAD_IPV6_EXTENSION, decode(LinkType.RAW, p));
        final byte[] past = new byte[48];
        past[0] = 0x60;
        past[5] = 8;
        past[6] = 60;
        past[41] = (byte)255; // destination options claiming 2 KiB
        assertEquals(DropReason.BAD_IPV6_EXTENSION, decode(LinkType.RAW, past));
    }

    @Test
    void vlanTagsStackedPastThePacket()
    {
        final byte[] frame = new byte[14 + 4 * 3];
        for (int i = 0; i < 4; i++)
        {
            frame[12 + 4 * i] = (byte)0x88;
            frame[13 + 4 * i] = (byte)0xA8;
        }
        assertEquals(DropReason.TRUNCATED_LINK, decode(LinkType.ETHERNET, frame));
    }
}
