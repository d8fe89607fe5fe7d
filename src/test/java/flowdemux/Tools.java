package flowdemux;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Programs tests compare against (nfcapd, tshark, ...), which .ci/run installs. */
public final class Tools
{
    private Tools()
    {
    }

    /**
     * The program's path; without it the test is skipped with the reason, or fails where the system property
     * {@code flowdemux.requireLive} is true (CI, where everything must run).
     */
    public static String require(final String name, final String debianPackage)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final Path p = Path.of(dir, name);
            if (Files.isExecutable(p))
            {
                return p.toString();
            }
        }
        if (Boolean.getBoolean("flowdemux.requireLive"))
        {
            throw new AssertionError(name + " is required here (.ci/run installs " + debianPackage + ") but is not "
                + "installed");
        }
        Assumptions.abort(name + " is not installed (Debian: apt-get install " + debianPackage + ")");
        return null;
    }
}
