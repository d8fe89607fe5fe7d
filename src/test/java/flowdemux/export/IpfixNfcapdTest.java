package flowdemux.export;

import flowdemux.Corpus;
import flowdemux.Nfcapd;
import flowdemux.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPFIX export checked by a real collector, Debian's nfcapd (nfdump 1.7), on a loopback port: a generated capture
 * (IPv4 and IPv6, TCP and UDP) and two corpus captures of ICMPv4 and ICMPv6 read with {@code --ipfix}; every
 * connection of the conn.log written in the same run is in nfdump's output once, with the same 5-tuple, packets and
 * IP bytes each way, and start and end within a millisecond; nothing else is. And a collector that is not listening:
 * the read still writes its report, says what was dropped and exits 3.
 */
class IpfixNfcapdTest
{
    @Test
    void nfcapdReceivesEveryConnectionOnce(@TempDir final Path tmp) throws Exception
    {
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, run("generate", "--flows", "3000", "--concurrency", "300", "--ipv6", "30", "-o",
            generated.toString(), "--summary", tmp.resolve("gen.json").toString()).exit);
        final Path icmp4 = Corpus.root().resolve("zeek/communityid-icmp.pcap");
        final Path icmp6 = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        Assumptions.assumeTrue(Files.exists(icmp4) && Files.exists(icmp6) || Boolean.getBoolean(
            "flowdemux.requireCorpus"), "corpus not found");

        final Result read;
        final TreeMap<String, Integer> exported;
        try (Nfcapd collector = Nfcapd.start(tmp.resolve("nfcapd")))
        {
            read = run("read", generated.toString(), icmp4.toString(), icmp6.toString(), "--ipfix",
                "127.0.0.1:" + collector.port, "--format", "zeek", "-o", tmp.resolve("conn.log").toString());
            Thread.sleep(500);
            exported = collector.stopAndRead();
        }
        assertEquals(0, read.exit, read.err);
        assertTrue(read.err.contains(" 0 dropped"), read.err);

        final TreeMap<String, Integer> expected = Nfcapd.fromConnLog(Files.readString(tmp.resolve("conn.log")));
        final int same = Nfcapd.matching(expected, exported);
        final int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("IPFIX to nfcapd: %d of %d connections match nfdump's records (%d records)%n", same, total,
            exported.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(total > 3000, "the generated connections and the ICMP ones: " + total);
        assertEquals(expected, exported, "conn.log = nfdump");
    }

    @Test
    void aCollectorThatIsNotListeningIsReportedAndTheReportIsStillWritten(@TempDir final Path tmp) throws Exception
    {
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, run("generate", "--flows", "200", "-o", generated.toString(), "--summary",
            tmp.resolve("gen.json").toString()).exit);
        final int port = Nfcapd.freeUdpPort();
        final Result read = run("read", generated.toString(), "--ipfix", "127.0.0.1:" + port, "--format", "zeek",
            "-o", tmp.resolve("conn.log").toString());
        assertEquals(Main.EXIT_EXPORT, read.exit, read.err);
        assertEquals(200, Files.readAllLines(tmp.resolve("conn.log")).stream().filter(l -> !l.startsWith("#"))
            .count(), "the report is complete");
        // The first message is refused by ICMP port unreachable only after it left: sent + dropped = all.
        final var m = java.util.regex.Pattern.compile("([\\d,]+) records sent in [\\d,]+ messages, ([\\d,]+) dropped")
            .matcher(read.err);
        assertTrue(m.find(), read.err);
        final long sent = Long.parseLong(m.group(1).replace(",", ""));
        final long dropped = Long.parseLong(m.group(2).replace(",", ""));
        assertEquals(200, sent + dropped, read.err);
        assertTrue(dropped > 0, read.err);

        final Result unresolvable = run("read", generated.toString(), "--ipfix", "no-such-host.invalid:4739");
        assertEquals(Main.EXIT_INPUT, unresolvable.exit);
        assertEquals("flowdemux: cannot resolve the IPFIX collector no-such-host.invalid", unresolvable.err.trim());
        final Result badTarget = run("read", generated.toString(), "--ipfix", "127.0.0.1:99999");
        assertEquals(Main.EXIT_USAGE, badTarget.exit);
        assertTrue(badTarget.err.contains("the port must be 1 to 65535"), badTarget.err);
    }

    private record Result(int exit, String out, String err)
    {
    }

    private static Result run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
