package flowdemux.fuzz;

import flowdemux.Corpus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz targets on every capture of the shared corpus (read in place, not copied into the repository) and on
 * the project's samples: the same code paths the fuzzer explores, from real files.
 */
class CorpusReplayTest
{
    @Test
    void everyCorpusCaptureThroughEveryTarget() throws Exception
    {
        final FuzzTargets targets = new FuzzTargets();
        int files = 0;
        final java.util.List<Path> inputs = new java.util.ArrayList<>(Corpus.captures());
        inputs.add(Path.of("samples/three-tabs.pcap"));
        inputs.add(Path.of("samples/mixed.pcapng"));
        for (final Path p : inputs)
        {
            final byte[] bytes = Files.readAllBytes(p);
            targets.readPath(bytes);
            if (bytes.length > 24)
            {
                targets.pcapReader(java.util.Arrays.copyOfRange(bytes, 24, bytes.length));
            }
            if (bytes.length > 28)
            {
                targets.pcapngReader(java.util.Arrays.copyOfRange(bytes, 28, bytes.length));
            }
            files++;
        }
        assertTrue(files > 150);
    }
}
