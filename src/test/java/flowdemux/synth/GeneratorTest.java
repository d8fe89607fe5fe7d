package flowdemux.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What generate says it wrote is what read finds, and the same seed writes the same bytes. */
class GeneratorTest
{
    @Test
    void readFindsWhatTheSummarySays(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("g.pcap");
        final Path summary = tmp.resolve("g.json");
        assertEquals(0, Cli.run("generate", "--flows", "3000", "--concurrency", "200", "--seed", "7", "-o",
            pcap.toString(), "--summary", summary.toString()).exitCode);
        final Map<String, Long> s = numbers(Files.readString(summary));
        final Cli csv = Cli.run("read", pcap.toString(), "--format", "csv", "--workers", "2");
        assertEquals(0, csv.exitCode, csv.err);
        final Map<String, Long> states = new HashMap<>();
        long packets = 0;
        long https = 0;
        for (final String row : csv.out.lines().skip(1).toArray(String[]::new))
        {
            final String[] f = row.split(",", -1);
            states.merge(f[6] + " " + f[18], 1L, Long::sum);
            packets += Long.parseLong(f[10]) + Long.parseLong(f[11]);
            if ("443".equals(f[5]))
            {
                https++;
            }
        }
        assertEquals(s.get("connections"), states.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(s.get("tcp_full"), states.get("tcp SF"));
        assertEquals(s.get("dns"), states.get("udp SF"));
        assertEquals(s.get("refused"), states.get("tcp REJ"));
        assertEquals(s.get("half_open"), states.get("tcp S0"));
        assertEquals(s.get("packets"), packets);
        assertEquals(s.get("443"), https);
    }

    @Test
    void sameSeedSameBytes(@TempDir final Path tmp) throws Exception
    {
        for (final String name : new String[] {"a.pcapng", "b.pcapng"})
        {
            Cli.run("generate", "--flows", "500", "--seed", "3", "--pcapng", "-o", tmp.resolve(name).toString(),
                "--summary", tmp.resolve(name + ".json").toString());
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.pcapng")), Files.readAllBytes(tmp.resolve("b.pcapng")));
    }

    private static Map<String, Long> numbers(final String json) throws Exception
    {
        final Map<String, Long> m = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json))
        {
            while (p.nextToken() != null)
            {
                if (p.currentToken() == JsonToken.VALUE_NUMBER_INT)
                {
                    m.put(p.currentName(), p.getLongValue());
                }
            }
        }
        return m;
    }
}
