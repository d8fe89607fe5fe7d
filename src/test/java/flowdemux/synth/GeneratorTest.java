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
            states.merge(f[6] + " " + f[21], 1L, Long::sum);
            packets += Long.parseLong(f[13]) + Long.parseLong(f[14]);
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

    @Test
    void anAbsurdFlowCountIsRefusedBeforeWriting(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("huge.pcap");
        final Cli tooMany = Cli.run("generate", "--flows", "1e12", "-o", out.toString());
        assertEquals(1, tooMany.exitCode);
        org.junit.jupiter.api.Assertions.assertTrue(tooMany.err.startsWith("flowdemux: --flows must be 1 to"), tooMany.err);
        // Within the limit but beyond the disk: one line with both sizes, nothing written.
        final Cli noRoom = Cli.run("generate", "--flows", "9e8", "-o", out.toString());
        assertEquals(2, noRoom.exitCode, noRoom.err);
        org.junit.jupiter.api.Assertions.assertTrue(noRoom.err.matches("flowdemux: --flows 900,000,000 would write "
            + "about [0-9.]+ GB; .* has [0-9.]+ GB free\\s*"), noRoom.err);
        try (var files = Files.list(tmp))
        {
            assertEquals(0, files.count(), "nothing written");
        }
    }

    /** Killed while writing (SIGTERM, as Ctrl-C), generate leaves neither its hidden temporary file nor the target. */
    @Test
    void aKilledGenerateLeavesNoTemporaryFile(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("big.pcap");
        final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "flowdemux.cli.Main",
            "generate", "--flows", "1e6", "-o", out.toString()).redirectErrorStream(true).start();
        final long deadline = System.nanoTime() + 20_000_000_000L;
        boolean writing = false;
        while (!writing && p.isAlive() && System.nanoTime() < deadline)
        {
            try (var files = Files.list(tmp))
            {
                writing = files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"));
            }
            Thread.sleep(20);
        }
        if (!writing)
        {
            final String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assumptions.abort("generate did not start writing (too little disk?): " + said);
        }
        p.destroy();
        org.junit.jupiter.api.Assertions.assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        try (var files = Files.list(tmp))
        {
            assertEquals(java.util.List.of(), files.collect(java.util.stream.Collectors.toList()),
                "no temporary file and no half capture under the final name");
        }
    }
}
