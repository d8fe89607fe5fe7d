package flowdemux.decode;

import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DecoderRobustnessTest
{
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
        LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, 999};

    private static DropReason decode(final int linkType, final byte[] bytes)
    {
        final PacketRecord r = new PacketRecord();
        r.set(bytes, 0, bytes.length, bytes.length);
        r.linkType = linkType;
        return new PacketDecoder().decode(r);
    }

    /** Random bytes and bit-flipped real packets never make the decoder throw; each gets a reason or decodes. */
    @Test
    void randomAndMutatedBytesNeverThrow()
    {
        final Random random = new Random(7);
        final PacketDecoder decoder = new PacketDecoder();
        final PacketRecord r = new PacketRecord();
        final PacketBuilder b = new PacketBuilder();
        final byte[] v6 = PacketBuilder.ipv6(0x2001_0db8L << 32, 1);
        final byte[] v6b = PacketBuilder.ipv6(0x2001_0db8L << 32, 2);
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.nextInt(120)];
                random.nextBytes(bytes);
            }
            else
            {
                if (i % 3 == 0)
                {
                    b.tcp(v6, 1, v6b, 2, 1, 2, 0x12, 100, PacketBuilder.synOptions(1460, 7), random.nextInt(40));
                }
                else
                {
                    b.tcp(PacketBuilder.ipv4("10.0.0.1"), 1, PacketBuilder.ipv4("10.0.0.2"), 2, 1, 2, 0x10, 100, null, 10);
                }
                bytes = b.copy();
                for (int flips = random.nextInt(4) + 1; flips > 0; flips--)
                {
                    bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                }
            }
            r.set(bytes, 0, random.nextInt(bytes.length + 1), bytes.length);
            r.linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            decoder.decode(r);
        }
    }

    @Test
    void hostileHeadersGetNamedReasons()
    {
        final PacketBuilder b = new PacketBuilder();
        b.tcp(PacketBuilder.ipv4("10.0.0.1"), 1, PacketBuilder.ipv4("10.0.0.2"), 2, 1, 2, 0x10, 100, null, 10);
        final byte[] ihl = b.copy();
        ihl[14] = 0x44;
        assertEquals(DropReason.BAD_IP_HEADER_LENGTH, decode(LinkType.ETHERNET, ihl));
        final byte[] offset = b.copy();
        offset[14 + 20 + 12] = 0x40;
        assertEquals(DropReason.BAD_TCP_DATA_OFFSET, decode(LinkType.ETHERNET, offset));
        final byte[] total = b.copy();
        total[16] = 0x7F;
        assertEquals(DropReason.BAD_IP_TOTAL_LENGTH, decode(LinkType.ETHERNET, total));
        final byte[] version = b.copy();
        version[14] = 0x55;
        assertEquals(DropReason.BAD_IP_VERSION, decode(LinkType.ETHERNET, version));
        assertEquals(DropReason.UNSUPPORTED_LINK_TYPE, decode(147, b.copy()));
    }

    /** Nine stacked 802.1Q tags, and tags that run past the frame. */
    @Test
    void vlanStacksAreBounded()
    {
        final byte[] frame = new byte[14 + 9 * 4 + 20];
        for (int i = 0; i < 10; i++)
        {
            frame[12 + 4 * i] = (byte)0x81;
        }
        assertEquals(DropReason.VLAN_TOO_DEEP, decode(LinkType.ETHERNET, frame));
        final byte[] cut = new byte[16];
        cut[12] = (byte)0x81;
        assertEquals(DropReason.TRUNCATED_LINK, decode(LinkType.ETHERNET, cut));
    }

    /** An IPv6 extension chain that loops (each header names a hop-by-hop header next) ends with a reason. */
    @Test
    void loopingIpv6ExtensionChainEnds()
    {
        final byte[] p = new byte[40 + 8 * 40];
        p[0] = 0x60;
        p[4] = (byte)((p.length - 40) >>> 8);
        p[5] = (byte)(p.length - 40);
        p[6] = 0; // hop-by-hop
        for (int i = 0; i < 40; i++)
        {
            p[40 + 8 * i] = 60; // destination options, again and again
        }
        assertEquals(DropReason.BAD_IPV6_EXTENSION, decode(LinkType.RAW, p));
        final byte[] past = new byte[48];
        past[0] = 0x60;
        past[5] = 8;
        past[6] = 43;
        past[41] = 10; // routing header claims 88 bytes
        assertEquals(DropReason.BAD_IPV6_EXTENSION, decode(LinkType.RAW, past));
    }

    /** Ethernet pads short frames to 60 bytes; the padding is not payload. */
    @Test
    void ethernetPaddingIsNotPayload()
    {
        final PacketBuilder b = new PacketBuilder();
        b.tcp(PacketBuilder.ipv4("10.0.0.1"), 1, PacketBuilder.ipv4("10.0.0.2"), 2, 1, 2, 0x10, 100, null, 0);
        assertEquals(60, b.length(), "54-byte frame padded to 60");
        final PacketRecord r = new PacketRecord();
        final byte[] bytes = b.copy();
        r.set(bytes, 0, bytes.length, bytes.length);
        r.linkType = LinkType.ETHERNET;
        final PacketDecoder d = new PacketDecoder();
        assertEquals(DropReason.NONE, d.decode(r));
        assertEquals(0, d.packet().payloadLength);
        assertEquals(40, d.packet().ipTotalLength);
    }
}
