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
 * src/test/resources/flowdemux/fuzz/FuzzTargetsInputs/; {@code JAZZER_FUZZ=1} fuzzes (.ci/run gives each target
 * 30 s). Nothing may escape but the documented input error, and every target must end.
 */
public class FuzzTargets
{
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
        LinkType.LOOP, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.IEEE802_11_RADIOTAP};
    private static final byte[] PCAP_HEADER = {(byte)0xD4, (byte)0xC3, (byte)0xB2, (byte)0xA1, 2, 0, 4, 0, 0, 0, 0, 0,
        0, 0, 0, 0, (byte)0xFF, (byte)0xFF, 0, 0, 1, 0, 0, 0};
    private static final byte[] PCAPNG_HEADER = {0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
        -1, -1, -1, -1, -1, -1, -1, -1, 28, 0, 0, 0};

    /** Reads every packet; returns their number. Only {@link CaptureFormatException} may come out. */
    static int readAll(final byte[] file)
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

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The classic pcap reader: records after a valid file header. */
    @FuzzTest(maxDuration = "30s")
    public void pcapReader(final byte[] records)
    {
        readAll(concat(PCAP_HEADER, records));
    }

    /** The pcapng reader: blocks after a valid section header. */
    @FuzzTest(maxDuration = "30s")
    public void pcapngReader(final byte[] blocks)
    {
        readAll(concat(PCAPNG_HEADER, blocks));
    }

    /** Link layer, IPv4/IPv6 and the transport decoders, on every link type, with checksums verified. */
    @FuzzTest(maxDuration = "30s")
    public void decoders(final FuzzedDataProvider data)
    {
        final int linkType = LINK_TYPES[data.consumeInt(0, LINK_TYPES.length - 1)];
        final boolean truncate = data.consumeBoolean();
        final byte[] bytes = data.consumeRemainingAsBytes();
        final PacketRecord r = new PacketRecord();
        r.set(bytes, 0, truncate ? bytes.length / 2 : bytes.length, bytes.length);
        r.linkType = linkType;
        final DropReason reason = new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD).decode(r);
        if (reason == null)
        {
            throw new AssertionError("every packet decodes or gets a reason");
        }
    }

    private static void decodeAs(final int linkType, final byte[] bytes)
    {
        final PacketRecord r = new PacketRecord();
        r.set(bytes, 0, bytes.length, bytes.length + (bytes.length > 0 ? bytes[0] & 0x3F : 0));
        r.linkType = linkType;
        if (new PacketDecoder(flowdemux.decode.ChecksumMode.OFFLOAD).decode(r) == null)
        {
            throw new AssertionError("every packet decodes or gets a reason");
        }
    }

    /** Ethernet II with VLAN tags, then IP and transport. */
    @FuzzTest(maxDuration = "30s")
    public void ethernet(final byte[] frame)
    {
        decodeAs(LinkType.ETHERNET, frame);
    }

    /** Linux cooked capture v1. */
    @FuzzTest(maxDuration = "30s")
    public void linuxSll(final byte[] frame)
    {
        decodeAs(LinkType.LINUX_SLL, frame);
    }

    /** Linux cooked capture v2. */
    @FuzzTest(maxDuration = "30s")
    public void linuxSll2(final byte[] frame)
    {
        decodeAs(LinkType.LINUX_SLL2, frame);
    }

    /** BSD loopback (NULL, either byte order). */
    @FuzzTest(maxDuration = "30s")
    public void loopback(final byte[] frame)
    {
        decodeAs(LinkType.NULL, frame);
    }

    /** IPv4 and its transports (LINKTYPE_IPV4). */
    @FuzzTest(maxDuration = "30s")
    public void ipv4(final byte[] datagram)
    {
        decodeAs(LinkType.IPV4, datagram);
    }

    /** IPv6, its extension chain and transports (LINKTYPE_IPV6). */
    @FuzzTest(maxDuration = "30s")
    public void ipv6(final byte[] datagram)
    {
        decodeAs(LinkType.IPV6, datagram);
    }

    /** The whole read path on arbitrary bytes: reader, decoders, fragments, connection tracking, the records. */
    @FuzzTest(maxDuration = "30s")
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
        final long frames = run.stats().framesInFlows + run.stats().undecodable() + run.stats().filteredOut;
        if (run.ioFault() != null || frames != run.stats().packets)
        {
            throw new AssertionError("every packet in a flow or counted: " + frames + " of " + run.stats().packets);
        }
        flows.flows().forEach(f -> f.history.length());
    }
}
