package flowdemux;

import flowdemux.synth.SampleMaker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed samples come from the sample maker, and their committed reports are what read prints today. */
class SamplesTest
{
    @Test
    void samplesAreWhatTheSampleMakerWrites(@TempDir final Path tmp) throws Exception
    {
        SampleMaker.main(new String[] {tmp.toString()});
        for (final String name : new String[] {"three-tabs.pcap", "mixed.pcapng"})
        {
            assertArrayEquals(Files.readAllBytes(Path.of("samples", name)), Files.readAllBytes(tmp.resolve(name)),
                name + " differs from what scripts/make-samples.sh writes");
        }
    }

    @Test
    void threeTabsReportMatchesItsExpectedReport() throws Exception
    {
        final Cli r = Cli.run("read", "samples/three-tabs.pcap");
        assertEquals(0, r.exitCode, r.err);
        assertEquals(Files.readString(Path.of("samples/three-tabs.txt")), r.out);
    }

    @Test
    void mixedReportMatchesItsExpectedReport() throws Exception
    {
        final Cli r = Cli.run("read", "samples/mixed.pcapng");
        assertEquals(0, r.exitCode, r.err);
        assertEquals(Files.readString(Path.of("samples/mixed.txt")), r.out);
    }

    /** The issue's definition of done, said as a user would check it. */
    @Test
    void threeTabsShowsOneServerSocketWithThreeConnectionsFromEphemeralPorts()
    {
        final String out = Cli.run("read", "samples/three-tabs.pcap").out;
        final String servers = out.substring(out.indexOf("Servers"), out.indexOf("Services"));
        assertEquals(1, servers.lines().filter(l -> l.startsWith("  ") && !l.startsWith("      ")).count(), servers);
        assertTrue(servers.contains("93.184.216.34:443 tcp (HTTPS, well-known)  listening: 3 connections from 1 client"),
            servers);
        assertTrue(servers.contains("client 192.168.1.5"), servers);
        assertTrue(servers.contains("3 connections, source ports 51234-51236 (ephemeral)"), servers);
    }

    @Test
    void mixedHasEveryOutcomeItWasMadeFor()
    {
        final String zeek = Cli.run("read", "samples/mixed.pcapng", "--format", "zeek").out;
        assertTrue(zeek.contains("\t10.0.0.53\t53\tudp\t"), "DNS over UDP");
        assertTrue(zeek.matches("(?s).*\t40002\t10\\.0\\.0\\.80\t8080\ttcp\t.*\tREJ\t.*"), "refused");
        assertTrue(zeek.matches("(?s).*\t40003\t10\\.0\\.0\\.80\t80\ttcp\t.*\tRSTR\t.*"), "reset");
        assertTrue(zeek.matches("(?s).*\t40004\t10\\.0\\.0\\.99\t3306\ttcp\t.*\tS0\t.*"), "unanswered SYN");
        assertTrue(zeek.matches("(?s).*\t2001:db8::2\t40005\t2001:db8::80\t443\ttcp\t.*\tSF\t.*"), "IPv6");
        assertTrue(zeek.matches("(?s).*\t10\\.0\\.0\\.2\t8\t10\\.0\\.0\\.1\t0\ticmp\t.*"), "ICMP echo keyed 8 -> 0");
    }

    /** conn.log rows by originator port (ICMP: by type), as maps of field to value. */
    private static java.util.Map<String, java.util.Map<String, String>> rows(final String pcap)
    {
        final String log = Cli.run("read", pcap, "--format", "zeek", "--zeek-extra").out;
        String[] fields = null;
        final java.util.Map<String, java.util.Map<String, String>> out = new java.util.TreeMap<>();
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#fields\t"))
            {
                fields = line.substring(8).split("\t");
            }
            else if (!line.startsWith("#"))
            {
                final String[] v = line.split("\t", -1);
                final java.util.Map<String, String> m = new java.util.HashMap<>();
                for (int i = 0; i < v.length; i++)
                {
                    m.put(fields[i], v[i]);
                }
                out.put(m.get("id.orig_p"), m);
            }
        }
        return out;
    }

    /** IP length of a packet as SampleMaker builds it (so the expected bytes come from the builder, not the reader). */
    private static int ipLength(final flowdemux.synth.PacketBuilder b)
    {
        return ((b.frame()[16] & 0xFF) << 8) | (b.frame()[17] & 0xFF);
    }

    /**
     * What SampleMaker.threeTabs writes, read from how it writes it, not from a report: tab i (0, 1, 2) opens at
     * 2i ms from 51234 + i, the SYN-ACK comes at 20 + 3i ms (RTT 20 + i ms), the client sends 517 bytes and the
     * server 4000 + 1000i, the client's FIN at 1000 + 10i ms is answered 20 ms later (so the duration, which stops
     * when both sides have closed, is 1020 + 8i ms), and the client's last ACK comes 20 ms after that. Client:
     * SYN (with MSS and window-scale options), ACK, data, ACK, FIN, ACK; server: SYN-ACK, data, FIN.
     * Re-running scripts/make-samples.sh cannot bless a regression of these.
     */
    @Test
    void threeTabsIsWhatTheSampleMakerBuilt()
    {
        final byte[] client = flowdemux.synth.PacketBuilder.ipv4("192.168.1.5");
        final byte[] server = flowdemux.synth.PacketBuilder.ipv4("93.184.216.34");
        final flowdemux.synth.PacketBuilder b = new flowdemux.synth.PacketBuilder();
        final int syn = ipLength(b.tcp(client, 1, server, 443, 0, 0, 2, 0, flowdemux.synth.PacketBuilder.synOptions(1460, 7), 0));
        final int synAck = ipLength(b.tcp(server, 443, client, 1, 0, 0, 18, 0, flowdemux.synth.PacketBuilder.synOptions(1440, 9), 0));
        final java.util.Map<String, java.util.Map<String, String>> rows = rows("samples/three-tabs.pcap");
        assertEquals(java.util.Set.of("51234", "51235", "51236"), rows.keySet());
        for (int i = 0; i < 3; i++)
        {
            final java.util.Map<String, String> r = rows.get(String.valueOf(51234 + i));
            assertEquals("192.168.1.5", r.get("id.orig_h"));
            assertEquals("93.184.216.34", r.get("id.resp_h"));
            assertEquals("443", r.get("id.resp_p"));
            assertEquals("SF", r.get("conn_state"));
            assertEquals("ShADdFf", r.get("history"));
            assertEquals(String.valueOf(1_709_294_400_000_000_000L + i * 2_000_000L), r.get("ts_ns"));
            assertEquals(String.valueOf((1020 + 8 * i) * 1_000_000L), r.get("duration_ns"));
            assertEquals(String.format(java.util.Locale.ROOT, "%.6f", (20 + i) / 1000.0), r.get("rtt_syn_synack"));
            assertEquals("517", r.get("orig_bytes"));
            assertEquals(String.valueOf(4000 + 1000 * i), r.get("resp_bytes"));
            assertEquals("6", r.get("orig_pkts"));
            assertEquals("3", r.get("resp_pkts"));
            assertEquals(String.valueOf(syn + 40 + (40 + 517) + 40 + 40 + 40), r.get("orig_ip_bytes"));
            assertEquals(String.valueOf(synAck + (40 + 4000 + 1000 * i) + 40), r.get("resp_ip_bytes"));
            assertEquals("1460", r.get("orig_mss"));
            assertEquals("9", r.get("resp_wscale"));
        }
    }

    /**
     * What SampleMaker.mixed writes: one connection of each kind, with the sizes and round trips it gives them.
     * HTTP (40000): handshake RTT 1 ms, 120 bytes up, 1200 down. SSH (40001): RTT 2 ms, the client sends 48 and 80
     * bytes, the server 64 and 96. Refused (40002): SYN answered by RST-ACK. Reset (40003): 64 bytes up, then the
     * server's RST. Unanswered (40004): one SYN. IPv6 (40005): RTT 3.000456 ms, 300 up, 2500 down. DNS (53001):
     * 33 bytes up, 49 down. ICMP echo request (type 8) answered by a reply (type 0).
     */
    @Test
    void mixedIsWhatTheSampleMakerBuilt()
    {
        final java.util.Map<String, java.util.Map<String, String>> rows = rows("samples/mixed.pcapng");
        assertEquals(java.util.Set.of("40000", "40001", "40002", "40003", "40004", "40005", "53001", "8"), rows.keySet());
        final String[][] expected = {
            // port, state, history, orig_bytes, resp_bytes, RTT
            {"40000", "SF", "ShADdFf", "120", "1200", "0.001000"},
            {"40001", "SF", "ShADdFf", "128", "160", "0.002000"},
            {"40002", "REJ", "Sr", "0", "0", "-"},
            {"40003", "RSTR", "ShADr", "64", "0", "0.001000"},
            {"40004", "S0", "S", "-", "-", "-"},
            {"40005", "SF", "ShADdFf", "300", "2500", "0.003000"},
            {"53001", "SF", "Dd", "33", "49", "-"},
        };
        for (final String[] e : expected)
        {
            final java.util.Map<String, String> r = rows.get(e[0]);
            assertEquals(e[1], r.get("conn_state"), e[0]);
            assertEquals(e[2], r.get("history"), e[0]);
            assertEquals(e[3], r.get("orig_bytes"), e[0]);
            assertEquals(e[4], r.get("resp_bytes"), e[0]);
            assertEquals(e[5], r.get("rtt_syn_synack"), e[0]);
        }
        assertEquals("icmp", rows.get("8").get("proto"));
        assertEquals("0", rows.get("8").get("id.resp_p"));
        assertEquals("1", rows.get("8").get("orig_pkts"));
        assertEquals("1", rows.get("8").get("resp_pkts"));
        assertEquals("2001:db8::80", rows.get("40005").get("id.resp_h"));
    }
}
