package flowdemux.robust;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten million distinct flows through a table bounded at one million, in a JVM with a 512 MB heap: it finishes,
 * reports the evictions, and every evicted connection is still in the output with its count up to eviction.
 * Tagged "large" (about a minute); .ci/run runs it.
 */
@Tag("large")
class BoundedMemoryTest
{
    private static final long FLOWS = 10_000_000;
    private static final int MAX_FLOWS = 1_000_000;

    @Test
    void tenMillionFlowsInAFiveHundredMegabyteHeap(@TempDir final Path tmp) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            FloodMain.class.getName(), String.valueOf(FLOWS), String.valueOf(MAX_FLOWS), tmp.toString())
            .redirectError(ProcessBuilder.Redirect.PIPE).start();
        long rows = 0;
        long evicted = 0;
        long packets = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
            1 << 16))
        {
            final String[] header = in.readLine().split(",");
            int column = -1;
            for (int i = 0; i < header.length; i++)
            {
                column = header[i].equals("orig_pkts") ? i : column;
            }
            assertTrue(column > 0, "orig_pkts in the header");
            String line;
            while ((line = in.readLine()) != null)
            {
                rows++;
                if (line.contains(",evicted,"))
                {
                    evicted++;
                }
                // orig_pkts: each flow's one datagram, counted up to its eviction.
                int at = 0;
                for (int i = 0; i < column; i++)
                {
                    at = line.indexOf(',', at) + 1;
                }
                packets += Long.parseLong(line.substring(at, line.indexOf(',', at)));
            }
        }
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), err);
        assertEquals(FLOWS, rows, "every connection is in the output");
        assertEquals(FLOWS, packets, "with its packets");
        assertEquals(FLOWS - MAX_FLOWS, evicted, "all but the last million were evicted");
        assertTrue(err.contains("evicted=" + (FLOWS - MAX_FLOWS)), err);
    }
}
