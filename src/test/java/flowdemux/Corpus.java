package flowdemux;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The shared conformance corpus beside the repository ({@code ../shared/corpus}); never copied into it. */
public final class Corpus
{
    private Corpus()
    {
    }

    /**
     * The corpus folder. Where it is missing the test is skipped with the reason, unless the system property
     * {@code flowdemux.requireCorpus} is true (.ci/run sets it): then it fails, so that CI cannot pass with no
     * conformance test run.
     */
    public static Path root()
    {
        final Path p = Path.of(System.getProperty("flowdemux.corpus", "../shared/corpus")).toAbsolutePath().normalize();
        if (!Files.isDirectory(p) || !Files.isRegularFile(p.resolve("manifest.tsv")))
        {
            if (Boolean.getBoolean("flowdemux.requireCorpus"))
            {
                throw new AssertionError("the conformance corpus is required here but not found at " + p);
            }
            Assumptions.abort("conformance corpus not found at " + p);
        }
        return p;
    }

    /**
     * The captures the corpus says libpcap must reject ("MUST BE REJECTED" in manifest.tsv), but for the one that
     * flowdemux reads as an empty capture on purpose (a section header alone, as capinfos and tshark read it).
     */
    public static java.util.Set<String> rejected()
    {
        try
        {
            final List<String> lines = Files.readAllLines(root().resolve("manifest.tsv"));
            final List<String> header = List.of(lines.get(0).split("\t", -1));
            final int exercises = header.indexOf("exercises");
            final java.util.Set<String> out = new java.util.TreeSet<>();
            for (final String line : lines.subList(1, lines.size()))
            {
                final String[] f = line.split("\t", -1);
                if (f[exercises].startsWith("MUST BE REJECTED") && !READ_AS_EMPTY.equals(f[0]))
                {
                    out.add(f[0]);
                }
            }
            return out;
        }
        catch (IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** libpcap refuses a section header without interfaces (an unmerged pull request); capinfos, tshark and we read 0 packets. */
    public static final String READ_AS_EMPTY = "libpcap/pcapng-no-idb.pcapng";

    /** Every capture file (.pcap, .pcapng) under the corpus, sorted. */
    public static List<Path> captures()
    {
        try (Stream<Path> s = Files.walk(root()))
        {
            return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted()
                .collect(Collectors.toList());
        }
        catch (IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    public static String name(final Path capture)
    {
        return root().relativize(capture).toString();
    }
}
