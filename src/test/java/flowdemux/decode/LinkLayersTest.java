package flowdemux.decode;

import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The link layers Zeek reads beyond Ethernet and VLANs: VN-Tag, 802.1ah, FabricPath, MPLS, PPPoE and PPP, each crafted. */
class LinkLayersTest
{
    private static final byte[] UDP = new PacketBuilder().udp(PacketBuilder.ipv4("10.0.0.1"), 5353,
        PacketBuilder.ipv4("10.0.0.2"), 53, 20).copy();

    /** The MACs, then {@code between} (ending in the EtherType of what follows), then the IPv4 datagram. */
    private static PacketRecord ethernet(final int... between)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(UDP, 0, 12);
        for (final int v : between)
        {
            out.write(v);
        }
        out.write(UDP, 14, UDP.length - 14);
        return record(out.toByteArray(), LinkType.ETHERNET);
    }

    private static PacketRecord record(final byte[] b, final int linkType)
    {
        final PacketRecord r = new PacketRecord();
        r.set(b, 0, b.length, b.length);
        r.linkType = linkType;
        return r;
    }

    private static int vlanOf(final PacketRecord r)
    {
        final PacketDecoder d = new PacketDecoder(ChecksumMode.VERIFY);
        assertEquals(DropReason.NONE, d.decode(r));
        assertEquals(53, d.packet().dstPort);
        assertEquals(DecodedPacket.CHECKSUM_VERIFIED, d.packet().checksum);
        return d.packet().vlanId;
    }

    @Test
    void eachIsReadToTheDatagram()
    {
        assertEquals(-1, vlanOf(ethernet(0x89, 0x26, 0x80, 0x01, 0x00, 0x02, 0x08, 0x00)), "VN-Tag");
        assertEquals(7, vlanOf(ethernet(0x81, 0x00, 0x00, 0x07, 0x89, 0x26, 0, 0, 0, 1, 0x08, 0x00)), "VN-Tag in a VLAN");
        assertEquals(-1, vlanOf(ethernet(0x88, 0xE7, 0, 0x01, 0x02, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            0x08, 0x00)), "802.1ah: I-TAG and the customer's addresses");
        assertEquals(5, vlanOf(ethernet(0x88, 0xA8, 0x00, 0x05, 0x88, 0xE7, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9,
            10, 11, 12, 0x81, 0x00, 0x00, 0x06, 0x08, 0x00)), "a backbone VLAN, 802.1ah, a customer VLAN");
        assertEquals(-1, vlanOf(ethernet(0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40)),
            "two MPLS labels");
        assertEquals(3, vlanOf(ethernet(0x81, 0x00, 0x00, 0x03, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40)),
            "MPLS in a VLAN");
        assertEquals(-1, vlanOf(ethernet(0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x30, 0x00, 0x21)), "PPPoE");
        // Cisco FabricPath: its type and FTag/TTL after the outer MACs, then the frame's own MACs and type.
        assertEquals(-1, vlanOf(ethernet(0x89, 0x03, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00)),
            "FabricPath");
        assertEquals(9, vlanOf(ethernet(0x89, 0x03, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00,
            0x00, 0x09, 0x08, 0x00)), "a VLAN inside FabricPath");
        final byte[] ip = java.util.Arrays.copyOfRange(UDP, 14, UDP.length);
        for (final byte[] header : new byte[][] {{(byte)0xFF, 0x03, 0x00, 0x21}, {0x00, 0x21}, {0x21}})
        {
            final byte[] ppp = new byte[header.length + ip.length];
            System.arraycopy(header, 0, ppp, 0, header.length);
            System.arraycopy(ip, 0, ppp, header.length, ip.length);
            assertEquals(-1, vlanOf(record(ppp, LinkType.PPP)), "PPP");
        }
    }

    @Test
    void cutShortOrNotIpTheyAreCounted()
    {
        final PacketDecoder d = new PacketDecoder();
        final PacketRecord vntag = ethernet(0x89, 0x26, 0x80, 0x01);
        vntag.capturedLength = 16;
        assertEquals(DropReason.TRUNCATED_LINK, d.decode(vntag));
        final PacketRecord fabricPath = ethernet(0x89, 0x03, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00);
        fabricPath.capturedLength = 30;
        assertEquals(DropReason.TRUNCATED_LINK, d.decode(fabricPath), "FabricPath without a whole frame inside");
        assertEquals(DropReason.NOT_IP, d.decode(record(new byte[] {(byte)0xFF, 0x03, (byte)0xC0, 0x21, 1}, LinkType.PPP)),
            "LCP");
        assertEquals(DropReason.UNSUPPORTED_ENCAPSULATION, d.decode(ethernet(0x88, 0x47, 0x00, 0x01, 0x01, 0x40, 0x00,
            0x00)), "an MPLS pseudowire's control word");
        int[] many = new int[4 * 9 + 2];
        for (int i = 0; i < 9; i++)
        {
            many[4 * i] = 0x81;
            many[4 * i + 2] = 0;
            many[4 * i + 3] = 1;
        }
        many[36] = 0x08;
        assertEquals(DropReason.VLAN_TOO_DEEP, d.decode(ethernet(many)));
    }
}
