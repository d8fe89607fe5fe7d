package flowdemux.cli;

import flowdemux.demux.FollowFiles;
import flowdemux.demux.FollowText;
import flowdemux.demux.Follower;
import flowdemux.demux.IndexedRecords;
import flowdemux.demux.OffsetIndex;
import flowdemux.source.CaptureFormatException;
import flowdemux.source.MergedReader;
import flowdemux.demux.OutputFault;
import flowdemux.demux.UidList;
import flowdemux.util.Addresses;
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

/** {@code follow F --uid U}: what each side of a connection sent, in order. */
@Command(name = "follow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Show or write what each side of one connection sent, reassembled in order.",
    description = {"Read captures as read does and put the payload of the connection named by its uid back in order: "
        + "TCP retransmissions once, out-of-order segments in their place, overlapping bytes as first seen (as "
        + "Zeek), bytes the capture does not hold reported as gaps (Zeek's missed_bytes); UDP one datagram after "
        + "another. Without -o both sides are shown interleaved as they were sent, printable text as it is and other "
        + "bytes as \\xHH. With -o DIR: DIR/UID.orig and DIR/UID.resp hold the raw bytes, DIR/UID.gaps.tsv the gaps."},
    footer = {"", "Examples:", "  analyzer follow web.pcap --uid CwZWkd4AeUvzeM6bm6",
        "  analyzer follow web.pcap --uid CwZWkd4AeUvzeM6bm6 --side resp -o streams/", "",
        "Exit codes: 0 ok, 1 bad usage, 2 the uid is not in the input, an input could not be read or an output "
        + "not written."})
public final class FollowCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private TapOptions input;

    @Option(names = "--uid", required = true, paramLabel = "UID", description = "the connection's uid, as read's "
        + "conn.log or split's index names it")
    private String uid;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
        description = "write the raw bytes to DIR/UID.orig, DIR/UID.resp and the gaps to DIR/UID.gaps.tsv")
    private Path dir;

    @Option(names = "--side", defaultValue = "both", paramLabel = "orig|resp|both",
        completionCandidates = Candidates.Sides.class,
        description = "which direction: the originator's, the responder's or both (default)")
    private String side;

    @Option(names = "--max-bytes", paramLabel = "N", converter = CountConverter.class,
        description = "at most N bytes of each side (the rest is counted, not shown or written)")
    private Long maxBytes;

    @Option(names = "--index-file", paramLabel = "FDX", description = "the capture's offset index (default: F.fdx "
        + "beside the capture F, when there, written by read --index): only the connection's records are read")
    private Path indexFile;

    @Option(names = "--no-index", description = "read the whole capture even when it has an index")
    private boolean noIndex;

    /** Set when the records read through the index were not the connection after all: read the whole capture. */
    private boolean indexMissed;

    @Override
    public Integer call() throws IOException
    {
        final int code = followOnce();
        if (indexMissed)
        {
            noIndex = true;
            return followOnce();
        }
        return code;
    }

    private int followOnce() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        final PrintWriter err = cl.getErr();
        if (!UidList.isUid(uid))
        {
            throw new CommandLine.ParameterException(cl, "--uid: '" + uid + "' is not a uid (C and base-62 "
                + "characters, as in a conn.log)");
        }
        if (!List.of("orig", "resp", "both").contains(side))
        {
            throw new CommandLine.ParameterException(cl, "--side must be orig, resp or both, not '" + side + "'");
        }
        if (maxBytes != null && maxBytes < 0)
        {
            throw new CommandLine.ParameterException(cl, "--max-bytes must not be negative");
        }
        final boolean orig = !"resp".equals(side);
        final boolean resp = !"orig".equals(side);
        if (dir != null)
        {
            if (Files.exists(dir) && !Files.isDirectory(dir))
            {
                err.println("flowdemux: " + dir + " is not a folder");
                return Main.EXIT_INPUT;
            }
            try
            {
                Files.createDirectories(dir);
            }
            catch (IOException e)
            {
                err.println("flowdemux: " + dir + ": cannot write: " + IoErrors.reason(e));
                return Main.EXIT_INPUT;
            }
        }
        final TapOptions.Prepared prepared = input.prepare(cl, err);
        if (prepared == null)
        {
            return Main.EXIT_INPUT;
        }
        final boolean viaIndex = !noIndex && OffsetIndexing.oneFile(input) && readThroughIndex(prepared, err);
        final long limit = maxBytes == null ? Long.MAX_VALUE : maxBytes;
        FollowFiles files = null;
        FollowText text = null;
        final Follower follower;
        try
        {
            if (dir != null)
            {
                files = new FollowFiles(dir, uid);
                follower = new Follower(uid, prepared.config.uidSeed, limit, files);
            }
            else
            {
                text = new FollowText(cl.getOut(), orig, resp);
                follower = new Follower(uid, prepared.config.uidSeed, limit, text);
                text.of(follower);
            }
        }
        catch (OutputFault e)
        {
            prepared.reader.close();
            err.println("flowdemux: " + e.getMessage());
            return Main.EXIT_INPUT;
        }
        try
        {
            return follow(cl, prepared, follower, files, text, orig, resp, viaIndex);
        }
        finally
        {
            if (files != null)
            {
                files.close();
            }
        }
    }

    private int follow(final CommandLine cl, final TapOptions.Prepared prepared, final Follower follower,
        final FollowFiles files, final FollowText text, final boolean orig, final boolean resp,
        final boolean viaIndex) throws IOException
    {
        final PrintWriter err = cl.getErr();
        try
        {
            input.run(prepared, follower, follower);
        }
        catch (Follower.Done e)
        {
            // the connection ended: the rest of the input holds none of it
        }
        catch (OutputFault e)
        {
            err.println("flowdemux: " + e.getMessage() + "; nothing written");
            return Main.EXIT_INPUT;
        }
        follower.finish();
        if (text != null)
        {
            text.end();
        }
        final List<String> faults = Inputs.faults(prepared.reader);
        faults.forEach(f -> err.println("flowdemux: " + f));
        if (!follower.found() && viaIndex && faults.isEmpty())
        {
            indexMissed = true; // nothing was written: the whole capture is read next
            return Main.EXIT_INPUT;
        }
        if (!follower.found())
        {
            err.println("flowdemux: uid " + uid + " is not in this input; uids are derived from the input and "
                + "--seed, so they match read's and split's of the same input only" + (files != null
                    ? "; nothing written" : ""));
            return Main.EXIT_INPUT;
        }
        if (!faults.isEmpty() && files != null)
        {
            err.println("flowdemux: nothing written");
            return Main.EXIT_INPUT;
        }
        List<Path> wrote = List.of();
        if (files != null)
        {
            try
            {
                wrote = files.commit(follower.origIsA(), orig, resp);
            }
            catch (OutputFault e)
            {
                err.println("flowdemux: " + e.getMessage());
                return Main.EXIT_INPUT;
            }
        }
        err.println("flowdemux: " + summary(follower, orig, resp) + (wrote.isEmpty() ? ""
            : "; wrote " + String.join(", ", wrote.stream().map(Path::toString).toList()))
            + (viaIndex ? " (through the offset index)" : ""));
        err.flush();
        return faults.isEmpty() ? Main.EXIT_OK : Main.EXIT_INPUT;
    }

    /**
     * Replaces the input by the connection's records, read where the capture's offset index says they are; false
     * (the input as it was) when there is no usable index or it does not hold the uid.
     */
    private boolean readThroughIndex(final TapOptions.Prepared prepared, final PrintWriter err) throws IOException
    {
        final OffsetIndex index = OffsetIndexing.usable(input, indexFile, prepared.config.uidSeed, err);
        if (index == null)
        {
            return false;
        }
        final String name = prepared.reader.inputs().get(0).name;
        try (index)
        {
            final IndexedRecords records = index.recordsOf(uid, Path.of(input.inputs.get(0)));
            if (records == null)
            {
                err.println("flowdemux: uid " + uid + " is not in the index; reading the whole capture to be sure");
                return false;
            }
            prepared.reader.close();
            prepared.reader = new MergedReader(List.of(name), List.of(records));
            prepared.reader.numberFrom(records.firstIndex());
            return true;
        }
        catch (OffsetIndex.Unusable | CaptureFormatException e)
        {
            err.println("flowdemux: the offset index: " + e.getMessage() + "; reading the whole capture");
            return false;
        }
    }

    private String summary(final Follower f, final boolean orig, final boolean resp)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(uid).append(' ').append(Addresses.format(f.addressHi(true), f.addressLo(true))).append(':')
            .append(f.port(true)).append(" -> ").append(Addresses.format(f.addressHi(false), f.addressLo(false)))
            .append(':').append(f.port(false));
        for (final boolean isOrig : new boolean[] {true, false})
        {
            if (isOrig ? !orig : !resp)
            {
                continue;
            }
            final boolean a = isOrig == f.origIsA();
            sb.append(isOrig ? "; orig " : "; resp ").append(f.bytes(a)).append(" bytes");
            if (f.gapBytes(a) > 0)
            {
                sb.append(", ").append(f.gapBytes(a)).append(" missing");
            }
            if (f.cut(a) > 0)
            {
                sb.append(", ").append(f.cut(a)).append(" past --max-bytes");
            }
        }
        if (f.overflows() > 0)
        {
            sb.append("; out-of-order buffer full ").append(f.overflows()).append(" times (holes given up early)");
        }
        return sb.toString();
    }
}
