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

    /** The definition of done, said as a user would check it. */
    @Test
    void threeTabsShowsOneServerSocketWithThreeConnectionsFromEphemeralPorts()
    {
        final String out = Cli.run("read", "samples/three-tabs.pcap").out;
        final String servers = out.substring(out.indexOf("Servers"), out.indexOf("Top "));
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
}
