package flowdemux.decode;

import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PacketBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How each checksum mode treats a checksum that verifies, one a sending host left for its NIC (the pseudo-header
 * sum), and one that is simply wrong. The unfilled values are the ones captured on {@code lo} and written down in
 * PITFALLS.md (127.0.0.1 to itself: UDP of length 19 carried 0xfe26, a TCP SYN of length 40 carried 0xfe30).
 */
class ChecksumModeTest
{
    private static final byte[] LOCAL = PacketBuilder.ipv4("127.0.0.1");

    private static byte[] udp19()
    {
        return new PacketBuilder().udp(LOCAL, 40000, LOCAL, 53, 11).copy();
    }

    private static byte[] tcpSyn40()
    {
        return new PacketBuilder().tcp(LOCAL, 40000, LOCAL, 8080, 1000, 0, DecodedPacket.SYN, 65535,
            PacketBuilder.synOptions(65495, 7), 0).copy();
    }

    private static int udpChecksumAt()
    {
        return PacketBuilder.ETHER_HEADER + 20 + 6;
    }

    private static int tcpChecksumAt()
    {
        return PacketBuilder.ETHER_HEADER + 20 + 16;
    }

    private static DecodedPacket decode(final ChecksumMode mode, final byte[] frame, final DropReason expected)
    {
        final PacketRecord r = new PacketRecord();
        r.set(frame, 0, frame.length, frame.length);
        r.linkType = LinkType.ETHERNET;
        final PacketDecoder d = new PacketDecoder(mode);
        assertEquals(expected, d.decode(r));
        return d.packet();
    }

    private static byte[] withChecksum(final byte[] frame, final int at, final int value)
    {
        final byte[] b = frame.clone();
        b[at] = (byte)(value >>> 8);
        b[at + 1] = (byte)value;
        return b;
    }

    @Test
    void theLoopbackValuesAreWhatTheTestBuilds()
    {
        // IPv4 total length less the 20-byte header: the transport lengths the captured values were taken at.
        assertEquals(19, flowdemux.util.Bytes.u16(udp19(), PacketBuilder.ETHER_HEADER + 2) - 20);
        assertEquals(40, flowdemux.util.Bytes.u16(tcpSyn40(), PacketBuilder.ETHER_HEADER + 2) - 20);
    }

    @Test
    void aChecksumThatVerifiesIsVerifiedInEveryCheckingMode()
    {
        for (final ChecksumMode mode : new ChecksumMode[] {ChecksumMode.OFFLOAD, ChecksumMode.VERIFY})
        {
            final DecodedPacket p = decode(mode, tcpSyn40(), DropReason.NONE);
            assertEquals(DecodedPacket.CHECKSUM_VERIFIED, p.checksum, mode.toString());
            assertEquals(DecodedPacket.CHECKSUM_VERIFIED, p.ipChecksum, mode.toString());
            assertFalse(p.checksumBad);
        }
        final DecodedPacket ignored = decode(ChecksumMode.IGNORE, tcpSyn40(), DropReason.NONE);
        assertEquals(DecodedPacket.CHECKSUM_NONE, ignored.checksum);
        assertEquals(DecodedPacket.CHECKSUM_NONE, ignored.ipChecksum);
    }

    @Test
    void theUnfilledPseudoHeaderSumIsOffloadedByDefaultAndBadWhenVerified()
    {
        final byte[] udp = withChecksum(udp19(), udpChecksumAt(), 0xfe26);
        final byte[] tcp = withChecksum(tcpSyn40(), tcpChecksumAt(), 0xfe30);
        for (final byte[] frame : new byte[][] {udp, tcp})
        {
            final DecodedPacket offload = decode(ChecksumMode.OFFLOAD, frame, DropReason.NONE);
            assertEquals(DecodedPacket.CHECKSUM_OFFLOADED, offload.checksum);
            assertFalse(offload.checksumBad);
            final DecodedPacket verify = decode(ChecksumMode.VERIFY, frame, DropReason.NONE);
            assertEquals(DecodedPacket.CHECKSUM_BAD, verify.checksum);
            assertTrue(verify.checksumBad);
            assertTrue(verify.checksumUnfilled, "verify notes that offload would have taken it");
            assertFalse(decode(ChecksumMode.IGNORE, frame, DropReason.NONE).checksumBad);
        }
    }

    @Test
    void zeroAndAllOnesAreTheSameUnfilledSum()
    {
        // 127.0.0.1 to 127.0.1.208, TCP length 40: 0x7f00 + 0x0001 + 0x7f00 + 0x01d0 + 6 + 40 = 0xffff, so the
        // unfilled value is all ones, which one's complement also writes as 0.
        final byte[] frame = new PacketBuilder().tcp(LOCAL, 40000, PacketBuilder.ipv4("127.0.1.208"), 8080, 1000, 0,
            DecodedPacket.SYN, 65535, PacketBuilder.synOptions(65495, 7), 0).copy();
        for (final int stored : new int[] {0x0000, 0xFFFF})
        {
            assertEquals(DecodedPacket.CHECKSUM_OFFLOADED,
                decode(ChecksumMode.OFFLOAD, withChecksum(frame, tcpChecksumAt(), stored), DropReason.NONE).checksum,
                Integer.toHexString(stored));
        }
        assertEquals(DecodedPacket.CHECKSUM_BAD,
            decode(ChecksumMode.OFFLOAD, withChecksum(frame, tcpChecksumAt(), 0xFFFE), DropReason.NONE).checksum);
    }

    @Test
    void aWrongChecksumIsBadInBothCheckingModes()
    {
        final byte[] tcp = withChecksum(tcpSyn40(), tcpChecksumAt(), 0x1234);
        for (final ChecksumMode mode : new ChecksumMode[] {ChecksumMode.OFFLOAD, ChecksumMode.VERIFY})
        {
            final DecodedPacket p = decode(mode, tcp, DropReason.NONE);
            assertEquals(DecodedPacket.CHECKSUM_BAD, p.checksum, mode.toString());
            assertTrue(p.checksumBad);
            assertFalse(p.checksumUnfilled);
        }
    }

    @Test
    void ipv4UdpWithoutAChecksumIsNotExamined()
    {
        final DecodedPacket p = decode(ChecksumMode.OFFLOAD, withChecksum(udp19(), udpChecksumAt(), 0), DropReason.NONE);
        assertEquals(DecodedPacket.CHECKSUM_NONE, p.checksum);
        assertFalse(p.checksumBad);
    }

    @Test
    void aSegmentationOffloadSuperPacketIsOffloaded()
    {
        final byte[] big = new PacketBuilder().tcp(LOCAL, 40000, PacketBuilder.ipv4("10.0.0.2"), 80, 1000, 1,
            DecodedPacket.ACK, 512, null, 20_000).copy();
        final byte[] wrong = withChecksum(big, tcpChecksumAt(), 0x1234);
        assertEquals(DecodedPacket.CHECKSUM_OFFLOADED, decode(ChecksumMode.OFFLOAD, wrong, DropReason.NONE).checksum);
        assertEquals(DecodedPacket.CHECKSUM_BAD, decode(ChecksumMode.VERIFY, wrong, DropReason.NONE).checksum);
        // IPv4 total length 0 (TSO): taken at its captured length, its checksum unexamined when verifying as Zeek.
        final byte[] lengthless = withChecksum(wrong, PacketBuilder.ETHER_HEADER + 2, 0);
        final DecodedPacket p = decode(ChecksumMode.OFFLOAD, lengthless, DropReason.NONE);
        assertEquals(DecodedPacket.CHECKSUM_OFFLOADED, p.checksum);
        assertEquals(big.length - PacketBuilder.ETHER_HEADER, p.ipTotalLength);
        assertEquals(DecodedPacket.CHECKSUM_NONE, decode(ChecksumMode.VERIFY, lengthless, DropReason.NONE).checksum);
    }

    @Test
    void anIpv4HeaderChecksumOfZeroIsOffloadedButAWrongOneDropsThePacket()
    {
        final int at = PacketBuilder.ETHER_HEADER + 10;
        final byte[] zero = withChecksum(tcpSyn40(), at, 0);
        assertEquals(DecodedPacket.CHECKSUM_OFFLOADED, decode(ChecksumMode.OFFLOAD, zero, DropReason.NONE).ipChecksum);
        assertEquals(DecodedPacket.CHECKSUM_BAD, decode(ChecksumMode.VERIFY, zero, DropReason.BAD_IP_CHECKSUM).ipChecksum);
        final byte[] wrong = withChecksum(tcpSyn40(), at, 0x1234);
        assertEquals(DecodedPacket.CHECKSUM_BAD, decode(ChecksumMode.OFFLOAD, wrong, DropReason.BAD_IP_CHECKSUM).ipChecksum);
        decode(ChecksumMode.IGNORE, wrong, DropReason.NONE);
    }

    @Test
    void statsCountEachPacketUnderTheWorseOfItsChecksums()
    {
        final DecodeStats s = new DecodeStats();
        s.onChecksums(decode(ChecksumMode.OFFLOAD, tcpSyn40(), DropReason.NONE));
        s.onChecksums(decode(ChecksumMode.OFFLOAD, withChecksum(udp19(), udpChecksumAt(), 0xfe26), DropReason.NONE));
        s.onChecksums(decode(ChecksumMode.OFFLOAD, withChecksum(udp19(), udpChecksumAt(), 0x1111), DropReason.NONE));
        s.onChecksums(decode(ChecksumMode.OFFLOAD, withChecksum(tcpSyn40(), PacketBuilder.ETHER_HEADER + 10, 0x1234),
            DropReason.BAD_IP_CHECKSUM));
        // No UDP checksum, but its IPv4 header checksum verifies: the packet counts as verified.
        s.onChecksums(decode(ChecksumMode.OFFLOAD, withChecksum(udp19(), udpChecksumAt(), 0), DropReason.NONE));
        assertEquals(2, s.checksumsVerified);
        assertEquals(1, s.checksumsOffloaded);
        assertEquals(2, s.checksumsBad);
        assertEquals(1, s.ipChecksumsBad);
        assertEquals(5, s.checksumsExamined());
    }
}
