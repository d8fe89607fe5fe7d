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

    public static Path root()
    {
        final Path p = Path.of(System.getProperty("flowdemux.corpus", "../shared/corpus")).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "conformance corpus not found at " + p);
        return p;
    }

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
