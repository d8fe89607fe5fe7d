package flowdemux.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import flowdemux.decode.DropReason;
import flowdemux.decode.PacketDecoder;
import flowdemux.flow.ConnectionConfig;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.report.FlowCollector;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.LinkType;
import flowdemux.source.PacketRecord;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzz targets (Jazzer). A normal test run replays the seeds and every regression input kept under
 * src/test/resources/flowdemux/fuzz/FuzzTargetsInputs/; {@code JAZZER_FUZZ=1} fuzzes (.ci/run gives pcapReader,
 * pcapngReader, decoders, tunnels, services and readPath 20 s each). Nothing may escape but the documented input error, every target
 * must end, and each checks what must hold for any input (readAll, checkDecoded, readPath). Two regressions found
 * by these checks are kept: an ICMP header cut short whose payload offset lay past the packet, and timestamps going
 * backwards that made a negative duration.
 */
public class FuzzTargets
{
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
        LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.IEEE802_11_RADIOTAP};
    private static final byte[] PCAP_HEADER = {(byte)0xD4, (byte)0xC3, (byte)0xB2, (byte)0xA1, 2, 0, 4, 0, 0, 0, 0, 0,
        0, 0, 0, 0, (byte)0xFF, (byte)0xFF, 0, 0, 1, 0, 0, 0};
    private static final byte[] PCAPNG_HEADER = {0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
        -1, -1, -1, -1, -1, -1, -1, -1, 28, 0, 0, 0};

    /**
     * Reads every packet; returns their number. Only {@link CaptureFormatException} may come out, and every record
     * handed out must lie inside its buffer, be numbered in order, and never end before the previous one's offset.
     */
    static int readAll(final byte[] file)
    {
        int n = 0;
        try (CaptureReader r = CaptureReaders.open(new ByteArrayInputStream(file)))
        {
            final PacketRecord p = new PacketRecord();
            long lastOffset = -1;
            while (r.next(p))
            {
                check(p.offset >= 0 && p.capturedLength >= 0 && p.offset + p.capturedLength <= p.buffer.length,
                    "record outside its buffer: offset " + p.offset + ", length " + p.capturedLength);
                check(p.index == n, "records numbered in order: " + p.index + " at " + n);
                check(p.fileOffset > lastOffset && p.fileOffset < file.length, "record offset " + p.fileOffset
                    + " after " + lastOffset + " inside " + file.length + " bytes");
                check(p.originalLength >= 0, "negative original length " + p.originalLength);
                lastOffset = p.fileOffset;
                n++;
            }
        }
        catch (CaptureFormatException e)
        {
            // the documented input error
        }
        catch (IOException e)
        {
            throw new AssertionError("an in-memory read cannot fail with I/O", e);
        }
        return n;
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }

    /**
     * What every decoded packet must satisfy: offsets and lengths inside the captured bytes, payload never longer
     * than what the headers allow or than what was captured, ports and protocol in range, and a checksum verdict
     * that agrees with itself.
     */
    static void checkDecoded(final PacketRecord r, final PacketDecoder decoder, final DropReason reason)
    {
        check(reason != null, "every packet decodes or gets a reason");
        if (reason != DropReason.NONE)
        {
            return;
        }
        final flowdemux.decode.DecodedPacket p = decoder.packet();
        final int end = r.offset + r.capturedLength;
        check(p.ipVersion == 4 || p.ipVersion == 6, "IP version " + p.ipVersion);
        check(p.ipOffset >= r.offset && p.ipOffset < end, "IP header at " + p.ipOffset + " outside " + r.offset + "-" + end);
        check(p.ipHeaderLength >= (p.ipVersion == 4 ? 20 : 40), "IP header length " + p.ipHeaderLength);
        check(p.ipTotalLength >= p.ipHeaderLength, "total length " + p.ipTotalLength + " below the header");
        check(p.protocol >= 0 && p.protocol < 256, "protocol " + p.protocol);
        check(p.srcPort >= 0 && p.srcPort < 65536 && p.dstPort >= 0 && p.dstPort < 65536, "ports");
        check(p.payloadLength >= 0 && p.capturedPayload >= 0, "negative payload");
        if (!p.laterFragment && p.hasPorts && p.payloadLength > 0)
        {
            check(p.capturedPayload <= p.payloadLength, "captured payload " + p.capturedPayload + " beyond the "
                + p.payloadLength + " the headers allow");
            check(p.payloadOffset >= p.ipOffset && p.payloadOffset + p.capturedPayload <= end, "payload "
                + p.payloadOffset + "+" + p.capturedPayload + " outside the packet ending at " + end);
        }
        check(p.checksumBad == (p.checksum == flowdemux.decode.DecodedPacket.CHECKSUM_BAD), "checksum verdict");
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The classic pcap reader: records after a valid file header. */
    @FuzzTest(maxDuration = "20s")
    public void pcapReader(final byte[] records)
    {
        readAll(concat(PCAP_HEADER, records));
    }

    /** The pcapng reader: blocks after a valid section header. */
    @FuzzTest(maxDuration = "20s")
    public void pcapngReader(final byte[] blocks)
    {
        readAll(concat(PCAPNG_HEADER, blocks));
    }

    /** Link layer, IPv4/IPv6 and the transport decoders, on every link type, with checksums verified. */
    @FuzzTest(maxDuration = "20s")
    public void decoders(final FuzzedDataProvider data)
    {
        final int linkType = LINK_TYPES[data.consumeInt(0, LINK_TYPES.length - 1)];
        final boolean truncate = data.consumeBoolean();
        final int offset = data.consumeInt(0, 16);
        final byte[] bytes = data.consumeRemainingAsBytes();
        // The packet at an offset in a larger buffer, as the readers hand them out.
        final byte[] buffer = new byte[offset + bytes.length + 16];
        System.arraycopy(bytes, 0, buffer, offset, bytes.length);
        final PacketRecord r = new PacketRecord();
        r.set(buffer, offset, truncate ? bytes.length / 2 : bytes.length, bytes.length);
        r.linkType = linkType;
        final flowdemux.decode.ChecksumMode[] modes = flowdemux.decode.ChecksumMode.values();
        final PacketDecoder decoder = new PacketDecoder(modes[Math.floorMod(bytes.length, modes.length)]);
        checkDecoded(r, decoder, decoder.decode(r));
    }

    private static void decodeAs(final int linkType, final byte[] bytes)
    {
        final PacketRecord r = new PacketRecord();
        r.set(bytes, 0, bytes.length, bytes.length + (bytes.length > 0 ? bytes[0] & 0x3F : 0));
        r.linkType = linkType;
        final PacketDecoder decoder = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD);
        checkDecoded(r, decoder, decoder.decode(r));
    }

    /** Ethernet II with VLAN tags, then IP and transport. */
    @FuzzTest(maxDuration = "20s")
    public void ethernet(final byte[] frame)
    {
        decodeAs(LinkType.ETHERNET, frame);
    }

    /** Linux cooked capture v1. */
    @FuzzTest(maxDuration = "20s")
    public void linuxSll(final byte[] frame)
    {
        decodeAs(LinkType.LINUX_SLL, frame);
    }

    /** Linux cooked capture v2. */
    @FuzzTest(maxDuration = "20s")
    public void linuxSll2(final byte[] frame)
    {
        decodeAs(LinkType.LINUX_SLL2, frame);
    }

    /** BSD loopback (NULL, either byte order). */
    @FuzzTest(maxDuration = "20s")
    public void loopback(final byte[] frame)
    {
        decodeAs(LinkType.NULL, frame);
    }

    /** IPv4 and its transports (LINKTYPE_IPV4). */
    @FuzzTest(maxDuration = "20s")
    public void ipv4(final byte[] datagram)
    {
        decodeAs(LinkType.IPV4, datagram);
    }

    /** IPv6, its extension chain and transports (LINKTYPE_IPV6). */
    @FuzzTest(maxDuration = "20s")
    public void ipv6(final byte[] datagram)
    {
        decodeAs(LinkType.IPV6, datagram);
    }

    /** Where the tunnels target puts the fuzzed bytes: after IPv4 with these protocols, or UDP to these ports. */
    private static final int[] TUNNEL_PORTS = {flowdemux.decode.Tunnel.VXLAN_PORT, flowdemux.decode.Tunnel.GENEVE_PORT,
        flowdemux.decode.Tunnel.GTPV1_U_PORT, flowdemux.decode.Tunnel.TEREDO_PORT, flowdemux.decode.Tunnel.AYIYA_PORT,
        flowdemux.decode.Tunnel.GRE_UDP_PORT, 8472};
    private static final int[] TUNNEL_PROTOCOLS = {47, 4, 41};

    /**
     * The decode chain through tunnels: the fuzzed bytes follow an outer Ethernet, IPv4 and (for the UDP tunnels) UDP
     * header that lead to a tunnel analyzer, so that the fuzzer spends its time inside VXLAN, Geneve, GTP, Teredo,
     * AYIYA, GRE (ERSPAN, PPTP) and IP in IP rather than finding their ports. Every layer down the chain must satisfy
     * what a decoded packet satisfies, stay inside the frame, and the chain must end by Zeek's max_depth. Then the
     * same frames, several to a capture, go through the whole read path with its accounting checks.
     */
    @FuzzTest(maxDuration = "20s")
    public void tunnels(final FuzzedDataProvider data)
    {
        final int frames = data.consumeInt(1, 3);
        final java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.writeBytes(PCAP_HEADER);
        final flowdemux.decode.ChecksumMode[] modes = flowdemux.decode.ChecksumMode.values();
        for (int n = 0; n < frames && data.remainingBytes() > 0; n++)
        {
            final boolean udp = data.consumeBoolean();
            final int port = TUNNEL_PORTS[data.consumeInt(0, TUNNEL_PORTS.length - 1)];
            final int protocol = TUNNEL_PROTOCOLS[data.consumeInt(0, TUNNEL_PROTOCOLS.length - 1)];
            final int srcPort = data.consumeInt(0, 65535);
            final byte[] inner = data.consumeBytes(n == frames - 1 ? Integer.MAX_VALUE : data.consumeInt(0, 1600));
            final byte[] frame = outerFrame(udp, protocol, srcPort, port, inner);
            final PacketRecord r = new PacketRecord();
            r.set(frame, 0, frame.length, frame.length);
            r.linkType = LinkType.ETHERNET;
            final PacketDecoder decoder = new PacketDecoder(modes[Math.floorMod(inner.length, modes.length)]);
            DropReason reason = decoder.decode(r);
            int layers = 0;
            while (reason == DropReason.NONE)
            {
                checkDecoded(r, decoder, reason);
                final flowdemux.decode.DecodedPacket p = decoder.packet();
                check(p.depth == layers && p.depth <= flowdemux.decode.Tunnel.MAX_DEPTH, "depth " + p.depth
                    + " at layer " + layers);
                reason = decoder.decapsulate();
                layers++;
                if (reason != null && reason != DropReason.NONE)
                {
                    check(decoder.packet().depth == layers, "a failed layer keeps its depth");
                }
            }
            final java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            header.putInt(1_700_000_000 + n).putInt(0).putInt(frame.length).putInt(frame.length);
            file.writeBytes(header.array());
            file.writeBytes(frame);
        }
        readPath(file.toByteArray());
    }

    /** Ethernet, IPv4 (its header checksum right) and, for a UDP tunnel, UDP without a checksum, before {@code inner}. */
    private static byte[] outerFrame(final boolean udp, final int protocol, final int srcPort, final int dstPort,
        final byte[] inner)
    {
        final int ipLength = Math.min(65_535, 20 + (udp ? 8 : 0) + inner.length);
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 20 + (udp ? 8 : 0) + inner.length);
        b.put(new byte[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6}).putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)ipLength).putInt(0).put((byte)64)
            .put((byte)(udp ? 17 : protocol)).putShort((short)0).putInt(0x0A000001).putInt(0x0A000002);
        long sum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            sum += b.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        b.putShort(24, (short)~sum);
        if (udp)
        {
            b.putShort((short)srcPort).putShort((short)dstPort).putShort((short)Math.min(65_535, 8 + inner.length))
                .putShort((short)0);
        }
        b.put(inner);
        return b.array();
    }

    /**
     * The same TCP turns (each side's bytes until the other side's), sent whole and sent cut into pieces at fuzzed
     * points in a fuzzed order with pieces repeated: detection must end with the same services, hints and kept
     * fields, since it reads each side by turns put together in sequence order.
     */
    private static void segmentations(final FuzzedDataProvider data)
    {
        final flowdemux.service.ServiceInspector whole = new flowdemux.service.ServiceInspector();
        final flowdemux.service.ServiceInspector pieces = new flowdemux.service.ServiceInspector();
        final long[] w = {flowdemux.service.ServiceInspector.synSeen(0), 0};
        final long[] p = {w[0], 0};
        final long[] sent = new long[2];
        boolean fromA = true;
        boolean wholeDone = false;
        boolean piecesDone = false;
        for (int turn = 0; turn < 10 && data.remainingBytes() > 4; turn++)
        {
            final byte[] bytes = data.consumeBytes(data.consumeInt(1, 700));
            if (bytes.length == 0)
            {
                break;
            }
            final int side = fromA ? 0 : 1;
            final long at = sent[side];
            if (!wholeDone)
            {
                wholeDone = whole.inspect(w, 0, 1, fromA, fromA, true, at, at, bytes, 0, bytes.length, bytes.length);
            }
            // Cut points, then the pieces in a shuffled order, some twice.
            final int cuts = data.consumeInt(0, Math.min(8, bytes.length - 1));
            final int[] bounds = new int[cuts + 2];
            for (int i = 1; i <= cuts; i++)
            {
                bounds[i] = data.consumeInt(1, bytes.length - 1);
            }
            bounds[cuts + 1] = bytes.length;
            java.util.Arrays.sort(bounds);
            final int[] order = new int[cuts + 1 + data.consumeInt(0, 2)];
            for (int i = 0; i < order.length; i++)
            {
                order[i] = i <= cuts ? i : data.consumeInt(0, cuts);
            }
            for (int i = order.length - 1; i > 0; i--)
            {
                final int j = data.consumeInt(0, i);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long highest = at;
            for (final int k : order)
            {
                final int from = bounds[k];
                final int to = bounds[k + 1];
                if (to > from && !piecesDone)
                {
                    piecesDone = pieces.inspect(p, 0, 1, fromA, fromA, true, at + from, highest,
                        java.util.Arrays.copyOfRange(bytes, from, to), 0, to - from, to - from);
                    highest = Math.max(highest, at + to);
                }
            }
            sent[side] += bytes.length;
            fromA = !fromA;
        }
        whole.settle(w, 0, 1, true);
        pieces.settle(p, 0, 1, true);
        check(flowdemux.service.ServiceInspector.services(w[0]) == flowdemux.service.ServiceInspector.services(p[0])
            && w[1] == p[1], "the same turns cut otherwise were named otherwise: " + Long.toHexString(w[0]) + "/"
            + Long.toHexString(w[1]) + " against " + Long.toHexString(p[0]) + "/" + Long.toHexString(p[1]));
        final int a = flowdemux.service.ServiceInspector.note(w[0]);
        final int b = flowdemux.service.ServiceInspector.note(p[0]);
        final byte[] x = new byte[flowdemux.service.ServiceNotes.SLOT];
        final byte[] y = new byte[flowdemux.service.ServiceNotes.SLOT];
        if (a >= 0)
        {
            whole.notes().copy(a, x);
        }
        if (b >= 0)
        {
            pieces.notes().copy(b, y);
        }
        for (int f = 0; f < flowdemux.service.ServiceNotes.FIELDS; f++)
        {
            check(java.util.Objects.equals(a < 0 ? null : flowdemux.service.ServiceNotes.text(x, f),
                b < 0 ? null : flowdemux.service.ServiceNotes.text(y, f)), "a kept field differs when cut: " + f);
        }
    }

    /**
     * Service detection on arbitrary payloads: a connection's packets, each from either side, TCP or UDP, in any
     * order, with FTP's announcements read from the same bytes. It must not throw, must read inside what it is given
     * (the bytes around the slice are poison: a read there would decide differently than on the slice alone), may
     * only name known services, and must keep no more than its fields hold.
     */
    @FuzzTest(maxDuration = "20s")
    public void services(final FuzzedDataProvider data)
    {
        final flowdemux.service.ServiceInspector inspector = new flowdemux.service.ServiceInspector();
        final flowdemux.service.ServiceInspector twin = new flowdemux.service.ServiceInspector();
        final flowdemux.service.ServiceInspector cut = new flowdemux.service.ServiceInspector();
        final long[] u = new long[2];
        final flowdemux.service.Expectations ftp = new flowdemux.service.Expectations();
        final long[] s = new long[2];
        final long[] t = new long[2];
        s[0] = flowdemux.service.ServiceInspector.synSeen(0);
        t[0] = s[0];
        u[0] = s[0];
        final boolean tcp = data.consumeBoolean();
        final flowdemux.service.Continuations continuations = new flowdemux.service.Continuations();
        final long[] seq = {0, 0}; // offsets in each direction's stream
        boolean comparable = true;
        boolean cutDone = false;
        boolean lastFromA = false;
        int packets = 0;
        while (data.remainingBytes() > 2 && packets++ < 24)
        {
            final boolean fromA = data.consumeBoolean();
            final byte[] payload = data.consumeBytes(data.consumeInt(0, 1500));
            final int pad = 7;
            final byte[] poisoned = new byte[payload.length + 2 * pad];
            java.util.Arrays.fill(poisoned, (byte)'S');
            System.arraycopy(payload, 0, poisoned, pad, payload.length);
            final long at = seq[fromA ? 0 : 1];
            seq[fromA ? 0 : 1] += payload.length;
            final boolean done = inspector.inspect(s, 0, 1, fromA, fromA, tcp, at, at, payload, 0, payload.length,
                payload.length);
            final boolean doneTwin = twin.inspect(t, 0, 1, fromA, fromA, tcp, at, at, poisoned, pad, payload.length,
                payload.length);
            check(s[0] == t[0] && s[1] == t[1] && done == doneTwin, "detection read outside its bytes");
            // The reader hands on only the bytes ServicePrefix (and, for TCP, Continuations) asks for: the decisions
            // must be the same on them.
            int wanted = flowdemux.service.ServicePrefix.wanted(payload, 0, payload.length, tcp, payload.length,
                flowdemux.service.ServiceInspector.PACKET_BYTES);
            if (tcp)
            {
                wanted = continuations.wanted(0, fromA ? 1 : 2, 1, 0, fromA ? 2 : 1, 2, at, payload, 0,
                    payload.length, wanted);
            }
            if (!cutDone)
            {
                cutDone = cut.inspect(u, 0, 1, fromA, fromA, tcp, at, at, payload, 0, wanted, payload.length);
            }
            // Compared while every payload so far fit in a packet's bytes (beyond them s saw more than a read would),
            // and while the reader cut only segments that begin a turn: it judges a segment by its own first bytes,
            // so one that goes on with a message begun in a short segment is cut as though it began one (a limit
            // services.md states; ClientHellos and HTTP requests begun so are followed whole).
            comparable &= payload.length <= flowdemux.service.ServiceInspector.PACKET_BYTES
                && (wanted == payload.length || fromA != lastFromA || packets == 1);
            lastFromA = fromA;
            ftp.observe(0, 1, 0, 2, poisoned, pad, payload.length, packets);
            if (done)
            {
                break;
            }
        }
        // A turn whose segment the reader cut is read then, not when the turn ends: compared once all was read.
        inspector.settle(s, 0, 1, true);
        cut.settle(u, 0, 1, true);
        check(!comparable || (flowdemux.service.ServiceInspector.services(u[0])
            == flowdemux.service.ServiceInspector.services(s[0]) && u[1] == s[1]),
            "a decision changed on the bytes ServicePrefix keeps: " + Long.toHexString(s[0]) + "/"
            + Long.toHexString(s[1]) + " against " + Long.toHexString(u[0]) + "/" + Long.toHexString(u[1]));
        if (tcp)
        {
            segmentations(data);
        }
        final int services = flowdemux.service.ServiceInspector.services(s[0]);
        check((services >>> flowdemux.service.ServiceId.COUNT) == 0, "unknown service bits " + services);
        final int note = flowdemux.service.ServiceInspector.note(s[0]);
        if (note >= 0)
        {
            final byte[] slot = new byte[flowdemux.service.ServiceNotes.SLOT];
            inspector.notes().copy(note, slot);
            final String a = flowdemux.service.ServiceNotes.text(slot, true);
            final String b = flowdemux.service.ServiceNotes.text(slot, false);
            check(a == null || a.length() <= flowdemux.service.ServiceNotes.A_MAX, "field A too long");
            check(b == null || b.length() <= flowdemux.service.ServiceNotes.B_MAX, "field B too long");
            inspector.release(s[0]);
        }
        check(inspector.notes().inUse() == 0, "a note kept after its connection ended");
    }

    /**
     * The whole read path on arbitrary bytes: reader, decoders, fragments, connection tracking, the records. Every
     * frame is in a flow, filtered or undecodable; the flows hold no more packets than the frames given to them; and
     * the outputs parse: the conn.log has as many columns as its #fields on every row, the JSON is one document.
     */
    @FuzzTest(maxDuration = "20s")
    public void readPath(final byte[] file)
    {
        final FlowCollector flows = new FlowCollector();
        final OfflineRun run = new OfflineRun(1000, flows, PacketFilter.ALL, ProgressListener.NONE, new ConnectionConfig());
        final CaptureReader reader;
        try
        {
            reader = CaptureReaders.open(new ByteArrayInputStream(file));
        }
        catch (CaptureFormatException | IOException e)
        {
            return;
        }
        run.run(reader);
        final flowdemux.decode.DecodeStats stats = run.stats();
        final long frames = stats.framesInFlows + stats.undecodable() + stats.filteredOut;
        check(run.ioFault() == null && frames == stats.packets, "every packet in a flow or counted: " + frames + " of "
            + stats.packets);
        long packetsInFlows = 0;
        for (final flowdemux.flow.FlowRecord f : flows.flows())
        {
            check(f.origPackets >= 0 && f.respPackets >= 0 && f.durationNanos() >= 0, "counts and duration of " + f.uid());
            packetsInFlows += f.packets();
        }
        // A bad checksum or a reassembled datagram's extra fragments are frames in a flow but not packets of it; a
        // packet inside a tunnel over UDP is a packet of its own connection in the frame of its outer one.
        long tunnelled = 0;
        for (final long n : stats.tunnelled)
        {
            tunnelled += n;
        }
        check(packetsInFlows <= stats.framesInFlows + tunnelled, packetsInFlows + " packets in flows from "
            + stats.framesInFlows + " frames and " + tunnelled + " packets inside tunnels");
        check(stats.checksumsExamined() <= stats.packets, "checksums examined of more packets than read");
        final flowdemux.report.AnalysisResult result = new flowdemux.report.AnalysisResult("fuzz", reader.formatName(),
            stats, flows.flows(), flowdemux.report.Aggregates.of(flows.flows()), flows.evicted(), 1000, null, null);
        try
        {
            final java.io.StringWriter zeek = new java.io.StringWriter();
            new flowdemux.report.ZeekConnLog(flowdemux.report.LocalNets.zeekDefault(), true).write(result, zeek);
            int columns = -1;
            for (final String line : zeek.toString().split("\n"))
            {
                if (line.startsWith("#fields\t"))
                {
                    columns = line.split("\t", -1).length - 1;
                }
                else if (!line.startsWith("#"))
                {
                    check(line.split("\t", -1).length == columns, "a conn.log row with its #fields' columns: " + line);
                }
            }
            final java.io.StringWriter json = new java.io.StringWriter();
            new flowdemux.report.JsonReport(10, flowdemux.ports.Services.shipped(), flowdemux.report.LocalNets.zeekDefault(),
                false).write(result, json);
            try (com.fasterxml.jackson.core.JsonParser parser = new com.fasterxml.jackson.core.JsonFactory()
                .createParser(json.toString()))
            {
                check(parser.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT, "a JSON object");
                parser.skipChildren();
                check(parser.nextToken() == null, "one JSON document");
            }
        }
        catch (IOException e)
        {
            throw new AssertionError("writing to memory cannot fail", e);
        }
    }
}
