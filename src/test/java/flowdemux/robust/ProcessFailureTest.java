package flowdemux.robust;

import flowdemux.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clean failure of outputs, checked on a real process: a closed pipe, a full disk, no stack traces. */
class ProcessFailureTest
{
    /** Runs the analyzer in a new JVM through bash; returns {exit code of the java process, stderr, stdout}. */
    static String[] run(final String pipeline) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String cmd = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' flowdemux.cli.Main "
            + pipeline;
        final ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd + "; echo \"EXIT=${PIPESTATUS[0]}\" >&2");
        final Process p = pb.start();
        final byte[] out = p.getInputStream().readAllBytes();
        final byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        final String e = new String(err, StandardCharsets.UTF_8);
        final int at = e.lastIndexOf("EXIT=");
        return new String[] {e.substring(at + 5).strip(), e.substring(0, at), new String(out, StandardCharsets.UTF_8)};
    }

    private static Path capture(final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("g.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "20000", "-o", pcap.toString(), "--summary",
            tmp.resolve("g.json").toString()).exitCode);
        return pcap;
    }

    @Test
    void closedStandardOutputEndsQuietly(@TempDir final Path tmp) throws Exception
    {
        final String[] r = run("read '" + capture(tmp) + "' --format csv | head -1");
        assertTrue(r[0].equals("0") || r[0].equals("141"), "exit " + r[0] + ": " + r[1]);
        assertFalse(r[1].contains("Exception") || r[1].contains("\tat "), r[1]);
        assertEquals(1, r[2].lines().count());
    }

    @Test
    void fullDiskGivesOneLineAndExitTwo(@TempDir final Path tmp) throws Exception
    {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
        final String[] r = run("read '" + capture(tmp) + "' --format csv -o /dev/full");
        assertEquals("2", r[0], r[1]);
        final List<String> lines = new ArrayList<>(r[1].strip().lines().toList());
        assertEquals(1, lines.size(), r[1]);
        assertTrue(lines.get(0).startsWith("flowdemux: cannot write /dev/full"), lines.get(0));
    }
}
