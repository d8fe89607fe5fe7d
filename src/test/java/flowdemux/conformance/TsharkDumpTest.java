package flowdemux.conformance;

import flowdemux.Captures;
import flowdemux.Captures.Decoded;
import flowdemux.Corpus;
import flowdemux.decode.DecodedPacket;
import flowdemux.decode.DropReason;
import flowdemux.util.Addresses;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our decoder against Wireshark's per-packet dumps ({@code *.tshark.tsv} in the corpus): on every packet that
 * tshark decodes as IP, the outermost addresses, protocol, ports, ICMP type/code, TCP flags and TCP length agree,
 * and the capture has the same number of packets with the same timestamps.
 */
class TsharkDumpTest
{
    /**
     * IP packets both decode, pinned: a packet that silently leaves the comparison fails the test. 4818 since MPLS
     * labels are read (the packets of MPLS captures joined) and IPv6 without a next header, which tshark decodes and
     * flowdemux makes no connection of, left; 4821 since 802.11 data frames are read (radiotap's three joined).
     */
    private static final int COMPARED_PACKETS = 4821;

    @Test
    void decoderAgreesWithTsharkDumps() throws Exception
    {
        int files = 0;
        int compared = 0;
        int routed = 0;
        final List<String> mismatches = new ArrayList<>();
        for (final Path file : Corpus.captures())
        {
            final Path tsv = Path.of(file + ".tshark.tsv");
            if (!Files.exists(tsv))
            {
                continue;
            }
            final List<String> lines = Files.readAllLines(tsv);
            final String[] header = lines.get(0).split("\t", -1);
            final Map<String, Integer> col = new HashMap<>();
            for (int i = 0; i < header.length; i++)
            {
                col.put(header[i], i);
            }
            final List<Decoded> ours;
            try
            {
                ours = Captures.decodeAll(file);
            }
            catch (flowdemux.source.CaptureFormatException e)
            {
                // libpcap rejects these; tshark may still read them (pcap version 2.5): not a decoder question. Any
                // other file that stops opening is a failure, not a smaller comparison.
                if (!Corpus.rejected().contains(Corpus.name(file)))
                {
                    mismatches.add(Corpus.name(file) + ": cannot be read: " + e.getMessage());
                }
                continue;
            }
            files++;
            final String name = Corpus.name(file);
            // tshark lists pcapng blocks that are not packets (custom blocks) as frames of protocol PCAPNG.
            lines.removeIf(l -> l.contains("\tPCAPNG\t") && l.split("\t", -1)[col.get("frame.interface_id")].isEmpty()
                && !l.startsWith("frame.number"));
            final Path tcpdumpOut = Path.of(file.toString().replaceAll("\\.pcap(ng)?$", ".out"));
            final List<String> tcpdumpLines = Files.exists(tcpdumpOut) ? Files.readAllLines(tcpdumpOut) : List.of();
            if (ours.size() != lines.size() - 1)
            {
                mismatches.add(name + ": tshark has " + (lines.size() - 1) + " packets, we read " + ours.size());
                continue;
            }
            for (int i = 1; i < lines.size(); i++)
            {
                final String[] f = lines.get(i).split("\t", -1);
                final Decoded d = ours.get(i - 1);
                final String where = name + " packet " + i + ": ";
                final String epoch = f[col.get("frame.time_epoch")];
                if (!epoch.isEmpty())
                {
                    // Simple packet blocks carry no timestamp: tshark leaves it empty.
                    check(mismatches, where + "timestamp", seconds(epoch), d.timestampNanos / 1000);
                }
                final String ip4 = first(f[col.get("ip.src")]);
                final String ip6 = first(f[col.get("ipv6.src")]);
                if (ip4.isEmpty() && ip6.isEmpty())
                {
                    continue;
                }
                // tshark lists an outer IPv4 before an inner IPv6 (and vice versa) in separate columns: the outer
                // one is the one whose version the frame's link layer announced; use ours to pick it.
                final boolean v4 = d.ipVersion == 4 ? !ip4.isEmpty() : ip6.isEmpty();
                compared++;
                if (d.reason != DropReason.NONE)
                {
                    if (d.reason == DropReason.UNSUPPORTED_LINK_TYPE || d.reason == DropReason.UNSUPPORTED_ENCAPSULATION
                        || d.reason == DropReason.IPV6_NO_NEXT_HEADER)
                    {
                        // IPv6 without a next header decodes in tshark; like Zeek, flowdemux makes no connection of it.
                        // An MPLS pseudowire; IPv6 without a next header.
                        compared--;
                        continue;
                    }
                    if (!"".equals(f[col.get("_ws.malformed")]) || tsharkTruncated(f, col)
                        || tcpdumpCallsInvalid(tcpdumpLines, i))
                    {
                        compared--; // tshark flags it malformed, or tcpdump's expected output calls it invalid
                        continue;
                    }
                    mismatches.add(where + "tshark decodes IP, we dropped it: " + d.reason);
                    continue;
                }
                final String src = v4 ? ip4 : ip6;
                final String dst = first(f[col.get(v4 ? "ip.dst" : "ipv6.dst")]);
                check(mismatches, where + "source", canonical(src), Addresses.format(d.srcHi, d.srcLo));
                if (!v4 && "43".equals(first(f[col.get("ipv6.nxt")])))
                {
                    // A routing header: the dump has the header's destination only, flowdemux keys on the final one
                    // (RFC 8200 8.1, as Zeek); Pcap4jOracleTest checks that against pcap4j's parse of the header.
                    routed++;
                }
                else
                {
                    check(mismatches, where + "destination", canonical(dst), Addresses.format(d.dstHi, d.dstLo));
                }
                if (v4)
                {
                    check(mismatches, where + "protocol", Integer.parseInt(first(f[col.get("ip.proto")])), d.protocol);
                }
                if (d.laterFragment)
                {
                    continue;
                }
                switch (d.protocol)
                {
                    case DecodedPacket.PROTO_TCP:
                        check(mismatches, where + "TCP ports", first(f[col.get("tcp.srcport")]) + ">"
                            + first(f[col.get("tcp.dstport")]), d.srcPort + ">" + d.dstPort);
                        check(mismatches, where + "TCP flags", Integer.decode(first(f[col.get("tcp.flags")])) & 0xFF,
                            d.tcpFlags);
                        check(mismatches, where + "TCP length", Integer.parseInt(first(f[col.get("tcp.len")])),
                            d.payloadLength);
                        break;
                    case DecodedPacket.PROTO_UDP:
                        check(mismatches, where + "UDP ports", first(f[col.get("udp.srcport")]) + ">"
                            + first(f[col.get("udp.dstport")]), d.srcPort + ">" + d.dstPort);
                        break;
                    case DecodedPacket.PROTO_ICMP:
                        check(mismatches, where + "ICMP type/code", first(f[col.get("icmp.type")]) + "/"
                            + first(f[col.get("icmp.code")]), d.icmpType + "/" + d.icmpCode);
                        break;
                    case DecodedPacket.PROTO_ICMPV6:
                        check(mismatches, where + "ICMPv6 type/code", first(f[col.get("icmpv6.type")]) + "/"
                            + first(f[col.get("icmpv6.code")]), d.icmpType + "/" + d.icmpCode);
                        break;
                    default:
                        break;
                }
            }
        }
        System.out.printf("tshark dumps: %d files, %d IP packets compared (%d with a routing header: destination not "
            + "compared), %d mismatches%n", files, compared, routed, mismatches.size());
        mismatches.stream().limit(40).forEach(m -> System.out.println("  " + m));
        assertEquals(List.of(), mismatches);
        // Every dump of a file that reads, and every IP packet in them that tshark and we both decode.
        final long dumps = Corpus.captures().stream().filter(f -> Files.exists(Path.of(f + ".tshark.tsv"))
            && !Corpus.rejected().contains(Corpus.name(f))).count();
        assertEquals(dumps, files, "dumps compared");
        assertEquals(COMPARED_PACKETS, compared, "IP packets compared (a change here means a packet left the "
            + "comparison or joined it: say why, then update)");
    }

    /** tcpdump's expected output ("-#" numbered lines) says the packet is invalid or truncated. */
    static boolean tcpdumpCallsInvalid(final List<String> lines, final int packet)
    {
        final String prefix = String.format("%5d  ", packet);
        for (final String line : lines)
        {
            if (line.startsWith(prefix))
            {
                return line.contains("(invalid)") || line.contains("truncated-ip");
            }
        }
        return false;
    }

    static boolean tsharkTruncated(final String[] f, final Map<String, Integer> col)
    {
        final String capLen = f[col.get("frame.cap_len")];
        final String ipLen = first(f[col.get("ip.len")]);
        return !ipLen.isEmpty() && Integer.parseInt(ipLen) > Integer.parseInt(capLen);
    }

    private static String first(final String field)
    {
        final int comma = field.indexOf(',');
        return comma < 0 ? field : field.substring(0, comma);
    }

    private static String canonical(final String address)
    {
        final long[] a = Addresses.parse(address);
        return a == null ? address : Addresses.format(a[0], a[1]);
    }

    /** "1324071333.493287000" -> microseconds. */
    private static long seconds(final String epoch)
    {
        final int dot = epoch.indexOf('.');
        final long s = Long.parseLong(epoch.substring(0, dot));
        final String frac = (epoch.substring(dot + 1) + "000000000").substring(0, 6);
        return s * 1_000_000L + Long.parseLong(frac);
    }

    private static void check(final List<String> mismatches, final String what, final Object expected, final Object actual)
    {
        if (!expected.equals(actual))
        {
            mismatches.add(what + ": tshark " + expected + ", flowdemux " + actual);
        }
    }
}
