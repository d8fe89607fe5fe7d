package flowdemux.cli;

import flowdemux.demux.OffsetIndex;
import flowdemux.demux.OffsetIndexWriter;
import flowdemux.source.MergedReader;
import flowdemux.util.IoErrors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What read --index and split --offset-index share: where F.fdx goes, when it can be written, and its finish. */
final class OffsetIndexing
{
    private final String input;
    private final Path target;
    private final OffsetIndexWriter writer;

    private OffsetIndexing(final String input, final Path target, final OffsetIndexWriter writer)
    {
        this.input = input;
        this.target = target;
        this.writer = writer;
    }

    /**
     * Starts the index of the one capture {@code input} (at {@code indexFile}, or beside it); null when it cannot be
     * made (the line was printed).
     */
    static OffsetIndexing start(final String input, final Path indexFile, final MergedReader reader,
        final PrintWriter err)
    {
        final Path target = indexFile != null ? indexFile : Path.of(input + ".fdx");
        if (!reader.seekable())
        {
            err.println(notSeekable(input));
            return null;
        }
        try
        {
            return new OffsetIndexing(input, target, new OffsetIndexWriter(target));
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + target + ": cannot write: " + IoErrors.reason(e));
            return null;
        }
    }

    OffsetIndexWriter tap()
    {
        return writer;
    }

    /**
     * Writes the index when the read went to the end ({@code complete}) of a capture whose records can be read
     * alone; else removes it. False when no index was written (the line was printed).
     */
    boolean finish(final boolean complete, final MergedReader reader, final long uidSeed, final String key,
        final PrintWriter err)
    {
        try (writer)
        {
            if (!complete)
            {
                err.println("flowdemux: no index written: the capture was not read to its end");
                return false;
            }
            if (!reader.seekable())
            {
                err.println(notSeekable(input));
                return false;
            }
            writer.finish(Path.of(input), uidSeed, key);
            return true;
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + target + ": cannot write: " + IoErrors.reason(e) + "; no index written");
            return false;
        }
    }

    /**
     * The usable offset index of the one capture file of {@code input} (at {@code indexFile}, or F.fdx beside it),
     * or null: none there, or one that does not fit (stale, damaged, made with other options: the line saying so is
     * printed, and the caller reads the whole capture).
     */
    static OffsetIndex usable(final TapOptions input, final Path indexFile, final long uidSeed, final PrintWriter err)
    {
        final Path capture = Path.of(input.inputs.get(0));
        final Path fdx = indexFile != null ? indexFile : Path.of(input.inputs.get(0) + ".fdx");
        if (!java.nio.file.Files.exists(fdx))
        {
            if (indexFile != null)
            {
                err.println("flowdemux: --index-file " + indexFile + ": no such file; reading the whole capture");
            }
            return null;
        }
        try
        {
            return OffsetIndex.open(fdx, capture, uidSeed,
                IndexKey.of(input.bpf, input.filters, input.connection, input.maxFlows));
        }
        catch (OffsetIndex.Unusable e)
        {
            err.println("flowdemux: " + fdx + ": " + e.getMessage() + "; reading the whole capture"
                + (e.getMessage().startsWith("stale") ? " (read --index writes it anew)" : ""));
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + fdx + ": cannot read: " + IoErrors.reason(e) + "; reading the whole capture");
        }
        return null;
    }

    /** Whether the inputs are one capture file, the only kind an index is made of. */
    static boolean oneFile(final TapOptions input)
    {
        return input.inputs.size() == 1 && !"-".equals(input.inputs.get(0));
    }

    private static String notSeekable(final String input)
    {
        return "flowdemux: no index written: the records of " + input + " cannot be read alone at their offsets (a "
            + "compressed file, a pipe, or pcapng with interfaces described after its first packets or simple "
            + "packet blocks, which take the time of the packet before)";
    }
}
