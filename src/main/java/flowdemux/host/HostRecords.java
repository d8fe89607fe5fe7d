package flowdemux.host;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What attribution knew, as the payload of pcapng custom blocks that {@code capture --write F.pcapng} keeps with the
 * packets, so that {@code read F.pcapng} names the same programs. UTF-8 text, one record a block, tab-separated
 * fields (tab, newline and backslash escaped as \t, \n, \\), the first field the record's kind:
 * <pre>
 * flowdemux-host 1 TAB addresses TAB ADDR...                      the host's addresses (the first block)
 * flowdemux-host 1 TAB listening TAB start|end TAB socket...      listening sockets: proto addr port uid user N program...
 * flowdemux-host 1 TAB connection TAB serial proto aAddr aPort bAddr bPort firstNanos ownerA ownerB
 * </pre>
 * A program is pid, name, user, cgroup; an owner is its kind ("-" for none: not local), whether through the listener
 * (0/1), the user, and a program (pid -1 and empty fields when there is none).
 */
public final class HostRecords
{
    /** The custom block's Private Enterprise Number: 32473, RFC 5612's for documentation (as the IPFIX export). */
    public static final int PEN = 32473;
    static final String TAG = "flowdemux-host 1";

    private HostRecords()
    {
    }

    public static byte[] addresses(final long[] addresses)
    {
        final List<String> f = new ArrayList<>(List.of(TAG, "addresses"));
        for (int i = 0; i + 1 < addresses.length; i += 2)
        {
            f.add(hi(addresses[i]) + ":" + hi(addresses[i + 1]));
        }
        return join(f);
    }

    public static byte[] listening(final String when, final List<Listener> listeners)
    {
        final List<String> f = new ArrayList<>(List.of(TAG, "listening", when));
        for (final Listener l : listeners)
        {
            f.add(Integer.toString(l.protocol()));
            f.add(hi(l.hi()) + ":" + hi(l.lo()));
            f.add(Integer.toString(l.port()));
            f.add(Integer.toString(l.uid()));
            f.add(l.user());
            f.add(Integer.toString(l.programs().size()));
            for (final Program p : l.programs())
            {
                program(f, p);
            }
        }
        return join(f);
    }

    public static byte[] connection(final LocalConnection c)
    {
        final List<String> f = new ArrayList<>(List.of(TAG, "connection", Long.toString(c.serial),
            Integer.toString(c.protocol), hi(c.aHi) + ":" + hi(c.aLo), Integer.toString(c.aPort),
            hi(c.bHi) + ":" + hi(c.bLo), Integer.toString(c.bPort), Long.toString(c.firstNanos)));
        owner(f, c.ownerA);
        owner(f, c.ownerB);
        return join(f);
    }

    /**
     * Adds what one block says to {@code into}; false if the block is not one of these (another tool's) or does not
     * parse, which a reader skips as pcapng says to skip custom blocks it does not know.
     */
    public static boolean read(final byte[] data, final int offset, final int length, final Attribution into)
    {
        int end = length;
        while (end > 0 && data[offset + end - 1] == 0)
        {
            end--; // the block's padding to 32 bits: pcapng gives custom data no length of its own
        }
        final String text = new String(data, offset, end, StandardCharsets.UTF_8);
        final String[] f = text.split("\t", -1);
        if (f.length < 2 || !f[0].equals(TAG))
        {
            return false;
        }
        for (int i = 0; i < f.length; i++)
        {
            f[i] = unescape(f[i]);
        }
        try
        {
            switch (f[1])
            {
                case "addresses":
                {
                    final long[] a = new long[(f.length - 2) * 2];
                    for (int i = 2; i < f.length; i++)
                    {
                        final long[] w = address(f[i]);
                        a[(i - 2) * 2] = w[0];
                        a[(i - 2) * 2 + 1] = w[1];
                    }
                    into.adopt(a, null, null);
                    return true;
                }
                case "listening":
                {
                    final List<Listener> list = new ArrayList<>();
                    int i = 3;
                    while (i + 6 <= f.length)
                    {
                        final long[] a = address(f[i + 1]);
                        final int n = Integer.parseInt(f[i + 5]);
                        final List<Program> programs = new ArrayList<>();
                        int at = i + 6;
                        for (int k = 0; k < n; k++, at += 4)
                        {
                            programs.add(new Program(Integer.parseInt(f[at]), f[at + 1], f[at + 2], f[at + 3]));
                        }
                        list.add(new Listener(Integer.parseInt(f[i]), a[0], a[1], Integer.parseInt(f[i + 2]),
                            Integer.parseInt(f[i + 3]), f[i + 4], List.copyOf(programs)));
                        i = at;
                    }
                    if (f[2].equals("start"))
                    {
                        into.adopt(null, list, null);
                    }
                    else
                    {
                        into.adopt(null, null, list);
                    }
                    return true;
                }
                case "connection":
                {
                    final long[] a = address(f[4]);
                    final long[] b = address(f[6]);
                    final LocalConnection c = new LocalConnection(Long.parseLong(f[2]), Integer.parseInt(f[3]), a[0],
                        a[1], Integer.parseInt(f[5]), b[0], b[1], Integer.parseInt(f[7]), Long.parseLong(f[8]));
                    into.put(c.owners(owner(f, 9), owner(f, 9 + 7)));
                    return true;
                }
                default:
                    return false;
            }
        }
        catch (RuntimeException e)
        {
            return false;
        }
    }

    private static void program(final List<String> f, final Program p)
    {
        f.add(Integer.toString(p.pid()));
        f.add(p.name());
        f.add(p.user());
        f.add(p.cgroup());
    }

    /** Seven fields: kind, via listener, user, pid, name, user, cgroup. */
    private static void owner(final List<String> f, final Owner o)
    {
        if (o == null)
        {
            f.addAll(List.of("-", "0", "", "-1", "", "", ""));
            return;
        }
        f.add(o.kind().name());
        f.add(o.viaListener() ? "1" : "0");
        f.add(o.user() == null ? "" : o.user());
        if (o.program() == null)
        {
            f.addAll(List.of("-1", "", "", ""));
        }
        else
        {
            program(f, o.program());
        }
    }

    private static Owner owner(final String[] f, final int at)
    {
        if (f[at].equals("-"))
        {
            return null;
        }
        final Owner.Kind kind = Owner.Kind.valueOf(f[at]);
        final Program p = kind == Owner.Kind.PROGRAM
            ? new Program(Integer.parseInt(f[at + 3]), f[at + 4], f[at + 5], f[at + 6]) : null;
        return new Owner(kind, p, f[at + 2].isEmpty() ? null : f[at + 2], f[at + 1].equals("1"));
    }

    private static String hi(final long word)
    {
        return Long.toHexString(word);
    }

    private static long[] address(final String s)
    {
        final int colon = s.indexOf(':');
        return new long[] {Long.parseUnsignedLong(s.substring(0, colon), 16),
            Long.parseUnsignedLong(s.substring(colon + 1), 16)};
    }

    private static byte[] join(final List<String> fields)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String s : fields)
        {
            if (sb.length() > 0)
            {
                sb.append('\t');
            }
            escape(sb, s);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void escape(final StringBuilder sb, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c);
            }
        }
    }

    private static String unescape(final String s)
    {
        if (s.indexOf('\\') < 0)
        {
            return s;
        }
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length())
            {
                final char n = s.charAt(++i);
                sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
