package flowdemux.conformance;

import flowdemux.Captures;
import flowdemux.Cli;
import flowdemux.decode.DecodedPacket;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures made here with known retransmissions, reordering, content gaps, zero windows and IP fragments, each with
 * the conn.log row Zeek writes for it, worked out from ZEEK-CONN.md (sections cited as "d.N"). The corpus has one
 * trace with a gap (retransmit-fast009) and none with these cases alone, so a refactor of the sequence-space, gap or
 * fragment code that breaks them fails here.
 *
 * <p>Every TCP case is a client 10.0.0.2:40000 and a server 10.0.0.80:80 with ISNs 1000 and 5000, 20-byte TCP headers
 * (40 IP bytes without data) and a handshake at 0, 10 and 20 ms. Common reasoning: SYN gives S, SYN-ACK h, the
 * client's first pure ACK A (d.5: S/H first SYN-class packet; A once per direction); both FINs then the final ACK
 * make SF (d.2: both endpoints CLOSED); the final ACK after both closed does not move duration (d.6: "last_time stops
 * advancing once both directions have closed"); orig_bytes = highest seq - ISN - 1 (SYN) - 1 (FIN) (d.9).
 */
class CraftedConnectionsTest
{
    private static final byte[] CLIENT = PacketBuilder.ipv4("10.0.0.2");
    private static final byte[] SERVER = PacketBuilder.ipv4("10.0.0.80");
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000_000_000L;

    /** Frames with their times, written to a pcap. */
    private static final class Capture
    {
        final List<long[]> times = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();

        Capture add(final long ms, final byte[] frame)
        {
            times.add(new long[] {ms});
            frames.add(frame);
            return this;
        }

        Capture tcp(final long ms, final boolean fromClient, final long seq, final long ack, final int flags,
            final int window, final int payload)
        {
            return add(ms, new PacketBuilder().tcp(fromClient ? CLIENT : SERVER, fromClient ? 40000 : 80,
                fromClient ? SERVER : CLIENT, fromClient ? 80 : 40000, seq, ack, flags, window, null, payload).copy());
        }

        Capture handshake()
        {
            return tcp(0, true, 1000, 0, DecodedPacket.SYN, 65535, 0)
                .tcp(10, false, 5000, 1001, DecodedPacket.SYN | DecodedPacket.ACK, 65535, 0)
                .tcp(20, true, 1001, 5001, DecodedPacket.ACK, 65535, 0);
        }

        Path write(final Path file) throws Exception
        {
            try (OutputStream os = Files.newOutputStream(file); PcapWriter w = new PcapWriter(os, 1, true))
            {
                for (int i = 0; i < frames.size(); i++)
                {
                    w.writeCaptured(T0 + times.get(i)[0] * MS, frames.get(i), 0, frames.get(i).length, frames.get(i).length);
                }
            }
            return file;
        }
    }

    private static final int ACK = DecodedPacket.ACK;
    private static final int DATA = DecodedPacket.ACK | DecodedPacket.PSH;
    private static final int FIN = DecodedPacket.ACK | DecodedPacket.FIN;

    /** The one conn.log row of a capture, by field name; read as Zeek verifies (checksums are right here). */
    private static Map<String, String> row(final Path pcap)
    {
        final Cli r = Cli.run("read", pcap.toString(), "--format", "zeek", "--checksums", "verify");
        assertEquals(0, r.exitCode, r.err);
        String[] fields = null;
        final List<Map<String, String>> rows = new ArrayList<>();
        for (final String line : r.out.split("\n"))
        {
            if (line.startsWith("#fields\t"))
            {
                fields = line.substring(8).split("\t");
            }
            else if (!line.startsWith("#"))
            {
                final String[] v = line.split("\t", -1);
                final Map<String, String> m = new HashMap<>();
                for (int i = 0; i < v.length; i++)
                {
                    m.put(fields[i], v[i]);
                }
                rows.add(m);
            }
        }
        assertEquals(1, rows.size(), r.out);
        return rows.get(0);
    }

    /** Checks the named fields: "history=ShADTaFf conn_state=SF ...". */
    private static void expect(final Map<String, String> row, final String expected)
    {
        for (final String pair : expected.split(" "))
        {
            final String[] kv = pair.split("=", 2);
            assertEquals(kv[1], row.get(kv[0]), kv[0] + " in " + row);
        }
    }

    /**
     * The client's only data segment (100 bytes at 30 ms) sent again at 40 ms. The copy ends at 1101, which does not
     * advance the highest sequence seen (1101): T (d.5: "delta_last <= 0"); D was already recorded. The server's ACK
     * is its first pure ACK (a); FIN F, FIN f. orig_bytes = 1102 - 1000 - 2 = 100. Packets: client SYN, ACK, data,
     * data, FIN, ACK = 6, IP bytes 40 + 40 + 140 + 140 + 40 + 40 = 440; server SYN-ACK, ACK, FIN = 3, 120 bytes.
     * duration 70 ms (the server's FIN; the last ACK comes after both closed).
     */
    @Test
    void aRetransmittedSegment(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = new Capture().handshake()
            .tcp(30, true, 1001, 5001, DATA, 65535, 100)
            .tcp(40, true, 1001, 5001, DATA, 65535, 100)
            .tcp(50, false, 5001, 1101, ACK, 65535, 0)
            .tcp(60, true, 1101, 5001, FIN, 65535, 0)
            .tcp(70, false, 5001, 1102, FIN, 65535, 0)
            .tcp(80, true, 1102, 5002, ACK, 65535, 0)
            .write(tmp.resolve("retransmit.pcap"));
        expect(row(pcap), "conn_state=SF history=ShADTaFf orig_bytes=100 resp_bytes=0 missed_bytes=0 orig_pkts=6 "
            + "orig_ip_bytes=440 resp_pkts=3 resp_ip_bytes=120 duration=0.070000");
    }

    /**
     * Ten copies of the data segment: T is logged at the 1st and again at the 10th (d.5: C, G, T and W are recorded
     * logarithmically: 1, 10, 100, ...). Eleven copies of a 100-byte segment: 15 client packets, 40 + 40 + 11 * 140 +
     * 40 + 40 = 1700 IP bytes.
     */
    @Test
    void retransmissionsAreLoggedAtTheFirstAndTenth(@TempDir final Path tmp) throws Exception
    {
        final Capture c = new Capture().handshake().tcp(30, true, 1001, 5001, DATA, 65535, 100);
        for (int i = 0; i < 10; i++)
        {
            c.tcp(31 + i, true, 1001, 5001, DATA, 65535, 100);
        }
        final Path pcap = c.tcp(50, false, 5001, 1101, ACK, 65535, 0)
            .tcp(60, true, 1101, 5001, FIN, 65535, 0)
            .tcp(70, false, 5001, 1102, FIN, 65535, 0)
            .tcp(80, true, 1102, 5002, ACK, 65535, 0)
            .write(tmp.resolve("retransmits.pcap"));
        expect(row(pcap), "conn_state=SF history=ShADTTaFf orig_bytes=100 orig_pkts=15 orig_ip_bytes=1700 "
            + "missed_bytes=0");
    }

    /**
     * The second segment (1101-1201) arrives before the first (1001-1101). The late one ends at 1101, below the
     * highest sequence seen (1201): T again, since Zeek counts out-of-order arrivals as retransmissions (d.5). All
     * bytes arrive before the server acknowledges 1201, so there is no gap. orig_bytes = 1202 - 1000 - 2 = 200.
     */
    @Test
    void segmentsOutOfOrder(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = new Capture().handshake()
            .tcp(30, true, 1101, 5001, DATA, 65535, 100)
            .tcp(35, true, 1001, 5001, DATA, 65535, 100)
            .tcp(50, false, 5001, 1201, ACK, 65535, 0)
            .tcp(60, true, 1201, 5001, FIN, 65535, 0)
            .tcp(70, false, 5001, 1202, FIN, 65535, 0)
            .tcp(80, true, 1202, 5002, ACK, 65535, 0)
            .write(tmp.resolve("reordered.pcap"));
        expect(row(pcap), "conn_state=SF history=ShADTaFf orig_bytes=200 missed_bytes=0 orig_pkts=6 orig_ip_bytes=440");
    }

    /**
     * Bytes 1101-1201 of the client's stream are never captured; the server acknowledges 1301. An ACK for data never
     * seen is a content gap in the client's stream: G (upper case: the originator's stream), after the server's a
     * of the same packet (its history letters come first, then the acknowledgement reaches the reassembler), and
     * missed_bytes 100 (d.5, d.6). Sequence space still covers the lost bytes: orig_bytes = 1302 - 1000 - 2 = 300.
     * The segment at 1201 advances the highest sequence (1301 > 1101): no T.
     */
    @Test
    void aContentGap(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = new Capture().handshake()
            .tcp(30, true, 1001, 5001, DATA, 65535, 100)
            .tcp(40, true, 1201, 5001, DATA, 65535, 100)
            .tcp(50, false, 5001, 1301, ACK, 65535, 0)
            .tcp(60, true, 1301, 5001, FIN, 65535, 0)
            .tcp(70, false, 5001, 1302, FIN, 65535, 0)
            .tcp(80, true, 1302, 5002, ACK, 65535, 0)
            .write(tmp.resolve("gap.pcap"));
        expect(row(pcap), "conn_state=SF history=ShADaGFf orig_bytes=300 missed_bytes=100 orig_pkts=6 "
            + "orig_ip_bytes=440 resp_pkts=3");
    }

    /**
     * The server answers the client's data with a window of 0, twice, then opens it again. W is logged for a zero
     * window on a packet without RST while the peer has not closed (d.5), logarithmically: the second zero window
     * adds nothing. Letters of the first zero-window packet: its a (first pure ACK), then w. resp_pkts: SYN-ACK, two
     * zero-window ACKs, the window update, FIN = 5.
     */
    @Test
    void aZeroWindow(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = new Capture().handshake()
            .tcp(30, true, 1001, 5001, DATA, 65535, 100)
            .tcp(40, false, 5001, 1101, ACK, 0, 0)
            .tcp(45, false, 5001, 1101, ACK, 0, 0)
            .tcp(50, false, 5001, 1101, ACK, 8192, 0)
            .tcp(60, true, 1101, 5001, FIN, 65535, 0)
            .tcp(70, false, 5001, 1102, FIN, 8192, 0)
            .tcp(80, true, 1102, 5002, ACK, 65535, 0)
            .write(tmp.resolve("zero-window.pcap"));
        expect(row(pcap), "conn_state=SF history=ShADawFf orig_bytes=100 resp_pkts=5 resp_ip_bytes=200 missed_bytes=0");
    }

    /** A UDP datagram (8-byte header and 1,000 bytes) from the client to port 53, to cut into fragments. */
    private static byte[] udpDatagram(final boolean v6)
    {
        final byte[] src = v6 ? PacketBuilder.ipv6(0x20010db8_00000000L, 2) : CLIENT;
        final byte[] dst = v6 ? PacketBuilder.ipv6(0x20010db8_00000000L, 0x53) : PacketBuilder.ipv4("10.0.0.53");
        return new PacketBuilder().udp(src, 40000, dst, 53, 1000).copy();
    }

    /** Fragments of 1,008 payload bytes: [0,400) [400,800) [800,1008), in the order given by {@code order}. */
    private static Path fragmented(final Path file, final boolean v6, final int... order) throws Exception
    {
        final byte[] whole = udpDatagram(v6);
        final int[][] pieces = {{0, 400, 1}, {400, 400, 1}, {800, 208, 0}};
        final Capture c = new Capture();
        int t = 0;
        for (final int i : order)
        {
            final int[] p = pieces[i];
            c.add(t++, v6 ? Captures.ipv6Fragment(whole, p[0], p[1], p[2] == 1)
                : Captures.ipv4Fragment(whole, p[0], p[1], p[2] == 1));
        }
        return c.write(file);
    }

    /**
     * Zeek reassembles fragments before accounting, so a connection counts one packet per datagram, with the
     * datagram's IP length (d.9, and the MANIFEST's note on gtp-outer-ip-frag: "*_pkts count datagrams, not
     * fragments"): IPv4 20 + 1008 = 1028 bytes; IPv6 40 + 1008 = 1048 (the fragment header is not part of the
     * reassembled datagram). UDP: D on the originator's first packet (d.5), S0 without a reply (d.2), orig_bytes =
     * payload = 1000 (d.9; set with duration 0 only when the duration is above 0 — one packet, so "-").
     * The order of the fragments does not matter, the first one last included.
     */
    @Test
    void fragmentedDatagramsCountOncePerDatagramInAnyOrder(@TempDir final Path tmp) throws Exception
    {
        for (final boolean v6 : new boolean[] {false, true})
        {
            final String bytes = v6 ? "1048" : "1028";
            for (final int[] order : new int[][] {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}})
            {
                final Path pcap = fragmented(tmp.resolve("frag-" + v6 + order[0] + order[1] + order[2] + ".pcap"), v6,
                    order);
                expect(row(pcap), "proto=udp conn_state=S0 history=D orig_pkts=1 orig_ip_bytes=" + bytes
                    + " resp_pkts=0 duration=- orig_bytes=-");
                final String text = Cli.run("read", pcap.toString()).out;
                assertTrue(text.contains("  in flows      3 packets in 1 connection\n"), text);
            }
        }
    }

    /**
     * Overlapping and duplicated fragments still make one datagram, once every byte is there; a datagram with a
     * hole never completes: its frames are counted as incomplete fragments and no connection comes of it. Bytes
     * counted naively (400 + 400 + 208 of a 1008-byte datagram) would call [0,400) [0,400) [800,1008) complete.
     */
    @Test
    void overlapsCompleteAndHolesDoNot(@TempDir final Path tmp) throws Exception
    {
        final byte[] whole = udpDatagram(false);
        final Path overlap = new Capture()
            .add(0, Captures.ipv4Fragment(whole, 0, 400, true))
            .add(1, Captures.ipv4Fragment(whole, 200, 400, true))
            .add(2, Captures.ipv4Fragment(whole, 400, 400, true))
            .add(3, Captures.ipv4Fragment(whole, 800, 208, false))
            .write(tmp.resolve("overlap.pcap"));
        expect(row(overlap), "conn_state=S0 history=D orig_pkts=1 orig_ip_bytes=1028");
        final Path hole = new Capture()
            .add(0, Captures.ipv4Fragment(whole, 0, 400, true))
            .add(1, Captures.ipv4Fragment(whole, 0, 400, true))
            .add(2, Captures.ipv4Fragment(whole, 800, 208, false))
            .write(tmp.resolve("hole.pcap"));
        final Cli r = Cli.run("read", hole.toString());
        assertTrue(r.out.contains("  in flows      0 packets in 0 connections\n"), r.out);
        assertTrue(r.out.contains("  undecodable   3 packets\n    IP fragment of a datagram that never completed 3"),
            r.out);
    }
}
