package flowdemux.demux;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's directions as raw bytes, {@code DIR/UID.orig} and {@code DIR/UID.resp}, and its gaps in
 * {@code DIR/UID.gaps.tsv} (side, offset, length). Written to hidden partial files by key side (A, B) and moved to
 * their names at {@link #commit}, when which side is the originator is known for good: the files appear whole or
 * not at all.
 */
public final class FollowFiles implements Follower.Sink, AutoCloseable
{
    /** Gap rows kept; beyond, a last row says how many more there were. */
    static final int MAX_GAP_ROWS = 1_000_000;

    private final Path dir;
    private final String uid;
    private final Path partialA;
    private final Path partialB;
    private final OutputStream a;
    private final OutputStream b;
    private final List<long[]> gaps = new ArrayList<>();
    private long gapsNotListed;

    public FollowFiles(final Path dir, final String uid)
    {
        this.dir = dir;
        this.uid = uid;
        this.partialA = dir.resolve("." + uid + ".a.partial");
        this.partialB = dir.resolve("." + uid + ".b.partial");
        this.a = open(partialA);
        this.b = open(partialB);
    }

    @Override
    public void data(final boolean isA, final long offset, final byte[] bytes, final int from, final int length,
        final long nanos)
    {
        try
        {
            (isA ? a : b).write(bytes, from, length);
        }
        catch (IOException e)
        {
            throw new OutputFault(target(isA ? "a" : "b"), e);
        }
    }

    @Override
    public void gap(final boolean isA, final long offset, final long length, final long nanos)
    {
        if (gaps.size() < MAX_GAP_ROWS)
        {
            gaps.add(new long[] {isA ? 1 : 0, offset, length});
        }
        else
        {
            gapsNotListed++;
        }
    }

    /**
     * Moves the sides asked for to their names (the originator's to .orig) and writes the gaps; the other side's
     * partial file is removed.
     */
    public List<Path> commit(final boolean origIsA, final boolean orig, final boolean resp)
    {
        closeStreams();
        final List<Path> wrote = new ArrayList<>();
        final Path origFile = dir.resolve(uid + ".orig");
        final Path respFile = dir.resolve(uid + ".resp");
        final Path gapFile = dir.resolve(uid + ".gaps.tsv");
        final StringBuilder tsv = new StringBuilder("side\toffset\tlength\n");
        for (final long[] g : gaps)
        {
            final boolean isOrig = (g[0] == 1) == origIsA;
            if (isOrig ? orig : resp)
            {
                tsv.append(isOrig ? "orig" : "resp").append('\t').append(g[1]).append('\t').append(g[2]).append('\n');
            }
        }
        if (gapsNotListed > 0)
        {
            tsv.append("# ").append(gapsNotListed).append(" more gaps not listed\n");
        }
        final Path partialGaps = dir.resolve("." + uid + ".gaps.partial");
        try
        {
            Files.writeString(partialGaps, tsv, StandardCharsets.UTF_8);
        }
        catch (IOException e)
        {
            throw new OutputFault(gapFile, e);
        }
        move(origIsA ? partialA : partialB, orig ? origFile : null, wrote);
        move(origIsA ? partialB : partialA, resp ? respFile : null, wrote);
        move(partialGaps, gapFile, wrote);
        return wrote;
    }

    /** Removes what was not committed. */
    @Override
    public void close()
    {
        closeStreams();
        for (final Path p : List.of(partialA, partialB, dir.resolve("." + uid + ".gaps.partial")))
        {
            try
            {
                Files.deleteIfExists(p);
            }
            catch (IOException e)
            {
                // a hidden .partial file left behind; nothing else is lost
            }
        }
    }

    private void move(final Path from, final Path to, final List<Path> wrote)
    {
        try
        {
            if (to == null)
            {
                Files.deleteIfExists(from);
                return;
            }
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            wrote.add(to);
        }
        catch (IOException e)
        {
            throw new OutputFault(to == null ? from : to, e);
        }
    }

    private void closeStreams()
    {
        IOException first = null;
        for (final OutputStream s : new OutputStream[] {a, b})
        {
            try
            {
                s.close();
            }
            catch (IOException e)
            {
                first = first == null ? e : first;
            }
        }
        if (first != null)
        {
            throw new OutputFault(dir.resolve(uid + ".orig"), first);
        }
    }

    private Path target(final String side)
    {
        return dir.resolve(uid + "." + side);
    }

    private static OutputStream open(final Path p)
    {
        try
        {
            return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
        }
        catch (IOException e)
        {
            throw new OutputFault(p, e);
        }
    }
}
