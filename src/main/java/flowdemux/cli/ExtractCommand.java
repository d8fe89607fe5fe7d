package flowdemux.cli;

import flowdemux.demux.Extractor;
import flowdemux.demux.IndexedExtractor;
import flowdemux.demux.OffsetIndex;
import flowdemux.demux.OutputFault;
import flowdemux.demux.UidList;
import flowdemux.flow.FlowSink;
import flowdemux.source.CaptureFormatException;
import flowdemux.util.IoErrors;
import flowdemux.util.TemporaryFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code extract F... --uid U -w OUT}: the packets of chosen connections, as one capture. */
@Command(name = "extract", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Write the packets of chosen connections, by uid, to one capture.",
    description = {"Read captures as read does and write the records of the connections named by their uids (those "
        + "of read's conn.log, JSON or HTML, or of split's index, for the same input and --seed) to one capture, "
        + "byte for byte and in input order: the records each one's split file holds. The capture appears whole or "
        + "not at all: if a uid is not in the input, nothing is written."},
    footer = {"", "Examples:", "  analyzer extract big.pcap --uid CwZWkd4AeUvzeM6bm6 -w one.pcap",
        "  zeek-cut uid < conn.log | analyzer extract big.pcap --uids-from - -w - | tshark -r -", "",
        "Exit codes: 0 ok, 1 bad usage, 2 a uid not in the input, an input that could not be read or an output "
        + "that could not be written."})
public final class ExtractCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private TapOptions input;

    @Option(names = "--uid", split = ",", paramLabel = "UID", description = "a connection's uid (repeatable, or "
        + "comma-separated)")
    private List<String> uids = new ArrayList<>();

    @Option(names = "--community-id", split = ",", paramLabel = "ID", description = "a Community ID (1:...: the "
        + "flow hash Zeek, Suricata, Arkime and Elastic log; repeatable): every connection of that tuple; with "
        + "--community-id-seed if it was made with one")
    private List<String> communityIds = new ArrayList<>();

    @Option(names = "--uids-from", paramLabel = "FILE|-", description = "uids from a conn.log, JSON lines (each "
        + "record's uid) or a list (one per line, as zeek-cut uid or jq -r .uid print); - for standard input")
    private String uidsFrom;

    @Option(names = {"-w", "--write"}, required = true, paramLabel = "OUT|-",
        description = "the capture to write (replaced whole at the end), or - for standard output")
    private String output;

    @Option(names = "--pcapng", description = "write pcapng (default: the input's format)")
    private boolean pcapng;

    @Option(names = "--index-file", paramLabel = "FDX", description = "the capture's offset index (default: F.fdx "
        + "beside the capture F, when there, written by read --index): only the chosen connections' records are read")
    private Path indexFile;

    @Option(names = "--no-index", description = "read the whole capture even when it has an index")
    private boolean noIndex;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        final PrintWriter err = cl.getErr();
        final Set<String> wanted = wanted(cl, err);
        if (wanted == null)
        {
            return Main.EXIT_INPUT;
        }
        final boolean toStdout = "-".equals(output);
        if (toStdout && System.console() != null)
        {
            throw new CommandLine.ParameterException(cl, "-w -: standard output is a terminal; write to a file, "
                + "or pipe it (| tshark -r -)");
        }
        if (!toStdout && input.isAnInput(Path.of(output)))
        {
            throw new CommandLine.ParameterException(cl, "-w names the input file " + output
                + "; refusing to overwrite it");
        }
        if (input.inputs.contains("-") && "-".equals(uidsFrom))
        {
            throw new CommandLine.ParameterException(cl, "standard input cannot be both a capture and the uid list");
        }
        final Path target = toStdout ? null : Path.of(output).toAbsolutePath();
        final Path partial;
        try
        {
            partial = TemporaryFiles.beside(toStdout
                ? Path.of(System.getProperty("java.io.tmpdir"), "flowdemux-extract.pcap") : target);
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + (toStdout ? "a temporary file" : output) + ": cannot write: "
                + IoErrors.reason(e));
            return Main.EXIT_INPUT;
        }
        final Thread onInterrupt = new Thread(() -> deleteQuietly(partial), "flowdemux-extract-stop");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try
        {
            return extract(cl, wanted, partial, target);
        }
        finally
        {
            deleteQuietly(partial);
            try
            {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            }
            catch (IllegalStateException e)
            {
                // shutting down: the hook deletes the partial file
            }
        }
    }

    private int extract(final CommandLine cl, final Set<String> wanted, final Path partial, final Path target)
        throws IOException
    {
        final PrintWriter err = cl.getErr();
        final TapOptions.Prepared prepared = input.prepare(cl, err);
        if (prepared == null)
        {
            return Main.EXIT_INPUT;
        }
        final Integer indexed = throughIndex(cl, prepared, wanted, partial, target);
        if (indexed != null)
        {
            return indexed;
        }
        final Extractor extractor = new Extractor(wanted, prepared.config.uidSeed, prepared.config.communityIdSeed,
            prepared.reader, pcapng, partial);
        String failed = null;
        try
        {
            final FlowSink none = (table, flow, reason) -> { };
            input.run(prepared, extractor, none);
        }
        catch (OutputFault e)
        {
            failed = e.getMessage();
        }
        finally
        {
            try
            {
                extractor.close();
            }
            catch (OutputFault e)
            {
                failed = failed == null ? e.getMessage() : failed;
            }
        }
        final List<String> faults = Inputs.faults(prepared.reader);
        if (failed != null || !faults.isEmpty())
        {
            faults.forEach(f -> err.println("flowdemux: " + f));
            if (failed != null)
            {
                err.println("flowdemux: " + failed.replace(partial.toString(), String.valueOf(target)));
            }
            err.println("flowdemux: nothing written");
            return Main.EXIT_INPUT;
        }
        final List<String> missing = extractor.missing();
        if (!missing.isEmpty())
        {
            printMissing(err, missing);
            return Main.EXIT_INPUT;
        }
        return publish(err, partial, target, extractor.packets(), wanted.size(), "");
    }

    /** Moves the finished capture to its place (or copies it to standard output) and says what was written. */
    private int publish(final PrintWriter err, final Path partial, final Path target, final long packets,
        final int connections, final String how)
    {
        try
        {
            if (target == null)
            {
                final OutputStream out = System.out;
                Files.copy(partial, out);
                out.flush();
            }
            else
            {
                TemporaryFiles.moveIntoPlace(partial, target);
            }
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + (target == null ? "standard output" : target) + ": cannot write: "
                + IoErrors.reason(e));
            return Main.EXIT_INPUT;
        }
        err.printf("flowdemux: extracted %d packets of %d connection%s%s%s%n", packets, connections,
            connections == 1 ? "" : "s", target == null ? "" : " to " + output, how);
        err.flush();
        return Main.EXIT_OK;
    }

    /**
     * Extracts through the capture's offset index when it has a usable one: the exit code, or null to read the whole
     * capture (no index, or one that does not fit: the line saying why was printed).
     */
    private Integer throughIndex(final CommandLine cl, final TapOptions.Prepared prepared, final Set<String> wanted,
        final Path partial, final Path target) throws IOException
    {
        final PrintWriter err = cl.getErr();
        if (noIndex || !OffsetIndexing.oneFile(input) || !communityIds.isEmpty())
        {
            // The index is by uid: a Community ID is known only from a connection's tuple, in a full pass.
            if (indexFile != null && !noIndex)
            {
                throw new CommandLine.ParameterException(cl, "--index-file goes with one capture file");
            }
            return null;
        }
        final Path capture = Path.of(input.inputs.get(0));
        final Path fdx = indexFile != null ? indexFile : Path.of(input.inputs.get(0) + ".fdx");
        final OffsetIndex opened = OffsetIndexing.usable(input, indexFile, prepared.config.uidSeed, err);
        if (opened == null)
        {
            return null;
        }
        final IndexedExtractor extractor = new IndexedExtractor();
        boolean readerClosed = false;
        try (OffsetIndex index = opened)
        {
            prepared.reader.close();
            readerClosed = true;
            extractor.extract(index, wanted, capture, pcapng, partial);
        }
        catch (OffsetIndex.Unusable e)
        {
            err.println("flowdemux: " + fdx + ": " + e.getMessage() + "; reading the whole capture"
                + (e.getMessage().startsWith("stale") ? " (read --index writes it anew)" : ""));
            return readerClosed ? extractAgain(cl, wanted, partial, target) : null;
        }
        catch (CaptureFormatException e)
        {
            err.println("flowdemux: " + capture + ": byte offset " + e.byteOffset() + ": " + e.getMessage()
                + "; nothing written");
            return Main.EXIT_INPUT;
        }
        catch (OutputFault e)
        {
            err.println("flowdemux: " + e.getMessage().replace(partial.toString(), String.valueOf(target))
                + "; nothing written");
            return Main.EXIT_INPUT;
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + fdx + ": cannot read: " + IoErrors.reason(e) + "; reading the whole capture");
            return readerClosed ? extractAgain(cl, wanted, partial, target) : null;
        }
        if (!extractor.missing().isEmpty())
        {
            // A damaged directory entry reads as a missing uid: only a full pass can say that it is not there.
            err.println("flowdemux: " + fdx + ": " + (extractor.missing().size() == 1 ? "uid "
                + extractor.missing().get(0) + " is" : extractor.missing().size() + " uids are")
                + " not in the index; reading the whole capture to be sure");
            return extractAgain(cl, wanted, partial, target);
        }
        return publish(err, partial, target, extractor.packets(), wanted.size(), " (through the index " + fdx + ")");
    }

    /** The index gave out after the capture was closed: a full pass from a fresh reader. */
    private int extractAgain(final CommandLine cl, final Set<String> wanted, final Path partial, final Path target)
        throws IOException
    {
        noIndex = true;
        return extract(cl, wanted, partial, target);
    }

    /** The uids asked for; null when the list could not be read (the line was printed). */
    private Set<String> wanted(final CommandLine cl, final PrintWriter err)
    {
        if (uids.isEmpty() && uidsFrom == null && communityIds.isEmpty())
        {
            throw new CommandLine.ParameterException(cl, "name the connections: --uid U[,U...], --uids-from FILE or "
                + "--community-id ID");
        }
        final Set<String> wanted = new LinkedHashSet<>();
        for (final String id : communityIds)
        {
            if (!id.matches("1:[A-Za-z0-9+/]{27}="))
            {
                throw new CommandLine.ParameterException(cl, "--community-id: '" + id + "' is not a Community ID v1 "
                    + "(1: and 28 base64 characters)");
            }
            wanted.add(id);
        }
        for (final String u : uids)
        {
            if (!UidList.isUid(u))
            {
                throw new CommandLine.ParameterException(cl, "--uid: '" + u + "' is not a uid (C and base-62 "
                    + "characters, as in a conn.log)");
            }
            wanted.add(u);
        }
        if (uidsFrom != null)
        {
            try (BufferedReader in = "-".equals(uidsFrom)
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(uidsFrom), StandardCharsets.UTF_8))
            {
                wanted.addAll(UidList.read(in));
            }
            catch (IllegalArgumentException e)
            {
                err.println("flowdemux: --uids-from " + uidsFrom + ": " + e.getMessage());
                return null;
            }
            catch (IOException e)
            {
                err.println("flowdemux: --uids-from " + uidsFrom + ": cannot read: " + IoErrors.reason(e));
                return null;
            }
        }
        if (wanted.isEmpty() || uidsFrom != null && wanted.size() == communityIds.size())
        {
            err.println("flowdemux: --uids-from " + uidsFrom + " holds no uid");
            return null;
        }
        return wanted;
    }

    private static void printMissing(final PrintWriter err, final List<String> missing)
    {
        for (final String id : missing)
        {
            if (id.startsWith("1:"))
            {
                err.println("flowdemux: Community ID " + id + " matches no connection of this input (an ID made with "
                    + "another seed needs --community-id-seed)");
            }
        }
        final List<String> uidsMissing = missing.stream().filter(u -> !u.startsWith("1:")).toList();
        if (uidsMissing.isEmpty())
        {
            err.println("flowdemux: nothing written");
            return;
        }
        printMissingUids(err, uidsMissing);
    }

    private static void printMissingUids(final PrintWriter err, final List<String> missing)
    {
        err.println("flowdemux: " + (missing.size() == 1 ? "uid " + missing.get(0) + " is"
            : missing.size() + " uids are (" + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                + (missing.size() > 5 ? ", ..." : "") + ")")
            + " not in this input; uids are derived from the input and --seed, so they match read's and "
            + "split's of the same input only; nothing written");
    }

    private static void deleteQuietly(final Path p)
    {
        try
        {
            Files.deleteIfExists(p);
        }
        catch (IOException e)
        {
            // a temporary file left behind is named .partial
        }
    }
}
