package flowdemux.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import flowdemux.Cli;
import flowdemux.report.CsvReport;
import flowdemux.report.ZeekConnLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest
{
    @Test
    void portNumberSaysServiceAndRange()
    {
        final Cli r = Cli.run("port", "443");
        assertEquals(0, r.exitCode);
        assertTrue(r.out.startsWith("443/tcp: HTTPS, well-known"), r.out);
        final Cli eph = Cli.run("port", "51234");
        assertTrue(eph.out.contains("ephemeral"), eph.out);
        assertTrue(eph.out.contains("32768-60999"), "Linux's range is named: " + eph.out);
    }

    @Test
    void serviceNameSaysItsPort()
    {
        final Cli r = Cli.run("port", "ssh");
        assertEquals(0, r.exitCode);
        assertEquals("22/tcp: SSH, well-known (service name ssh)", r.out.strip());
        assertEquals(List.of("3306/tcp: MySQL, registered (service name mysql)"),
            Cli.run("port", "MySQL").out.lines().collect(Collectors.toList()));
        assertEquals(1, Cli.run("port", "no-such-service-here").exitCode);
        // Aliases and IANA's names from the shipped table (the host's /etc/services may add more).
        assertTrue(Cli.run("port", "domain").out.startsWith("53/tcp: DNS"), Cli.run("port", "domain").out);
        assertTrue(Cli.run("port", "postgres").out.startsWith("5432/tcp: PostgreSQL"));
        final String udp443 = Cli.run("port", "443/udp").out;
        assertTrue(udp443.startsWith("443/udp: HTTPS, well-known") && !udp443.contains("443/tcp"), udp443);
    }

    @Test
    void badUsageExitsOneWithoutStackTrace()
    {
        for (final String[] args : new String[][] {
            {"read"}, {"read", "samples/three-tabs.pcap", "--format", "xml"}, {"read", "x", "--port", "70000"},
            {"read", "x", "--host", "not-an-address"}, {"port", "99999"}, {"frobnicate"}})
        {
            final Cli r = Cli.run(args);
            assertEquals(1, r.exitCode, String.join(" ", args) + ": " + r.err);
            assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
        }
    }

    @Test
    void missingFileExitsTwoWithOneLine()
    {
        final Cli r = Cli.run("read", "no/such/file.pcap");
        assertEquals(2, r.exitCode);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains("no/such/file.pcap"));
    }

    @Test
    void outputFileIsWrittenWholeAndOutputNamingTheInputIsRefused(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("conn.log");
        final Cli r = Cli.run("read", "samples/mixed.pcapng", "--format", "zeek", "-o", out.toString());
        assertEquals(0, r.exitCode, r.err);
        assertEquals("", r.out);
        final List<String> lines = Files.readAllLines(out);
        assertEquals("#fields\t" + ZeekConnLog.FIELDS, lines.get(6));
        assertTrue(lines.get(lines.size() - 1).startsWith("#close"));
        try (var s = Files.list(tmp))
        {
            assertEquals(List.of(out), s.collect(Collectors.toList()), "no temporary file left behind");
        }
        final Path copy = tmp.resolve("in.pcap");
        Files.copy(Path.of("samples/three-tabs.pcap"), copy);
        final Cli refused = Cli.run("read", copy.toString(), "-o", copy.toString());
        assertEquals(1, refused.exitCode);
        assertEquals(Files.size(Path.of("samples/three-tabs.pcap")), Files.size(copy), "input untouched");
    }

    @Test
    void aDashForTheOutputIsStandardOutputNotAFileNamedDash() throws Exception
    {
        final Path dash = Path.of("-");
        assertFalse(Files.exists(dash), "a file named - left in the working folder");
        final Cli toStdout = Cli.run("read", "samples/mixed.pcapng", "--format", "zeek");
        final Cli dashed = Cli.run("read", "samples/mixed.pcapng", "--format", "zeek", "-o", "-");
        try
        {
            assertEquals(0, dashed.exitCode, dashed.err);
            assertTrue(dashed.out.startsWith("#separator"), dashed.out);
            assertEquals(toStdout.out, dashed.out);
            assertFalse(Files.exists(dash), "-o - wrote a file named -");
        }
        finally
        {
            Files.deleteIfExists(dash);
        }
    }

    @Test
    void jsonIsOneParsableDocumentAndCsvHasOneRowPerFlow() throws Exception
    {
        final Cli json = Cli.run("read", "samples/mixed.pcapng", "--format", "json");
        assertEquals(0, json.exitCode);
        try (JsonParser p = new JsonFactory().createParser(json.out))
        {
            p.nextToken();
            p.skipChildren();
            assertEquals(null, p.nextToken(), "exactly one document");
        }
        assertTrue(json.out.contains("\"schema_version\" : 2"));
        final Cli csv = Cli.run("read", "samples/mixed.pcapng", "--format", "csv");
        final List<String> rows = csv.out.lines().collect(Collectors.toList());
        assertEquals(CsvReport.HEADER, rows.get(0));
        assertEquals(8 + 1, rows.size());
        final int columns = CsvReport.HEADER.split(",", -1).length;
        rows.forEach(row -> assertEquals(columns, row.split(",", -1).length, row));
    }

    @Test
    void portAndHostFiltersSelectPackets()
    {
        final Cli port = Cli.run("read", "samples/mixed.pcapng", "--format", "csv", "--port", "80");
        assertEquals(3, port.out.lines().count(), "header + two connections to port 80");
        final Cli host = Cli.run("read", "samples/mixed.pcapng", "--format", "csv", "--host", "2001:db8::80");
        assertEquals(2, host.out.lines().count(), host.out);
        assertTrue(host.out.contains("2001:db8::80,443"));
    }

    @Test
    void maxFlowsEvictsAndCountsButLosesNoFlow()
    {
        final Cli r = Cli.run("read", "samples/mixed.pcapng", "--format", "csv", "--max-flows", "2", "--workers", "1");
        assertEquals(0, r.exitCode);
        final List<String> rows = r.out.lines().skip(1).collect(Collectors.toList());
        assertEquals(8, rows.size(), "evicted connections are still reported");
        assertTrue(rows.stream().filter(row -> row.contains(",evicted,")).count() >= 6);
        final Cli text = Cli.run("read", "samples/mixed.pcapng", "--max-flows", "2", "--workers", "1");
        assertTrue(text.out.contains("--max-flows 2; 6 evicted"), text.out);
    }
}
