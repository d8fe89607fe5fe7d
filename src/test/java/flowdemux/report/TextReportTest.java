package flowdemux.report;

import flowdemux.Captures;
import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text report reads as a person expects it to. */
class TextReportTest
{
    @Test
    void oneIsSingularAndOtherProtocolsHaveNamesAndNumbers(@TempDir final Path tmp) throws Exception
    {
        final String text = Cli.run("read", Captures.otherProtocolCapture(tmp, 47).toString()).out;
        assertTrue(text.contains("  in flows      1 packet in 1 connection\n"), text);
        assertTrue(text.contains("  other IP by protocol: gre (47) 1\n"), text);
        assertTrue(text.contains("connections by state: gre (47) OTH 1"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("  10.9.0.1 ") && l.contains(" gre (47) ")), text);
        assertFalse(text.contains("1 packets") || text.contains("1 connections"), text);
        final String sctp = Cli.run("read", Captures.otherProtocolCapture(tmp, 132).toString()).out;
        assertTrue(sctp.contains("sctp (132) 1"), sctp);
    }

    @Test
    void icmpShowsTypeAndCodeNotPorts()
    {
        final String text = Cli.run("read", "samples/mixed.pcapng").out;
        assertTrue(text.lines().anyMatch(l -> l.startsWith("  10.0.0.2 type 8 ") && l.contains("10.0.0.1 type 0")),
            text);
        assertFalse(text.contains("10.0.0.2:8 "), text);
    }

    @Test
    void statesAndHistoryLettersShownAreExplained()
    {
        final String text = Cli.run("read", "samples/mixed.pcapng").out;
        assertTrue(text.contains("(STATE: OTH no SYN seen, midstream traffic; REJ attempt rejected; RSTR responder sent "
            + "a RST; S0 attempt, no reply; SF normal establishment and close)"), text);
        assertTrue(text.contains("(HISTORY, upper case from the originator, lower case from the responder: S SYN, "
            + "H SYN-ACK, A pure ACK, D data, F FIN, R RST)"), text);
    }

    /** SampleMaker's largest tab moved 6917 bytes; the histogram's bucket for it tops out at 6919. */
    @Test
    void aDistributionsMaxIsTheLargestValueItself()
    {
        final String text = Cli.run("read", "samples/three-tabs.pcap").out;
        final String row = text.lines().filter(l -> l.startsWith("  bytes per flow (IP)")).findFirst().orElseThrow();
        assertTrue(row.endsWith(" 6917 B"), row);
        assertFalse(row.contains("6919"), "no percentile above the max: " + row);
        assertTrue(text.contains("  192.168.1.5:51236") && text.lines().anyMatch(l -> l.contains(":51236")
            && l.contains(" 6917 B ")), text);
    }
}
