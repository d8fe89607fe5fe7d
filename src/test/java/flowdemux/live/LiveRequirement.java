package flowdemux.live;

import org.junit.jupiter.api.Assumptions;
import org.pcap4j.core.Pcaps;

/**
 * Live-capture tests need root and libpcap. Without them they are skipped with the reason, unless the system
 * property {@code flowdemux.requireLive} is true (.ci/run sets it), which turns the skip into a failure.
 */
final class LiveRequirement
{
    private LiveRequirement()
    {
    }

    static void require()
    {
        String why = null;
        if (!"root".equals(System.getProperty("user.name")))
        {
            why = "live capture needs root (user is " + System.getProperty("user.name") + ")";
        }
        else
        {
            try
            {
                Pcaps.findAllDevs();
            }
            catch (Throwable e)
            {
                why = "libpcap is not usable: " + e;
            }
        }
        if (why != null)
        {
            if (Boolean.getBoolean("flowdemux.requireLive"))
            {
                throw new AssertionError("live capture tests are required here but cannot run: " + why);
            }
            Assumptions.abort(why);
        }
    }

    /**
     * A program a live test compares against (tshark, tcpdump): its path, or the test is skipped with the reason,
     * or fails where {@code flowdemux.requireLive} is true (.ci/run installs them).
     */
    static String requireTool(final String name)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator))
        {
            final java.nio.file.Path p = java.nio.file.Path.of(dir, name);
            if (java.nio.file.Files.isExecutable(p))
            {
                return p.toString();
            }
        }
        final String why = name + " is not installed";
        if (Boolean.getBoolean("flowdemux.requireLive"))
        {
            throw new AssertionError("live capture tests are required here but cannot run: " + why);
        }
        Assumptions.abort(why);
        return null;
    }

    /**
     * A class path the user "nobody" can read: copies of the jars in {@code tmp} (made world-readable; the local
     * Maven repository under root's home is not), and target/classes, which is.
     */
    static String classPathForNobody(final java.nio.file.Path tmp) throws java.io.IOException
    {
        java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        final StringBuilder classPath = new StringBuilder();
        int i = 0;
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final java.nio.file.Path from = java.nio.file.Path.of(entry);
            if (!java.nio.file.Files.isRegularFile(from))
            {
                continue; // the class folders: target/ is world-readable; added below
            }
            final java.nio.file.Path to = tmp.resolve((i++) + "-" + from.getFileName());
            java.nio.file.Files.copy(from, to);
            java.nio.file.Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            classPath.append(to).append(java.io.File.pathSeparator);
        }
        return classPath.append(java.nio.file.Path.of("target/classes").toAbsolutePath()).toString();
    }
}
