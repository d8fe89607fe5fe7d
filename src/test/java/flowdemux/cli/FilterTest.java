package flowdemux.cli;

import flowdemux.Cli;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --port, --host and -f on samples/mixed.pcapng, whose connections SampleMaker wrote: HTTP to 10.0.0.80:80 (two),
 * SSH to 10.0.0.22:22, DNS to 10.0.0.53:53/udp, a refused 8080, an unanswered 3306, HTTPS over IPv6 to
 * [2001:db8::80]:443, and an ICMP echo.
 */
class FilterTest
{
    private static final String MIXED = "samples/mixed.pcapng";

    private static List<String> responders(final String... args)
    {
        final Cli r = Cli.run(args);
        assertEquals(0, r.exitCode, r.err);
        return r.out.lines().filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[4] + ":" + l.split("\t")[5])
            .sorted().collect(Collectors.toList());
    }

    private static long filteredOut(final String... args)
    {
        final String text = Cli.run(args).out;
        final String line = text.lines().filter(l -> l.startsWith("  filtered out")).findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll("^  filtered out +([0-9,]+) .*$", "$1").replace(",", ""));
    }

    @Test
    void portsTakeListsAndServiceNames()
    {
        assertEquals(List.of("10.0.0.53:53", "2001:db8::80:443"),
            responders("read", MIXED, "--format", "zeek", "--port", "https,domain"));
        assertEquals(List.of("10.0.0.22:22", "10.0.0.80:80", "10.0.0.80:80"),
            responders("read", MIXED, "--format", "zeek", "--port", "80,ssh"));
    }

    @Test
    void hostsTakeAddressesAndPrefixes()
    {
        assertEquals(List.of("2001:db8::80:443"), responders("read", MIXED, "--format", "zeek", "--host", "2001:db8::/32"));
        assertEquals(List.of("10.0.0.80:80", "10.0.0.80:80", "10.0.0.80:8080"),
            responders("read", MIXED, "--format", "zeek", "--host", "10.0.0.80"));
        assertEquals(8, responders("read", MIXED, "--format", "zeek", "--host", "10.0.0.0/24,2001:db8::80").size());
    }

    @Test
    void badFilterValuesNameTheirOption()
    {
        for (final String[] args : new String[][] {{"--port", "70000"}, {"--port", "no-such-service"},
            {"--host", "10.0.0.0/33"}, {"--host", "300.1.1.1"}})
        {
            final Cli r = Cli.run("read", MIXED, args[0], args[1]);
            assertEquals(1, r.exitCode, Arrays.toString(args));
            assertTrue(r.err.startsWith("flowdemux: " + args[0] + ": "), r.err);
        }
        final Cli nets = Cli.run("read", MIXED, "--local-nets", "10.0.0.0/33");
        assertEquals(1, nets.exitCode);
        assertTrue(nets.err.startsWith("flowdemux: --local-nets: '10.0.0.0/33': the prefix length must be 0-32"), nets.err);
    }

    /** libpcap's compiler and the port filter, two ways to the same packets. */
    @Test
    void aBpfFilterSelectsWhatItsExpressionSays()
    {
        flowdemux.LibpcapRequirement.require();
        assertEquals(List.of("2001:db8::80:443"), responders("read", MIXED, "--format", "zeek", "-f", "tcp port 443"));
        assertEquals(filteredOut("read", MIXED, "--port", "80"), filteredOut("read", MIXED, "-f", "port 80"));
        assertEquals(filteredOut("read", MIXED, "--host", "2001:db8::/32"), filteredOut("read", MIXED, "-f", "ip6"));
        assertEquals(List.of("10.0.0.53:53"), responders("read", MIXED, "--format", "zeek", "-f", "udp and dst port 53"));
        final Cli syn = Cli.run("read", MIXED, "-f", "tcp[tcpflags] & tcp-syn != 0 and not tcp[tcpflags] & tcp-ack != 0");
        // Five IPv4 SYNs: libpcap's tcp[] reads IPv4 headers only, so the IPv6 connection's SYN is left out.
        assertTrue(syn.out.contains("  in flows      5 packets in 5 connections"), syn.out);
        final Cli bad = Cli.run("read", MIXED, "-f", "tcp prt 80");
        assertEquals(1, bad.exitCode);
        assertEquals(2, bad.err.lines().count(), bad.err);
        assertTrue(bad.err.startsWith("flowdemux: -f: libpcap cannot compile 'tcp prt 80': "), bad.err);
    }

    /** An IPv4 datagram in two fragments: only the first has ports, so --port must wait for the whole datagram. */
    @Test
    void portFiltersApplyAfterFragmentReassembly(@TempDir final Path tmp) throws Exception
    {
        final byte[] whole = new PacketBuilder().udp(PacketBuilder.ipv4("10.0.0.2"), 40000, PacketBuilder.ipv4("10.0.0.53"),
            53, 100).copy();
        final int payload = 108; // UDP header and 100 bytes
        final byte[] first = flowdemux.Captures.ipv4Fragment(whole, 0, 48, true);
        final byte[] second = flowdemux.Captures.ipv4Fragment(whole, 48, payload - 48, false);
        final Path pcap = tmp.resolve("fragments.pcap");
        try (OutputStream os = Files.newOutputStream(pcap); PcapWriter w = new PcapWriter(os, 1, false))
        {
            w.writeCaptured(1_000_000_000L, first, 0, first.length, first.length);
            w.writeCaptured(1_000_001_000L, second, 0, second.length, second.length);
        }
        final Cli r = Cli.run("read", pcap.toString(), "--port", "53", "--format", "zeek");
        assertEquals(0, r.exitCode, r.err);
        final List<String> rows = r.out.lines().filter(l -> !l.startsWith("#")).collect(Collectors.toList());
        assertEquals(1, rows.size(), r.out);
        assertEquals("1", rows.get(0).split("\t")[16], "one datagram from the client: " + rows.get(0));
        assertEquals("128", rows.get(0).split("\t")[17], "its IP bytes: 20 + 108");
        final String text = Cli.run("read", pcap.toString(), "--port", "53").out;
        assertTrue(text.contains("in flows      2 packets in 1 connection\n"), text);
        assertTrue(text.contains("filtered out  0 packets"), text);
        assertFalse(text.contains("never completed"), text);
    }
}
