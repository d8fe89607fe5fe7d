package flowdemux.demux;

import flowdemux.util.Addresses;

import java.io.PrintWriter;

/**
 * A connection's two directions interleaved as they were sent, for a terminal (as Wireshark's Follow Stream): a
 * line naming the side and where its bytes sit before each run of one side's bytes, printable ASCII as it is (with
 * tabs and line ends; CR LF as a line end), a backslash doubled, every other byte escaped as \xHH, and each gap on a line of its own.
 */
public final class FollowText implements Follower.Sink
{
    private final PrintWriter out;
    private final boolean orig;
    private final boolean resp;
    private final StringBuilder line = new StringBuilder(256);
    private Follower follower;
    private int lastSide = -1;
    private boolean headed;
    private boolean atLineStart = true;

    /** @param orig, resp which sides to show */
    public FollowText(final PrintWriter out, final boolean orig, final boolean resp)
    {
        this.out = out;
        this.orig = orig;
        this.resp = resp;
    }

    /** The follower whose connection this shows (its endpoints and its view of which side is the originator). */
    public void of(final Follower follower)
    {
        this.follower = follower;
    }

    @Override
    public void data(final boolean a, final long offset, final byte[] bytes, final int from, final int length,
        final long nanos)
    {
        final boolean isOrig = a == follower.origIsA();
        if (!(isOrig ? orig : resp))
        {
            return;
        }
        head();
        final int side = isOrig ? 0 : 1;
        if (side != lastSide)
        {
            endLine();
            out.printf("%s %s, from byte %d at %s%n", isOrig ? ">>>" : "<<<", isOrig ? "orig" : "resp", offset,
                ConnectionIndex.seconds(nanos));
            lastSide = side;
        }
        line.setLength(0);
        for (int i = from; i < from + length; i++)
        {
            final int c = bytes[i] & 0xFF;
            if (c == '\n')
            {
                line.append('\n');
            }
            else if (c == '\\')
            {
                line.append("\\\\"); // so that an escape in the text cannot pass for one of ours
            }
            else if (c == '\t' || (c >= 0x20 && c < 0x7F))
            {
                line.append((char)c);
            }
            else if (c == '\r' && i + 1 < from + length && bytes[i + 1] == '\n')
            {
                // CRLF ends a line, as it does on the wire for most text protocols
            }
            else
            {
                line.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        if (line.length() > 0)
        {
            out.append(line);
            atLineStart = line.charAt(line.length() - 1) == '\n';
        }
    }

    @Override
    public void gap(final boolean a, final long offset, final long length, final long nanos)
    {
        final boolean isOrig = a == follower.origIsA();
        if (!(isOrig ? orig : resp))
        {
            return;
        }
        head();
        endLine();
        out.printf("[%s: %d bytes missing from byte %d]%n", isOrig ? "orig" : "resp", length, offset);
        lastSide = -1;
    }

    /** Ends the last line. */
    public void end()
    {
        endLine();
        out.flush();
    }

    private void head()
    {
        if (!headed)
        {
            headed = true;
            out.printf("%s %s:%d -> %s:%d%n", follower.protocol() == 6 ? "tcp" : follower.protocol() == 17 ? "udp"
                    : "ip-proto-" + follower.protocol(),
                Addresses.format(follower.addressHi(true), follower.addressLo(true)), follower.port(true),
                Addresses.format(follower.addressHi(false), follower.addressLo(false)), follower.port(false));
        }
    }

    private void endLine()
    {
        if (!atLineStart)
        {
            out.println();
            atLineStart = true;
        }
    }
}
