package flowdemux.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tarball {@code mvn package} makes, as a user installs it: unpacked into an empty folder, the launcher linked
 * from a folder on the PATH, run from elsewhere; it reads the sample, completes, and has its man page.
 */
class DistIT
{
    @Test
    void theTarballUnpackedAndRunThroughASymlinkReadsTheSample(@TempDir final Path tmp) throws Exception
    {
        final Path tarball;
        try (Stream<Path> t = Files.list(Path.of("target")))
        {
            tarball = t.filter(p -> p.getFileName().toString().matches("flowdemux-.*\\.tar\\.gz")).findFirst()
                .orElseThrow(() -> new AssertionError("no target/flowdemux-*.tar.gz: mvn package makes it"));
        }
        final Path install = Files.createDirectories(tmp.resolve("opt"));
        assertEquals("", sh(install, "tar xzf '" + tarball.toAbsolutePath() + "'"));
        final Path home;
        try (Stream<Path> d = Files.list(install))
        {
            final List<Path> dirs = d.toList();
            assertEquals(1, dirs.size(), "one folder in the tarball: " + dirs);
            home = dirs.get(0);
        }
        for (final String part : List.of("analyzer", "lib/flowdemux.jar", "man/man1/analyzer.1",
            "completion/analyzer.bash", "README.md", "samples/three-tabs.pcap"))
        {
            assertTrue(Files.exists(home.resolve(part)), part + " in the tarball");
        }
        assertTrue(Files.readString(home.resolve("man/man1/analyzer.1")).startsWith(".TH ANALYZER 1"));
        final Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("analyzer"), home.resolve("analyzer"));
        final Path elsewhere = Files.createDirectories(tmp.resolve("work"));
        final String out = sh(elsewhere, "PATH='" + bin + "':$PATH analyzer read '" + home.resolve(
            "samples/three-tabs.pcap") + "' --format zeek | grep -v '^#' | cut -f 2,5,6,12");
        assertEquals("CwZWkd4AeUvzeM6bm6\t93.184.216.34\t443\tSF\nCTKqLv9ucfBFmqraqf\t93.184.216.34\t443\tSF\n"
            + "Cxe3eKFWYxlidkinxX\t93.184.216.34\t443\tSF\n", out);
        assertTrue(sh(elsewhere, "PATH='" + bin + "':$PATH analyzer completion bash").contains("_complete_analyzer"));
        // Nothing was built or written beside the installation's own files but the JVM's class cache.
        try (Stream<Path> files = Files.list(home))
        {
            assertEquals(List.of("README.md", "analyzer", "completion", "docs", "lib", "man", "samples"),
                files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private static String sh(final Path dir, final String script) throws Exception
    {
        final Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), script);
        assertEquals(0, p.exitValue(), script + "\n" + out);
        return out;
    }
}
