package flowdemux.cli;

import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowSink;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.PacketTap;
import flowdemux.pipeline.ProgressListener;
import flowdemux.source.BpfFilter;
import flowdemux.source.MergedReader;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What split, extract and follow share with read: the inputs, the filters and the connection settings, so that
 * the same input and --seed give the same connections and uids as read. One worker tracks, in input order.
 */
public final class TapOptions
{
    @Parameters(arity = "1..*", paramLabel = "FILE|-", description = "capture files, or - for standard input")
    List<String> inputs;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF",
        description = "only packets this tcpdump filter accepts, as in read")
    String bpf;

    @CommandLine.Mixin
    FilterOptions filters;

    @Option(names = "--max-flows", defaultValue = "1000000", paramLabel = "N", converter = CountConverter.class,
        description = "most connections tracked at once, as in read (default 1000000)")
    long maxFlows;

    @Option(names = "--seed", paramLabel = "S",
        description = "seed of the connection uids, as given to read (default: taken from the input's first packets)")
    Long seed;

    @CommandLine.Mixin
    ConnectionOptions connection;

    /** The opened inputs and what the read needs; null fields never. */
    static final class Prepared
    {
        MergedReader reader;
        ConnectionConfig config;
        PacketFilter filter;
        BpfFilter compiled;
    }

    /** Opens the inputs; null when one cannot be (the line was printed). */
    Prepared prepare(final CommandLine cl, final PrintWriter err)
    {
        if (maxFlows < 1 || maxFlows > ReadCommand.MAX_FLOWS)
        {
            throw new CommandLine.ParameterException(cl, "--max-flows must be 1 to " + ReadCommand.MAX_FLOWS
                + ", not " + maxFlows);
        }
        if (inputs.stream().filter("-"::equals).count() > 1)
        {
            throw new CommandLine.ParameterException(cl, "standard input ('-') can be read only once");
        }
        final Prepared p = new Prepared();
        p.filter = filters.toFilter(cl);
        p.config = connection.toConfig(cl, flowdemux.decode.ChecksumMode.OFFLOAD);
        p.reader = Inputs.open(inputs, "java", err);
        if (p.reader == null)
        {
            return null;
        }
        try
        {
            p.compiled = bpf == null ? null : BpfFilter.compile(bpf, Inputs.firstLinkType(p.reader));
        }
        catch (IllegalArgumentException e)
        {
            closeQuietly(p.reader);
            throw new CommandLine.ParameterException(cl, "-f: libpcap cannot compile '" + bpf + "': " + e.getMessage());
        }
        catch (UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            closeQuietly(p.reader);
            err.println("flowdemux: -f needs libpcap, which is not installed (Debian: apt-get install libpcap0.8); "
                + "--port and --host filter without it");
            return null;
        }
        p.config.uidSeed = seed != null ? seed : p.reader.digest();
        return p;
    }

    /** Reads the inputs to their end (or first fault), telling {@code tap} where each record goes. */
    OfflineRun run(final Prepared p, final PacketTap tap, final FlowSink sink) throws IOException
    {
        final OfflineRun run = new OfflineRun(1, (int)maxFlows, i -> sink, p.filter, ProgressListener.NONE, p.config);
        run.recordFilter(p.compiled);
        run.collectAtPhaseEnds(false);
        run.tap(tap);
        try (MergedReader reader = p.reader)
        {
            run.run(reader);
        }
        return run;
    }

    /** Whether {@code path} is one of the inputs (an output there would destroy it). */
    boolean isAnInput(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            return false;
        }
        for (final String input : inputs)
        {
            if (!"-".equals(input) && Files.exists(Path.of(input)) && Files.isSameFile(path, Path.of(input)))
            {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(final MergedReader reader)
    {
        try
        {
            reader.close();
        }
        catch (IOException e)
        {
            // only opened: nothing to lose
        }
    }
}
