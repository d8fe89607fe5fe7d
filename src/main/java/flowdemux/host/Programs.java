package flowdemux.host;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which process holds a socket inode: the links of /proc/PID/fd ("socket:[INODE]"), kept in a cache that is rebuilt
 * when an inode is not in it (at most once per {@link #newRound}), and checked on every hit (the link must still
 * name the inode), so that a pid reused by another program is never reported for a socket it does not hold.
 */
public final class Programs
{
    private final Path proc;
    private final Path passwd;
    /** inode to its holders, pid << 32 | fd each (a socket inherited across fork has several). */
    private final Map<Long, long[]> holders = new HashMap<>();
    private final Map<Integer, String> userNames = new HashMap<>();
    /** Programs read this second, by pid << 32 ^ start time. */
    private final Map<Long, Program> described = new HashMap<>();
    private long describedSince = System.nanoTime();
    private boolean scannedThisRound;
    private int deniedPids;
    private long scans;

    public Programs(final Path proc, final Path passwd)
    {
        this.proc = proc;
        this.passwd = passwd;
    }

    /** The system's /proc and /etc/passwd. */
    public static Programs system()
    {
        return new Programs(Path.of("/proc"), Path.of("/etc/passwd"));
    }

    /** Lets the next miss rescan /proc; descriptions older than a second are read again. */
    public void newRound()
    {
        scannedThisRound = false;
        final long now = System.nanoTime();
        if (now - describedSince > 1_000_000_000L)
        {
            described.clear();
            describedSince = now;
        }
    }

    /** Processes whose descriptors the last scan could not read (other users' without root or CAP_SYS_PTRACE). */
    public int deniedPids()
    {
        return deniedPids;
    }

    public long scans()
    {
        return scans;
    }

    /** The process holding socket {@code inode} (the lowest pid if several do), or null if none this scan sees. */
    public Program holder(final long inode)
    {
        final List<Program> all = holders(inode);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Every process holding socket {@code inode}, by pid. */
    public List<Program> holders(final long inode)
    {
        if (inode == 0)
        {
            return List.of();
        }
        List<Program> p = verified(inode);
        if (p.isEmpty() && !scannedThisRound)
        {
            scan();
            p = verified(inode);
        }
        return p;
    }

    private List<Program> verified(final long inode)
    {
        final long[] at = holders.get(inode);
        if (at == null)
        {
            return List.of();
        }
        final List<Program> out = new ArrayList<>(1);
        for (final long h : at)
        {
            final int pid = (int)(h >>> 32);
            final int fd = (int)h;
            try
            {
                final String link = Files.readSymbolicLink(proc.resolve(pid + "/fd/" + fd)).toString();
                if (link.equals("socket:[" + inode + "]"))
                {
                    final Program p = described(pid);
                    if (p != null)
                    {
                        out.add(p);
                    }
                }
            }
            catch (IOException | RuntimeException e)
            {
                // closed or ended since the scan
            }
        }
        if (out.isEmpty())
        {
            holders.remove(inode);
        }
        out.sort(java.util.Comparator.comparingInt(Program::pid));
        return out;
    }

    private void scan()
    {
        scannedThisRound = true;
        scans++;
        holders.clear();
        int denied = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc))
        {
            for (final Path dir : pids)
            {
                final int pid = pidOf(dir.getFileName().toString());
                if (pid <= 0)
                {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir.resolve("fd")))
                {
                    for (final Path fd : fds)
                    {
                        final String link;
                        try
                        {
                            link = Files.readSymbolicLink(fd).toString();
                        }
                        catch (IOException | RuntimeException e)
                        {
                            continue;
                        }
                        if (link.startsWith("socket:[") && link.endsWith("]"))
                        {
                            final int n = pidOf(fd.getFileName().toString());
                            final long inode = parseLong(link.substring(8, link.length() - 1));
                            if (n >= 0 && inode > 0)
                            {
                                final long h = (long)pid << 32 | n;
                                holders.merge(inode, new long[] {h}, Programs::sameProcessOnce);
                            }
                        }
                    }
                }
                catch (AccessDeniedException e)
                {
                    denied++;
                }
                catch (IOException | RuntimeException e)
                {
                    // the process ended during the scan
                }
            }
        }
        catch (IOException e)
        {
            // no /proc: nothing can be attributed, which the caller reports as such
        }
        deniedPids = denied;
    }

    /**
     * What {@code pid} is, as read within the last second (a program's name, user and cgroup seldom change; an exec
     * in place may show its new name a second late; the caller has just checked that the pid holds the socket).
     */
    private Program described(final int pid)
    {
        // Keyed by the process's start time too: a pid that ended and was reused is another process.
        final long started = startTime(pid);
        if (started < 0)
        {
            return describe(pid);
        }
        final long key = (long)pid << 32 ^ started;
        Program p = described.get(key);
        if (p == null)
        {
            p = describe(pid);
            if (p != null)
            {
                described.put(key, p);
            }
        }
        return p;
    }

    /** Field 22 of /proc/PID/stat (clock ticks since boot), or -1 when it cannot be read. */
    private long startTime(final int pid)
    {
        try
        {
            final String stat = Files.readString(proc.resolve(pid + "/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]);
        }
        catch (IOException | RuntimeException e)
        {
            return -1;
        }
    }

    /** What {@code pid} is now, or null if it has ended. */
    public Program describe(final int pid)
    {
        final Path dir = proc.resolve(Integer.toString(pid));
        try
        {
            final String name = Files.readString(dir.resolve("comm")).strip();
            int uid = -1;
            for (final String line : Files.readAllLines(dir.resolve("status")))
            {
                if (line.startsWith("Uid:"))
                {
                    uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                    break;
                }
            }
            return new Program(pid, name, uid < 0 ? "-" : user(uid), cgroup(dir));
        }
        catch (IOException | RuntimeException e)
        {
            return null;
        }
    }

    /** The v2 path ("0::/system.slice/x.service"); on v1, the systemd hierarchy's or the first one's. */
    private static String cgroup(final Path dir)
    {
        try
        {
            final List<String> lines = Files.readAllLines(dir.resolve("cgroup"));
            String first = null;
            for (final String line : lines)
            {
                final int a = line.indexOf(':');
                final int b = a < 0 ? -1 : line.indexOf(':', a + 1);
                if (b < 0)
                {
                    continue;
                }
                final String controllers = line.substring(a + 1, b);
                final String path = line.substring(b + 1);
                if (controllers.isEmpty() || controllers.equals("name=systemd"))
                {
                    return path;
                }
                if (first == null)
                {
                    first = path;
                }
            }
            return first == null ? "-" : first;
        }
        catch (IOException | RuntimeException e)
        {
            return "-";
        }
    }

    /** The name /etc/passwd gives {@code uid}, else the number. */
    public String user(final int uid)
    {
        if (userNames.isEmpty())
        {
            try
            {
                for (final String line : Files.readAllLines(passwd))
                {
                    final String[] f = line.split(":", -1);
                    if (f.length > 2)
                    {
                        userNames.putIfAbsent(Integer.parseInt(f[2]), f[0]);
                    }
                }
            }
            catch (IOException | RuntimeException e)
            {
                // names stay numbers
            }
            userNames.putIfAbsent(-2, "");
        }
        return userNames.getOrDefault(uid, Integer.toString(uid));
    }

    /** One descriptor per process: a process holding a socket twice (dup) is one holder. */
    private static long[] sameProcessOnce(final long[] known, final long[] added)
    {
        for (final long h : known)
        {
            if (h >>> 32 == added[0] >>> 32)
            {
                return known;
            }
        }
        final long[] all = java.util.Arrays.copyOf(known, known.length + 1);
        all[known.length] = added[0];
        return all;
    }

    private static int pidOf(final String name)
    {
        if (name.isEmpty() || name.length() > 9)
        {
            return -1;
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return -1;
            }
        }
        return Integer.parseInt(name);
    }

    private static long parseLong(final String s)
    {
        try
        {
            return Long.parseLong(s);
        }
        catch (NumberFormatException e)
        {
            return -1;
        }
    }
}
