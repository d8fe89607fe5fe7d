package flowdemux.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The owners of local endpoints in the per-connection formats (a pcapng with the owners a capture keeps): CSV
 * columns, conn.log --zeek-extra columns and JSON lines objects, each found by its name; nothing for a capture
 * from elsewhere.
 */
class OwnerColumnsTest
{
    private static final List<String> COLUMNS = List.of("orig_pid", "orig_process", "orig_user", "orig_cgroup",
        "resp_pid", "resp_process", "resp_user", "resp_cgroup");

    @Test
    void csvConnLogAndJsonLinesNameTheSameOwners(@TempDir final Path tmp) throws Exception
    {
        final String capture = JsonReportTest.hostCapture(tmp).toString();
        final List<String> program = List.of("400", "dig", "alice", "/user.slice", "300", "dnsd", "root",
            "/system.slice/dnsd.service");
        final List<Map<String, String>> csv = table(Cli.run("read", capture, "--format", "csv").out, ",", false);
        assertEquals(program, pick(csv.get(0)));
        assertEquals(List.of("", "no access", "bob", "", "", "ended before lookup", "", ""), pick(csv.get(1)));
        final List<Map<String, String>> zeek = table(Cli.run("read", capture, "--format", "zeek", "--zeek-extra").out,
            "\t", true);
        assertEquals(program, pick(zeek.get(0)));
        assertEquals(List.of("-", "no access", "bob", "-", "-", "ended before lookup", "-", "-"), pick(zeek.get(1)));
        final String[] lines = Cli.run("read", capture, "--format", "jsonl").out.split("\n");
        final JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertEquals(400, first.get("orig_process").get("pid").asInt());
        assertEquals("listener", first.get("resp_process").get("via").asText(), first.toString());
        final JsonNode second = new ObjectMapper().readTree(lines[1]);
        assertEquals("no access", second.get("orig_process").get("state").asText());
        assertEquals("bob", second.get("orig_process").get("user").asText());

        // Merged with another capture, its packets are numbered anew: the kept owners are not applied, and it says so.
        final Cli merged = Cli.run("read", capture, "samples/three-tabs.pcap", "--format", "jsonl");
        assertEquals(0, merged.exitCode, merged.err);
        assertFalse(merged.out.contains("_process"), merged.out);
        assertTrue(merged.err.contains("read alone"), merged.err);

        // A capture from elsewhere: the columns are there, empty; the objects are not.
        final List<Map<String, String>> plain = table(Cli.run("read", "samples/three-tabs.pcap", "--format", "csv").out,
            ",", false);
        assertEquals(List.of("", "", "", "", "", "", "", ""), pick(plain.get(0)));
        assertFalse(Cli.run("read", "samples/three-tabs.pcap", "--format", "jsonl").out.contains("_process"));
    }

    private static List<String> pick(final Map<String, String> row)
    {
        final List<String> out = new ArrayList<>();
        for (final String c : COLUMNS)
        {
            out.add(row.getOrDefault(c, "missing " + c));
        }
        return out;
    }

    /** A line's fields; a CSV field in quotes keeps its commas. */
    private static String[] split(final String line, final String separator)
    {
        return separator.equals(",") ? line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", -1) : line.split(separator, -1);
    }

    /** Rows by column name; conn.log's names come from #fields. */
    private static List<Map<String, String>> table(final String text, final String separator, final boolean zeek)
    {
        String[] header = null;
        final List<Map<String, String>> rows = new ArrayList<>();
        for (final String line : text.split("\n"))
        {
            if (zeek && line.startsWith("#fields"))
            {
                header = line.substring("#fields\t".length()).split("\t", -1);
            }
            else if (zeek && line.startsWith("#") || line.isEmpty())
            {
                continue;
            }
            else if (header == null)
            {
                header = split(line, separator);
            }
            else
            {
                final String[] f = split(line, separator);
                final Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length && i < f.length; i++)
                {
                    row.put(header[i], f[i]);
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
