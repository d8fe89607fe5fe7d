package flowdemux;

import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helper: every packet of a capture with what our decoder made of it. */
public final class Captures
{
    private Captures()
    {
    }

    /** A packet's bytes and decode result, copied out of the reused reader and decoder objects. */
    public static final class Decoded
    {
        public final long index;
        public final int linkType;
        public final byte[] bytes;
        public final long timestampNanos;
        public final DropReason reason;
        public final int ipVersion;
        public final long srcHi;
        public final long srcLo;
        public final long dstHi;
        public final long dstLo;
        public final int protocol;
        public final int srcPort;
        public final int dstPort;
        public final int tcpFlags;
        public final int payloadLength;
        public final int capturedPayload;
        public final int ipTotalLength;
        public final boolean laterFragment;
        public final int icmpType;
        public final int icmpCode;
        public final int vlanId;

        Decoded(final PacketRecord r, final DropReason reason, final DecodedPacket p)
        {
            this.index = r.index;
            this.linkType = r.linkType;
            this.bytes = Arrays.copyOfRange(r.buffer, r.offset, r.offset + r.capturedLength);
            this.timestampNanos = r.timestampNanos;
            this.reason = reason;
            this.ipVersion = p.ipVersion;
            this.srcHi = p.srcHi;
            this.srcLo = p.srcLo;
            this.dstHi = p.dstHi;
            this.dstLo = p.dstLo;
            this.protocol = p.protocol;
            this.srcPort = p.srcPort;
            this.dstPort = p.dstPort;
            this.tcpFlags = p.tcpFlags;
            this.payloadLength = p.payloadLength;
            this.capturedPayload = p.capturedPayload;
            this.ipTotalLength = p.ipTotalLength;
            this.laterFragment = p.laterFragment;
            this.icmpType = p.icmpType;
            this.icmpCode = p.icmpCode;
            this.vlanId = p.vlanId;
        }
    }

    public static List<Decoded> decodeAll(final Path file) throws IOException, CaptureFormatException
    {
        final List<Decoded> out = new ArrayList<>();
        final PacketDecoder decoder = new PacketDecoder();
        try (CaptureReader reader = CaptureReaders.open(file.toString()))
        {
            final PacketRecord r = new PacketRecord();
            while (reader.next(r))
            {
                final DropReason reason = decoder.decode(r);
                out.add(new Decoded(r, reason, decoder.packet()));
            }
        }
        return out;
    }

    /**
     * A decoded IPv4 UDP datagram of 40 bytes to 192.0.2.1:53 from port 40000, its source address left to the test:
     * the one-packet connection tests feed the tracker directly.
     */
    public static flowdemux.decode.DecodedPacket udpToDns()
    {
        final flowdemux.decode.DecodedPacket p = new flowdemux.decode.DecodedPacket();
        p.protocol = flowdemux.decode.DecodedPacket.PROTO_UDP;
        p.ipVersion = 4;
        p.ipTotalLength = 40;
        p.frames = 1;
        p.dstLo = flowdemux.decode.DecodedPacket.IPV4_MAPPED_PREFIX | 0xC000_0201L;
        p.dstPort = 53;
        p.srcPort = 40000;
        return p;
    }

    /** Whether the file's header can be read at all: one that cannot writes no report, only its error line. */
    public static boolean opens(final java.nio.file.Path file)
    {
        try (flowdemux.source.CaptureReader r = flowdemux.source.CaptureReaders.open(file.toString()))
        {
            return r != null;
        }
        catch (java.io.IOException | flowdemux.source.CaptureFormatException e)
        {
            return false;
        }
    }


    /** A one-packet pcap of an IPv4 packet with another IP protocol (47 GRE, 132 SCTP, ...), its header checksum right. */
    public static Path otherProtocolCapture(final Path folder, final int protocol) throws IOException
    {
        final byte[] frame = new flowdemux.synth.PacketBuilder().udp(flowdemux.synth.PacketBuilder.ipv4("10.9.0.1"), 1,
            flowdemux.synth.PacketBuilder.ipv4("10.9.0.2"), 2, 20).copy();
        final int ip = flowdemux.synth.PacketBuilder.ETHER_HEADER;
        frame[ip + 9] = (byte)protocol;
        fixIpv4HeaderChecksum(frame, ip);
        final Path p = folder.resolve("proto-" + protocol + ".pcap");
        try (java.io.OutputStream os = java.nio.file.Files.newOutputStream(p);
             flowdemux.synth.PcapWriter w = new flowdemux.synth.PcapWriter(os, 1, false))
        {
            w.writeCaptured(1_709_294_400_500_000_000L, frame, 0, frame.length, frame.length);
        }
        return p;
    }

    /** Recomputes the checksum of the 20-byte IPv4 header at {@code ip} after a test changed it. */
    public static void fixIpv4HeaderChecksum(final byte[] frame, final int ip)
    {
        frame[ip + 10] = 0;
        frame[ip + 11] = 0;
        long sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += ((frame[ip + i] & 0xFF) << 8) | (frame[ip + i + 1] & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        frame[ip + 10] = (byte)(~sum >>> 8);
        frame[ip + 11] = (byte)~sum;
    }

    /**
     * One fragment of an Ethernet + IPv4 (20-byte header) datagram: the header with the fragment's offset, MF flag,
     * length, identification 0x1234 and its checksum, and {@code length} bytes of the datagram's payload from
     * {@code offset} (a multiple of 8, except for the last fragment's length).
     */
    public static byte[] ipv4Fragment(final byte[] whole, final int offset, final int length, final boolean more)
    {
        final int ip = flowdemux.synth.PacketBuilder.ETHER_HEADER;
        final byte[] f = new byte[ip + 20 + length];
        System.arraycopy(whole, 0, f, 0, ip + 20);
        System.arraycopy(whole, ip + 20 + offset, f, ip + 20, length);
        final int total = 20 + length;
        f[ip + 2] = (byte)(total >>> 8);
        f[ip + 3] = (byte)total;
        f[ip + 4] = 0x12;
        f[ip + 5] = 0x34;
        final int flags = (more ? 0x2000 : 0) | (offset / 8);
        f[ip + 6] = (byte)(flags >>> 8);
        f[ip + 7] = (byte)flags;
        fixIpv4HeaderChecksum(f, ip);
        return f;
    }

    /**
     * One fragment of an Ethernet + IPv6 datagram (no extension headers in {@code whole}): the 40-byte header with
     * next header 44 and the payload length of this fragment, a fragment header (identification 0x1234), and
     * {@code length} bytes of the datagram's payload from {@code offset}.
     */
    public static byte[] ipv6Fragment(final byte[] whole, final int offset, final int length, final boolean more)
    {
        final int ip = flowdemux.synth.PacketBuilder.ETHER_HEADER;
        final byte[] f = new byte[ip + 40 + 8 + length];
        System.arraycopy(whole, 0, f, 0, ip + 40);
        final int next = whole[ip + 6] & 0xFF;
        f[ip + 6] = 44;
        final int payload = 8 + length;
        f[ip + 4] = (byte)(payload >>> 8);
        f[ip + 5] = (byte)payload;
        final int h = ip + 40;
        f[h] = (byte)next;
        f[h + 1] = 0;
        final int offsetFlags = offset | (more ? 1 : 0);
        f[h + 2] = (byte)(offsetFlags >>> 8);
        f[h + 3] = (byte)offsetFlags;
        f[h + 4] = 0;
        f[h + 5] = 0;
        f[h + 6] = 0x12;
        f[h + 7] = 0x34;
        System.arraycopy(whole, ip + 40 + offset, f, h + 8, length);
        return f;
    }
}
