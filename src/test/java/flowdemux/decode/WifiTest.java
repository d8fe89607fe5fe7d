package flowdemux.decode;

import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 802.11 as Zeek reads it (radiotap and plain): data frames with LLC/SNAP, the header's optional parts skipped;
 * management, null-data and protected frames carry no datagram. Zeek's radiotap trace is in the conformance tests.
 */
class WifiTest
{
    private static final byte[] UDP = new PacketBuilder().udp(PacketBuilder.ipv4("10.0.0.1"), 5353,
        PacketBuilder.ipv4("10.0.0.2"), 53, 20).copy();

    /** Radiotap (8 bytes, no fields) or nothing, the 802.11 header given, LLC/SNAP for IPv4, the datagram. */
    private static PacketRecord frame(final boolean radiotap, final int fc, final int flags, final int extra)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (radiotap)
        {
            out.writeBytes(new byte[] {0, 0, 8, 0, 0, 0, 0, 0});
        }
        out.write(fc);
        out.write(flags);
        out.writeBytes(new byte[22 + extra]);
        out.writeBytes(new byte[] {(byte)0xAA, (byte)0xAA, 3, 0, 0, 0, 0x08, 0x00});
        out.write(UDP, 14, UDP.length - 14);
        final byte[] b = out.toByteArray();
        final PacketRecord r = new PacketRecord();
        r.set(b, 0, b.length, b.length);
        r.linkType = radiotap ? LinkType.IEEE802_11_RADIOTAP : LinkType.IEEE802_11;
        return r;
    }

    private static DropReason decode(final PacketRecord r)
    {
        final PacketDecoder d = new PacketDecoder(ChecksumMode.VERIFY);
        final DropReason reason = d.decode(r);
        if (reason == DropReason.NONE)
        {
            assertEquals(53, d.packet().dstPort);
            assertEquals(DecodedPacket.CHECKSUM_VERIFIED, d.packet().checksum);
        }
        return reason;
    }

    @Test
    void dataFramesAreReadTheOthersAreNot()
    {
        for (final boolean radiotap : new boolean[] {true, false})
        {
            assertEquals(DropReason.NONE, decode(frame(radiotap, 0x08, 0x01, 0)), "data, to the AP");
            assertEquals(DropReason.NONE, decode(frame(radiotap, 0x88, 0x02, 2)), "QoS data, from the AP");
            assertEquals(DropReason.NONE, decode(frame(radiotap, 0x88, 0x83, 6 + 2 + 4)), "four addresses, QoS, HT");
            assertEquals(DropReason.NOT_IP, decode(frame(radiotap, 0x08, 0x41, 0)), "protected: encrypted");
            assertEquals(DropReason.NOT_IP, decode(frame(radiotap, 0x80, 0x00, 0)), "a beacon");
            assertEquals(DropReason.NOT_IP, decode(frame(radiotap, 0x48, 0x01, 0)), "null data");
        }
        final PacketRecord cut = frame(true, 0x08, 0x01, 0);
        cut.capturedLength = 20;
        assertEquals(DropReason.TRUNCATED_LINK, decode(cut));
    }
}
