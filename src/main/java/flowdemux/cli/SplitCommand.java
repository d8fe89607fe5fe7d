package flowdemux.cli;

import flowdemux.demux.ConnectionIndex;
import flowdemux.demux.Grouping;
import flowdemux.demux.OutputFault;
import flowdemux.demux.Splitter;
import flowdemux.pipeline.BothTaps;
import flowdemux.pipeline.OfflineRun;
import flowdemux.util.IoErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code split F... -o DIR}: one capture per connection (or per server, port, client), with an index by uid. */
@Command(name = "split", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Write each connection's packets (or each group's) to a capture of its own.",
    description = {"Read captures as read does and write every packet to the capture of its connection, named by "
        + "the connection's uid (the same uids as read's with the same input and --seed), in a folder per protocol "
        + "and responder port: DIR/tcp-443/UID.pcap. Packets in no connection go to DIR/other.pcap. DIR/index.tsv "
        + "lists each connection with its file. Records are copied as they are in the input."},
    footer = {"", "Examples:", "  analyzer split capture.pcap -o conns/", "  analyzer split capture.pcap -o by-port/ --by server-port --pcapng",
        "", "Exit codes: 0 ok, 1 bad usage, 2 an input could not be read or an output not written (the files "
        + "left are valid captures up to their last whole record; the index marks the connections left incomplete)."})
public final class SplitCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private TapOptions input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
        description = "the folder to write to; created if missing, refused if not empty (unless --force)")
    private Path dir;

    @Option(names = "--by", defaultValue = "connection", paramLabel = "GROUP",
        completionCandidates = Candidates.Groupings.class,
        description = "connection (default), server (responder IP), server-port (protocol and responder port), "
            + "client (originator IP)")
    private String by;

    @Option(names = "--pcapng", description = "write pcapng (default: the input's format; pcapng when the "
        + "inputs mix link types or formats)")
    private boolean pcapng;

    @Option(names = "--max-open", defaultValue = "256", paramLabel = "N",
        description = "most files open at once; the least recently written is closed and reopened to append "
            + "(default 256)")
    private int maxOpen;

    @Option(names = "--index-format", defaultValue = "tsv", paramLabel = "tsv|jsonl",
        completionCandidates = Candidates.IndexFormats.class,
        description = "DIR/index.tsv (default) or DIR/index.jsonl")
    private String indexFormat;

    @Option(names = "--offset-index", description = "also write F.fdx beside the capture F, as read --index does, "
        + "so that extract reads only a connection's records (one uncompressed input file)")
    private boolean offsetIndex;

    @Option(names = "--index-file", paramLabel = "FDX", description = "write that index there instead (implies "
        + "--offset-index)")
    private Path indexFile;

    @Option(names = "--force", description = "write into a folder that is not empty (files of the same names are "
        + "replaced)")
    private boolean force;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        final PrintWriter err = cl.getErr();
        final Grouping grouping = Grouping.of(by);
        if (grouping == null)
        {
            throw new CommandLine.ParameterException(cl,
                "--by must be connection, server, server-port or client, not '" + by + "'");
        }
        if (grouping == Grouping.SERVICE)
        {
            throw new CommandLine.ParameterException(cl, "--by service is not available yet: split by connection "
                + "and pick the files of a service from the index's service column");
        }
        if (maxOpen < 1 || maxOpen > 65_536)
        {
            throw new CommandLine.ParameterException(cl, "--max-open must be 1 to 65536, not " + maxOpen);
        }
        if (!"tsv".equals(indexFormat) && !"jsonl".equals(indexFormat))
        {
            throw new CommandLine.ParameterException(cl, "--index-format must be tsv or jsonl, not '" + indexFormat + "'");
        }
        final String problem = folderProblem();
        if (problem != null)
        {
            err.println("flowdemux: " + problem);
            return Main.EXIT_INPUT;
        }
        final boolean indexing = offsetIndex || indexFile != null;
        if (indexing && (input.inputs.size() != 1 || input.inputs.contains("-")))
        {
            throw new CommandLine.ParameterException(cl, "--offset-index indexes one capture file (not standard "
                + "input, not several files)");
        }
        final TapOptions.Prepared prepared = input.prepare(cl, err);
        if (prepared == null)
        {
            return Main.EXIT_INPUT;
        }
        final OffsetIndexing indexer = indexing
            ? OffsetIndexing.start(input.inputs.get(0), indexFile, prepared.reader, err) : null;
        if (indexing && indexer == null)
        {
            prepared.reader.close();
            return Main.EXIT_INPUT;
        }
        final ConnectionIndex index;
        try
        {
            Files.createDirectories(dir);
            index = new ConnectionIndex(dir.resolve("index." + indexFormat), "jsonl".equals(indexFormat));
        }
        catch (IOException e)
        {
            prepared.reader.close();
            err.println("flowdemux: " + dir + ": cannot write: " + IoErrors.reason(e));
            return Main.EXIT_INPUT;
        }
        // Each open connection's file and name live as long as it does, then die in the old generation.
        flowdemux.util.OldGenerationBound.install();
        final Splitter splitter = new Splitter(dir, grouping, prepared.reader, pcapng, maxOpen, force, index,
            prepared.config.uidSeed);
        splitter.inputFaulted(() -> !Inputs.faults(prepared.reader).isEmpty());
        final CountDownLatch done = new CountDownLatch(1);
        final Thread onInterrupt = new Thread(() ->
        {
            // Ctrl-C: the read stops at its next packet and closes every file whole; the JVM waits for that.
            splitter.requestStop();
            try
            {
                done.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "flowdemux-split-stop");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try
        {
            return splitAndSay(cl, err, prepared, splitter, index, indexer);
        }
        finally
        {
            // After the last line is printed: on Ctrl-C the JVM ends as soon as the hook stops waiting.
            done.countDown();
            removeHook(onInterrupt);
        }
    }

    private int splitAndSay(final CommandLine cl, final PrintWriter err, final TapOptions.Prepared prepared,
        final Splitter splitter, final ConnectionIndex index, final OffsetIndexing indexer) throws IOException
    {
        OfflineRun run = null;
        String stopped = null;
        try
        {
            run = input.run(prepared, indexer == null ? splitter : new BothTaps(indexer.tap(), splitter), splitter);
        }
        catch (OutputFault e)
        {
            stopped = e.getMessage();
        }
        catch (Splitter.Stopped e)
        {
            stopped = "interrupted: the files written are whole up to their last record";
        }
        finally
        {
            try
            {
                splitter.close();
            }
            catch (OutputFault e)
            {
                if (stopped == null)
                {
                    stopped = e.getMessage();
                }
            }
            try
            {
                index.commit();
            }
            catch (IOException e)
            {
                final long kept = index.salvage();
                final String what = kept < 0 ? "; no index could be written"
                    : "; index." + indexFormat + " lists only the first " + kept
                        + " connections (no room for the rest)";
                stopped = (stopped != null ? stopped
                    : dir.resolve("index." + indexFormat) + ": cannot write: " + IoErrors.reason(e)) + what;
            }
        }
        if (stopped == null && splitter.fault() != null)
        {
            stopped = splitter.fault().getMessage();
        }
        final Splitter.Counts c = splitter.counts();
        final PrintWriter out = cl.getOut();
        out.printf("flowdemux: split %d connections into %d files in %s (%d packets; %d in other%s)%n",
            c.connections, c.files, dir, c.packets, c.otherPackets, c.filteredOut > 0
                ? "; " + c.filteredOut + " left out by the filters" : "");
        out.flush();
        if (stopped != null)
        {
            err.println("flowdemux: " + stopped);
            if (indexer != null)
            {
                indexer.finish(false, prepared.reader, 0, "", err);
            }
            return Main.EXIT_INPUT;
        }
        final List<String> faults = Inputs.faults(prepared.reader);
        for (final String f : faults)
        {
            err.println("flowdemux: " + f);
        }
        final boolean indexed = indexer == null || indexer.finish(faults.isEmpty() && run != null, prepared.reader,
            prepared.config.uidSeed, IndexKey.of(input.bpf, input.filters, input.connection, input.maxFlows), err);
        return faults.isEmpty() && run != null && indexed ? Main.EXIT_OK : Main.EXIT_INPUT;
    }

    /** Why DIR cannot be written to, or null. */
    private String folderProblem() throws IOException
    {
        if (input.isAnInput(dir))
        {
            return "-o names the input file " + dir + "; refusing to overwrite it";
        }
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            return dir + " is not a folder";
        }
        if (Files.isDirectory(dir) && !force)
        {
            try (Stream<Path> entries = Files.list(dir))
            {
                if (entries.findAny().isPresent())
                {
                    return dir + " is not empty; --force writes into it (replacing files of the same names)";
                }
            }
        }
        return null;
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException e)
        {
            // the JVM is shutting down (Ctrl-C): the hook is running and waits for this thread
        }
    }
}
