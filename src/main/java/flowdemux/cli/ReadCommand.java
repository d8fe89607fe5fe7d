package flowdemux.cli;

import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.ports.Services;
import flowdemux.report.AnalysisResult;
import flowdemux.report.Aggregates;
import flowdemux.report.ChecksumSummary;
import flowdemux.report.FlowStore;
import flowdemux.report.LocalNets;
import flowdemux.report.OutputTarget;
import flowdemux.report.RecordLine;
import flowdemux.report.ReportFormat;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.util.Addresses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code read FILE|-}: analyse a saved capture and report ports, servers and flows. */
@Command(name = "read", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Read a pcap or pcapng capture (optionally gzip-compressed; '-' for standard input),",
        "demultiplex it by 5-tuple and report ports, servers and connections."},
    footer = {"", "Exit codes: 0 ok, 1 bad usage, 2 input could not be read or was corrupt (the report of what came",
        "before the fault is still written)."})
public final class ReadCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|-", description = "capture file, or - for standard input")
    private String input;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
        description = "text (default), json, csv (one row per flow) or zeek (conn.log)")
    private String format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the report to OUT (default: standard output)")
    private Path output;

    @Option(names = "--top", defaultValue = "10", paramLabel = "N", description = "flows in the top-flows list (default 10)")
    private int top;

    @Option(names = "--port", paramLabel = "P", description = "only packets to or from port P")
    private Integer port;

    @Option(names = "--host", paramLabel = "IP", description = "only packets to or from address IP")
    private String host;

    @Option(names = "--max-flows", defaultValue = "1000000", paramLabel = "N",
        description = "most connections tracked at once; the least recently seen are evicted (counted) beyond (default 1000000)")
    private int maxFlows;

    @Option(names = "--reader", defaultValue = "java", paramLabel = "java|pcap4j",
        description = "java: the project's own reader (default); pcap4j: libpcap through pcap4j")
    private String readerKind;

    @Option(names = "--workers", paramLabel = "N",
        description = "threads that track connections, each owning a shard of the flow table (default: the cores)")
    private Integer workers;

    @CommandLine.Mixin
    private ConnectionOptions connection;

    @Option(names = "--local-nets", paramLabel = "CIDR[,CIDR...]", split = ",",
        description = "networks that count as local for conn.log's local_orig/local_resp "
            + "(default: Zeek's private address space)")
    private java.util.List<String> localNets;

    @Option(names = "--zeek-extra", description = "zeek format: add columns beyond Zeek's (handshake RTT, "
        + "retransmissions, TCP options, nanosecond ts and duration)")
    private boolean zeekExtra;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        if (!"text".equals(format) && !"json".equals(format) && !"csv".equals(format) && !"zeek".equals(format))
        {
            throw new CommandLine.ParameterException(cl, "--format must be text, json, csv or zeek, not '" + format + "'");
        }
        if (top < 0 || maxFlows < 1)
        {
            throw new CommandLine.ParameterException(cl, "--top must be >= 0 and --max-flows >= 1");
        }
        if (port != null && (port < 0 || port > 65535))
        {
            throw new CommandLine.ParameterException(cl, "--port must be 0-65535");
        }
        long[] hostAddress = null;
        if (host != null)
        {
            hostAddress = Addresses.parse(host);
            if (hostAddress == null)
            {
                throw new CommandLine.ParameterException(cl, "--host needs an IPv4 or IPv6 address, not '" + host + "'");
            }
        }
        if (output != null && !"-".equals(input) && Files.exists(output)
            && Files.isSameFile(output, Path.of(input)))
        {
            throw new CommandLine.ParameterException(cl, "-o names the input file; refusing to overwrite it");
        }
        final PrintWriter err = cl.getErr();
        final String name = "-".equals(input) ? "(standard input)" : input;

        if (!"java".equals(readerKind) && !"pcap4j".equals(readerKind))
        {
            throw new CommandLine.ParameterException(cl, "--reader must be java or pcap4j");
        }
        if ("pcap4j".equals(readerKind) && "-".equals(input))
        {
            throw new CommandLine.ParameterException(cl, "--reader pcap4j reads files, not standard input");
        }
        final CaptureReader reader;
        try
        {
            reader = "pcap4j".equals(readerKind) ? openWithLibpcap(input) : CaptureReaders.open(input);
        }
        catch (NoSuchFileException e)
        {
            err.println("flowdemux: " + input + ": no such file");
            return Main.EXIT_INPUT;
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + input + ": cannot read: " + e.getMessage());
            return Main.EXIT_INPUT;
        }
        catch (CaptureFormatException e)
        {
            final String line = name + ": byte offset " + e.byteOffset() + ": " + e.getMessage();
            writeReport(emptyResult(name, line), err);
            err.println("flowdemux: " + line);
            return Main.EXIT_INPUT;
        }

        final int workerCount = workers == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : workers;
        if (workerCount < 1 || workerCount > 256)
        {
            throw new CommandLine.ParameterException(cl, "--workers must be 1 to 256");
        }
        final java.util.List<FlowStore> stores = new java.util.ArrayList<>();
        final Path spillFolder = Path.of(System.getProperty("java.io.tmpdir"));
        // CSV and conn.log have a line per connection, which the workers format; the other reports need none.
        final RecordLine lines = renderer() instanceof RecordLine l ? l : null;
        for (int i = 0; i < workerCount; i++)
        {
            stores.add(new FlowStore(spillFolder, lines));
        }
        final PacketFilter filter = new PacketFilter(port == null ? -1 : port, hostAddress);
        final flowdemux.flow.ConnectionConfig config = connection.toConfig(cl, flowdemux.decode.ChecksumMode.OFFLOAD);
        final OfflineRun run = new OfflineRun(workerCount, maxFlows, stores::get, filter, progressListener(err),
            config);
        try (reader)
        {
            run.run(reader);
        }
        final Aggregates aggregates = new Aggregates();
        long evicted = 0;
        for (final FlowStore store : stores)
        {
            aggregates.merge(store.aggregates());
            evicted += store.evicted();
        }
        Progress.clear(err);
        String error = null;
        if (run.fault() != null)
        {
            error = name + ": byte offset " + run.fault().byteOffset() + ": " + run.fault().getMessage();
        }
        else if (run.ioFault() != null)
        {
            error = name + ": read error at byte offset " + reader.position() + ": " + run.ioFault().getMessage();
        }
        final AnalysisResult result = new AnalysisResult(name, reader.formatName(), run.stats(),
            java.util.List.of(), aggregates, evicted, maxFlows, error, filterDescription());
        result.lines = lines == null ? null : FlowStore.lines(stores);
        if (!writeReport(result, err))
        {
            return Main.EXIT_INPUT;
        }
        final String checksumWarning = ChecksumSummary.warning(run.stats());
        if (checksumWarning != null)
        {
            err.println("flowdemux: warning: " + checksumWarning);
        }
        if (error != null)
        {
            err.println("flowdemux: " + error);
            return Main.EXIT_INPUT;
        }
        return Main.EXIT_OK;
    }

    /** libpcap's reader; its refusal becomes a format error at offset 0 (libpcap does not say where). */
    private static CaptureReader openWithLibpcap(final String path) throws IOException, CaptureFormatException
    {
        if (!Files.exists(Path.of(path)))
        {
            throw new NoSuchFileException(path);
        }
        try
        {
            return flowdemux.source.LiveCapture.openOffline(path);
        }
        catch (org.pcap4j.core.PcapNativeException e)
        {
            throw new CaptureFormatException(0, "libpcap: " + e.getMessage());
        }
        catch (UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            throw new IOException(LiveErrors.describe(e), e);
        }
    }

    private AnalysisResult emptyResult(final String name, final String error)
    {
        return new AnalysisResult(name, "unknown", new flowdemux.decode.DecodeStats(), java.util.List.of(),
            new Aggregates(), 0, maxFlows, error, filterDescription());
    }

    private String filterDescription()
    {
        if (port == null && host == null)
        {
            return null;
        }
        return (port != null ? "--port " + port : "") + (port != null && host != null ? " " : "")
            + (host != null ? "--host " + host : "");
    }

    private ReportFormat renderer()
    {
        return ReportFormat.named(format, top, Services.standard(), localNets(), zeekExtra);
    }

    /** Writes the report; false (after one line on stderr) when the output could not be written. */
    private boolean writeReport(final AnalysisResult result, final PrintWriter err)
    {
        final ReportFormat renderer = renderer();
        final PrintWriter out = spec.commandLine().getOut();
        try (OutputTarget target = output == null ? OutputTarget.stdout(out) : OutputTarget.file(output))
        {
            renderer.write(result, target.writer());
            target.commit();
            // A closed standard output (a pager or head quit early) is not an error worth a line.
            return true;
        }
        catch (IOException e)
        {
            if (output == null)
            {
                return true;
            }
            err.println("flowdemux: cannot write " + output + ": " + e.getMessage());
            return false;
        }
    }

    private LocalNets localNets()
    {
        if (localNets == null || localNets.isEmpty())
        {
            return LocalNets.zeekDefault();
        }
        final LocalNets nets = new LocalNets();
        for (final String cidr : localNets)
        {
            try
            {
                nets.add(cidr.trim());
            }
            catch (IllegalArgumentException e)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--local-nets: " + e.getMessage());
            }
        }
        return nets;
    }

    private ProgressListener progressListener(final PrintWriter err)
    {
        if (System.console() == null)
        {
            return ProgressListener.NONE;
        }
        long size = -1;
        if (!"-".equals(input))
        {
            try
            {
                size = Files.size(Path.of(input));
            }
            catch (IOException e)
            {
                size = -1;
            }
        }
        return new Progress(err, size);
    }
}
