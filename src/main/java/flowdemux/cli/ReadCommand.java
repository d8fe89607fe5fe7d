package flowdemux.cli;

import flowdemux.flow.ConnectionConfig;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.report.AnalysisResult;
import flowdemux.report.ChecksumSummary;
import flowdemux.report.ZeekTunnelLog;
import flowdemux.source.BpfFilter;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.MergedReader;
import flowdemux.util.IoErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code read FILE...|-}: analyse saved captures (merged by time) and report ports, servers and flows. */
@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Analyse saved captures: ports, servers and connections.",
    description = {"Read pcap or pcapng captures (optionally gzip-compressed; '-' for standard input), several",
        "merged in time order, demultiplex them by 5-tuple and report ports, servers and connections."},
    footer = {"", "Examples:", "  analyzer read capture.pcap", "  analyzer read a.pcap b.pcapng.gz --format zeek -o conn.log",
        "", "Exit codes: 0 ok, 1 bad usage, 2 an input could not be read or was corrupt (the report of what",
        "came before the fault is still written)."})
public final class ReadCommand implements Callable<Integer>
{
    /** The flow table's index is one int-indexed array: about 2^31 * 0.65 / 2 slots. */
    static final long MAX_FLOWS = 500_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE|-", description = "capture files, or - for standard input")
    private List<String> inputs;

    @CommandLine.Mixin
    private ReportOptions report;

    @CommandLine.Mixin
    private ExportOptions export;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF",
        description = "only packets this tcpdump filter accepts (\"tcp port 443 and host 10.0.0.1\"), compiled by "
            + "libpcap for each link type and applied before decoding")
    private String bpf;

    @CommandLine.Mixin
    private FilterOptions filters;

    @Option(names = "--max-flows", defaultValue = "1000000", paramLabel = "N", converter = CountConverter.class,
        description = "most connections tracked at once; the least recently seen are evicted (counted) beyond "
            + "(default 1000000)")
    private long maxFlows;

    @Option(names = "--reader", defaultValue = "java", paramLabel = "java|pcap4j",
        completionCandidates = Candidates.Readers.class,
        description = "java: the project's own reader (default); pcap4j: libpcap through pcap4j")
    private String readerKind;

    @Option(names = "--workers", paramLabel = "N",
        description = "threads that track connections, each owning a shard of the flow table (default: the cores)")
    private Integer workers;

    @Option(names = "--seed", paramLabel = "S",
        description = "seed of the connection uids (default: taken from the input's first packets, so the same "
            + "input gives the same uids and two inputs different ones)")
    private Long seed;

    @CommandLine.Mixin
    private ConnectionOptions connection;

    @Option(names = "--index", description = "also write F.fdx beside the capture F: where each connection's records "
        + "are, so that extract reads only those (one uncompressed input file; tracks with one worker)")
    private boolean index;

    @Option(names = "--index-file", paramLabel = "FDX", description = "write the index there instead (implies "
        + "--index)")
    private Path indexFile;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        report.validate(cl);
        export.validate(cl);
        if (maxFlows < 1 || maxFlows > MAX_FLOWS)
        {
            throw new CommandLine.ParameterException(cl, "--max-flows must be 1 to " + MAX_FLOWS + ", not " + maxFlows);
        }
        final boolean indexing = index || indexFile != null;
        if (indexing && workers != null && workers != 1)
        {
            throw new CommandLine.ParameterException(cl, "--index records each connection's packets in input order, "
                + "with one worker; leave out --workers");
        }
        final int workerCount = indexing ? 1
            : workers == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : workers;
        if (workerCount < 1 || workerCount > 256)
        {
            throw new CommandLine.ParameterException(cl, "--workers must be 1 to 256, not " + workerCount);
        }
        if (!"java".equals(readerKind) && !"pcap4j".equals(readerKind))
        {
            throw new CommandLine.ParameterException(cl, "--reader must be java or pcap4j, not '" + readerKind + "'");
        }
        if (inputs.stream().filter("-"::equals).count() > 1)
        {
            throw new CommandLine.ParameterException(cl, "standard input ('-') can be read only once");
        }
        if ("pcap4j".equals(readerKind) && inputs.contains("-"))
        {
            throw new CommandLine.ParameterException(cl, "--reader pcap4j reads files, not standard input");
        }
        if (indexing && (inputs.size() != 1 || inputs.contains("-") || !"java".equals(readerKind)))
        {
            throw new CommandLine.ParameterException(cl, "--index indexes one capture file read by the java reader "
                + "(not standard input, not several files)");
        }
        refuseOverwritingAnInput(cl);
        final PacketFilter filter = filters.toFilter(cl);
        final ConnectionConfig config = connection.toConfig(cl, flowdemux.decode.ChecksumMode.OFFLOAD);
        final PrintWriter err = cl.getErr();

        // An input that cannot be opened writes nothing: no report, and an existing -o is left as it was.
        final MergedReader opened = Inputs.open(inputs, readerKind, err);
        if (opened == null)
        {
            return Main.EXIT_INPUT;
        }
        // What a capture on its own host kept of the programs behind its connections (capture --write F.pcapng).
        final flowdemux.host.Attribution[] kept = new flowdemux.host.Attribution[1];
        opened.customBlocks((pen, data, offset, length) ->
        {
            if (pen != flowdemux.host.HostRecords.PEN)
            {
                return;
            }
            if (kept[0] == null)
            {
                kept[0] = new flowdemux.host.Attribution(null, false);
            }
            flowdemux.host.HostRecords.read(data, offset, length, kept[0]);
        });
        final List<String> names = new ArrayList<>();
        for (final MergedReader.Input in : opened.inputs())
        {
            names.add(in.name);
        }
        final String outputProblem = report.outputProblem();
        if (outputProblem != null)
        {
            opened.close();
            err.println("flowdemux: cannot write " + report.output + ": " + outputProblem);
            return Main.EXIT_INPUT;
        }
        final MergedReader reader = opened;
        final BpfFilter compiled;
        try
        {
            compiled = bpf == null ? null : BpfFilter.compile(bpf, Inputs.firstLinkType(reader));
        }
        catch (IllegalArgumentException e)
        {
            reader.close();
            throw new CommandLine.ParameterException(cl, "-f: libpcap cannot compile '" + bpf + "': "
                + e.getMessage());
        }
        catch (UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            reader.close();
            err.println("flowdemux: -f needs libpcap, which is not installed (Debian: apt-get install libpcap0.8); "
                + "--port and --host filter without it");
            return Main.EXIT_INPUT;
        }
        config.uidSeed = seed != null ? seed : reader.digest();
        final OffsetIndexing indexer = indexing ? OffsetIndexing.start(inputs.get(0), indexFile, reader, err) : null;
        if (indexing && indexer == null)
        {
            reader.close();
            return Main.EXIT_INPUT;
        }

        final Analysis analysis = new Analysis(report.renderer(), workerCount);
        final ExportOptions.Exporters exporters;
        try
        {
            exporters = export.open(analysis.stores, report.kafkaLine(export.kafkaFormat), true);
        }
        catch (IOException e)
        {
            reader.close();
            err.println("flowdemux: " + e.getMessage());
            return Main.EXIT_INPUT;
        }
        final OfflineRun run = new OfflineRun(workerCount, (int)maxFlows, analysis.stores::get, filter,
            progressListener(err), config);
        run.recordFilter(compiled);
        run.collectAtPhaseEnds(analysis.views);
        // Kept owners are keyed by the serials of that one capture: a merge of several numbers packets anew.
        final flowdemux.host.Attribution owners = opened.inputs().size() == 1 ? kept[0] : null;
        if (kept[0] != null && owners == null)
        {
            err.println("flowdemux: warning: the programs a capture kept are shown for that capture read alone, "
                + "not merged with others");
        }
        if (owners != null)
        {
            // The first blocks came before the first packet: every connection's line can carry its owners.
            for (final flowdemux.report.FlowStore store : analysis.stores)
            {
                store.owners(owners);
            }
        }
        final ZeekTunnelLog tunnelLog = report.tunnelLog == null ? null : new ZeekTunnelLog();
        if (tunnelLog != null)
        {
            run.tunnelListener(tunnelLog);
        }
        if (indexer != null)
        {
            run.tap(indexer.tap());
        }
        try (reader)
        {
            run.run(reader);
        }
        Progress.clear(err);
        final ExportOptions.Exported exported = ExportOptions.finish(exporters, err);
        final List<String> errors = new ArrayList<>();
        final List<AnalysisResult.InputFile> files = new ArrayList<>();
        for (final MergedReader.Input in : reader.inputs())
        {
            final String error = Inputs.faultLine(in);
            if (error != null)
            {
                errors.add(error);
            }
            files.add(new AnalysisResult.InputFile(in.name, in.formatName(), in.packets, error));
        }
        // The index before the report: a report that cannot be written leaves no temporary index behind.
        final boolean indexed = indexer == null || indexer.finish(errors.isEmpty(), reader, config.uidSeed,
            IndexKey.of(bpf, filters, connection, maxFlows), err);
        final AnalysisResult result = analysis.result(String.join(", ", names), reader.formatName(), run,
            (int)maxFlows, errors.isEmpty() ? null : String.join("; ", errors), filterDescription(compiled));
        if (files.size() > 1)
        {
            result.inputs = files;
        }
        exported.into(result);
        result.host = owners;
        if (!analysis.write(result, report.output, spec.commandLine().getOut(), err)
            || tunnelLog != null && !Analysis.writeTunnelLog(tunnelLog, report.tunnelLog, err))
        {
            return Main.EXIT_INPUT;
        }
        final String checksumWarning = ChecksumSummary.warning(run.stats());
        if (checksumWarning != null)
        {
            err.println("flowdemux: warning: " + checksumWarning);
        }
        for (final String e : errors)
        {
            err.println("flowdemux: " + e);
        }
        if (!indexed)
        {
            return Main.EXIT_INPUT;
        }
        return !errors.isEmpty() ? Main.EXIT_INPUT : exported.complete() ? Main.EXIT_OK : Main.EXIT_EXPORT;
    }

    /** -o naming one of the inputs would destroy it. */
    private void refuseOverwritingAnInput(final CommandLine cl) throws IOException
    {
        final Path output = report.output;
        if (output == null || !Files.exists(output))
        {
            return;
        }
        for (final String input : inputs)
        {
            if (!"-".equals(input) && Files.exists(Path.of(input)) && Files.isSameFile(output, Path.of(input)))
            {
                throw new CommandLine.ParameterException(cl, "-o names the input file " + input
                    + "; refusing to overwrite it");
            }
        }
    }

    private String filterDescription(final BpfFilter compiled)
    {
        final String ports = filters.description();
        if (compiled == null)
        {
            return ports;
        }
        final String f = "-f \"" + compiled.expression() + "\"";
        return ports == null ? f : f + " " + ports;
    }

    private ProgressListener progressListener(final PrintWriter err)
    {
        if (System.console() == null)
        {
            return ProgressListener.NONE;
        }
        long size = 0;
        for (final String input : inputs)
        {
            try
            {
                size = "-".equals(input) || size < 0 ? -1 : size + Files.size(Path.of(input));
            }
            catch (IOException e)
            {
                size = -1;
            }
        }
        return new Progress(err, size);
    }
}
