package flowdemux.pipeline;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outputs, byte for byte in every format, do not depend on the number of workers. */
class WorkerCountTest
{
    private static final String[] FORMATS = {"text", "json", "csv", "zeek"};
    private static final int[] WORKERS = {2, 3, 8};

    @Test
    void everySampleAndCorpusCaptureGivesTheSameOutputsWith1To8Workers()
    {
        final List<Path> inputs = new ArrayList<>(List.of(Path.of("samples/three-tabs.pcap"),
            Path.of("samples/mixed.pcapng")));
        inputs.addAll(Corpus.captures());
        int compared = 0;
        final List<String> differ = new ArrayList<>();
        for (final Path input : inputs)
        {
            for (final String format : FORMATS)
            {
                final Cli one = Cli.run("read", input.toString(), "--format", format, "--workers", "1");
                for (final int w : WORKERS)
                {
                    final Cli many = Cli.run("read", input.toString(), "--format", format, "--workers",
                        String.valueOf(w));
                    compared++;
                    if (one.exitCode != many.exitCode || !one.out.equals(many.out) || !one.err.equals(many.err))
                    {
                        differ.add(input + " " + format + " --workers " + w);
                    }
                }
            }
        }
        System.out.printf("worker counts: %d runs compared with --workers 1, %d differ%n", compared, differ.size());
        assertTrue(compared > 1000);
        assertEquals(List.of(), differ);
    }
}
