package flowdemux.cli;

import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user meets first: the command list, help, versions, and one clear line per bad value. */
class UsabilityTest
{
    private static final List<String> COMMANDS = List.of("read", "capture", "interfaces", "port", "generate", "bench");

    @Test
    void theAnalyzerAloneListsEveryCommandWithAWholeSummary()
    {
        final Cli r = Cli.run();
        assertEquals(1, r.exitCode);
        for (final String c : COMMANDS)
        {
            // "  read        Analyse saved captures: ...": each summary is one whole sentence.
            final String line = r.err.lines().filter(l -> l.startsWith("  " + c + " ")).findFirst().orElse("");
            assertTrue(line.strip().endsWith("."), "summary of " + c + " in: " + r.err);
        }
        final Cli help = Cli.run("--help");
        assertEquals(0, help.exitCode);
        for (final String c : COMMANDS)
        {
            assertTrue(help.out.lines().anyMatch(l -> l.startsWith("  " + c + " ") && l.strip().endsWith(".")),
                help.out);
        }
    }

    @Test
    void everyCommandPrintsTheVersion()
    {
        for (final String c : COMMANDS)
        {
            final Cli r = Cli.run(c, "-V");
            assertEquals(0, r.exitCode, c);
            assertTrue(r.out.startsWith("flowdemux "), c + ": " + r.out);
        }
    }

    @Test
    void countsAreWrittenAsPeopleWriteThem()
    {
        final Cli bench = Cli.run("bench", "--ops", "1e4", "--flows", "1000", "--rounds", "1");
        assertEquals(0, bench.exitCode, bench.err);
        assertTrue(bench.out.contains("10,000 lookups-or-inserts per run"), bench.out);
        final Cli bad = Cli.run("bench", "--ops", "1.5");
        assertEquals(1, bad.exitCode);
        assertTrue(bad.err.contains("'1.5' is not a whole number"), bad.err);
    }

    @Test
    void eachBadValueGetsALineNamingOnlyItsOption()
    {
        check(new String[] {"read", "samples/three-tabs.pcap", "--top", "-1"}, "--top", "--max-flows");
        check(new String[] {"read", "samples/three-tabs.pcap", "--max-flows", "0"}, "--max-flows", "--top");
        check(new String[] {"read", "samples/three-tabs.pcap", "--workers", "0"}, "--workers", "--max-flows");
        check(new String[] {"read", "samples/three-tabs.pcap", "--top", "all"}, "--top", "--format json, jsonl");
        check(new String[] {"generate", "--flows", "0", "-o", "x.pcap"}, "--flows", "--concurrency");
        check(new String[] {"generate", "--flows", "1e12", "-o", "x.pcap"}, "--flows", "--ipv6");
        check(new String[] {"capture", "-i", "lo", "--snaplen", "10"}, "--snaplen", "--interval");
        check(new String[] {"capture", "-i", "lo", "--interval", "0"}, "--interval", "--snaplen");
        // Contradictions, refused before anything is opened.
        check(new String[] {"capture", "-i", "lo", "--interval", "1", "--format", "zeek"}, "--interval", "--snaplen");
        check(new String[] {"capture", "-i", "lo", "--write", "a.pcap", "-o", "a.pcap"}, "--write and -o", "--top");
        check(new String[] {"read", "samples/three-tabs.pcap", "--checksums", "verify", "--ignore-checksums"},
            "--ignore-checksums contradicts --checksums verify", "--top");
    }

    private static void check(final String[] args, final String names, final String notNamed)
    {
        final Cli r = Cli.run(args);
        assertEquals(1, r.exitCode, String.join(" ", args) + ": " + r.err);
        final String first = r.err.lines().findFirst().orElse("");
        assertTrue(first.startsWith("flowdemux: ") && first.contains(names), String.join(" ", args) + ": " + r.err);
        if (!notNamed.contains(","))
        {
            assertFalse(first.contains(notNamed), first);
        }
        else
        {
            assertTrue(first.contains(notNamed), "it says what to do instead: " + first);
        }
    }

    /**
     * The launcher's first build shows what Maven printed without its colour codes (Maven 3.8 writes ESC[0m even
     * with -B and style.color=never). A stand-in mvn on the PATH prints them and builds the jar by copying it.
     */
    @Test
    void theFirstBuildPrintsNoColourCodes(@TempDir final Path tmp) throws Exception
    {
        // A jar of nothing but a manifest: this test's classes and dependencies on its Class-Path (mvn test runs
        // before mvn package, so target/flowdemux.jar may not exist yet).
        final Path jar = tmp.resolve("stand-in.jar");
        final java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "flowdemux.cli.Main");
        final StringBuilder classPath = new StringBuilder();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            classPath.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
        }
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, classPath.toString().strip());
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest))
        {
            out.flush();
        }
        final Path project = tmp.resolve("project");
        Files.createDirectories(project.resolve("src/main"));
        Files.copy(Path.of("analyzer"), project.resolve("analyzer"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        final Path bin = tmp.resolve("bin");
        Files.createDirectories(bin);
        final Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\nprintf '\\033[0m\\033[0m[INFO] building\\033[1;31m\\n'\nmkdir -p target\n"
            + "cp '" + jar + "' target/flowdemux.jar\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        final ProcessBuilder pb = new ProcessBuilder("bash", project.resolve("analyzer").toString(), "port", "443");
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        final Process p = pb.start();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertTrue(err.contains("[INFO] building"), err);
        assertFalse(err.contains("\u001b"), "no escape codes: " + err.replace("\u001b", "ESC"));
        assertTrue(out.startsWith("443/tcp: HTTPS"), out);
    }

    /**
     * The launcher runs the newest Java 21+ it finds (not an older one that sorts later), with the options that pay
     * on it; JAVA_HOME wins over the search. Fake Java homes: a release file and a bin/java that prints its arguments.
     */
    @Test
    void launcherPicksTheNewestJavaWithItsOptions(@TempDir final Path tmp) throws Exception
    {
        final Path project = fakeProject(tmp);
        final Path jar = project.resolve("target/flowdemux.jar");
        final Path jvms = tmp.resolve("jvm");
        for (final String version : new String[] {"17.0.15", "21.0.2", "25.0.1", "9-zulu"})
        {
            fakeJava(jvms.resolve("java-" + version), version, "java " + version + ": ");
        }
        final Path thp = tmp.resolve("thp-enabled");
        Files.writeString(thp, "always [madvise] never\n");
        final String newest = launch(project, jvms, null, thp);
        assertTrue(newest.startsWith("java 25.0.1: "), newest);
        assertTrue(newest.contains("-XX:+UseCompactObjectHeaders"), newest);
        assertTrue(newest.contains("--sun-misc-unsafe-memory-access=allow"), newest);
        assertTrue(newest.contains("-XX:+UseTransparentHugePages"), newest);
        assertTrue(newest.endsWith("-jar " + jar + " port 443\n"), newest);
        // Huge pages only where the kernel gives them on request: with "never" the JVM would warn on every run.
        Files.writeString(thp, "always madvise [never]\n");
        final String noHugePages = launch(project, jvms, null, thp);
        assertTrue(noHugePages.startsWith("java 25.0.1: "), noHugePages);
        assertFalse(noHugePages.contains("TransparentHugePages"), noHugePages);
        final String chosen = launch(project, jvms, jvms.resolve("java-17.0.15"), thp);
        assertEquals("java 17.0.15: -XX:+UseParallelGC -Xmn48m -XX:InlineSmallCode=1000 -jar " + jar + " port 443\n", chosen);
        // FLOWDEMUX_JAVA_OPTS_ADD adds to the chosen options (scripts/bench.sh: -XX:+CITime), in front of the jar.
        final String added = launch(project, jvms, jvms.resolve("java-17.0.15"), thp, "-XX:+CITime -Dx=1");
        assertEquals("java 17.0.15: -XX:+UseParallelGC -Xmn48m -XX:InlineSmallCode=1000 -XX:+CITime -Dx=1 -jar " + jar
            + " port 443\n", added);
    }

    /**
     * A read of capture files of at most 512 MiB in all runs on C1 alone (-XX:TieredStopAtLevel=1): C2's compiling
     * costs more than it saves there. Captures are known by their first bytes, not their names; a larger read, one
     * from standard input, or a command other than read keeps both compilers.
     */
    @Test
    void launcherRunsShortReadsOnC1Alone(@TempDir final Path tmp) throws Exception
    {
        final Path project = fakeProject(tmp);
        final Path jar = project.resolve("target/flowdemux.jar");
        final Path home = fakeJava(tmp.resolve("jvm/java-17"), "17.0.15", "");
        final Path thp = tmp.resolve("thp-enabled");
        Files.writeString(thp, "always madvise [never]\n");
        final Path pcap = tmp.resolve("small.cap");
        Files.write(pcap, new byte[] {(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0});
        final Path pcapng = tmp.resolve("small.pcapng");
        Files.write(pcapng, new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0});
        final Path notCapture = tmp.resolve("notes.pcap");
        Files.writeString(notCapture, "not a capture\n");
        final Path large = tmp.resolve("large.pcap");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(large.toFile(), "rw"))
        {
            f.write(new byte[] {(byte)0xa1, (byte)0xb2, (byte)0xc3, (byte)0xd4});
            f.setLength(513L << 20); // sparse: 513 MiB on paper
        }
        final String c1 = "-XX:TieredStopAtLevel=1";
        final java.util.function.Function<String[], String> run = args ->
        {
            try
            {
                return launch(project, tmp.resolve("jvm"), home, thp, null, args);
            }
            catch (Exception e)
            {
                throw new IllegalStateException(e);
            }
        };
        final String shortRead = run.apply(new String[] {"read", pcap.toString(), "--format", "zeek", "-o", "/dev/null"});
        assertEquals("-XX:+UseParallelGC -Xmn48m -XX:InlineSmallCode=1000 " + c1 + " -jar " + jar + " read " + pcap
            + " --format zeek -o /dev/null\n", shortRead);
        assertTrue(run.apply(new String[] {"read", pcap.toString(), pcapng.toString()}).contains(c1));
        assertTrue(run.apply(new String[] {"read", pcapng.toString(), notCapture.toString()}).contains(c1));
        assertFalse(run.apply(new String[] {"read", large.toString()}).contains(c1), "over 512 MiB");
        assertFalse(run.apply(new String[] {"read", pcap.toString(), large.toString()}).contains(c1), "over in all");
        assertFalse(run.apply(new String[] {"read", "-"}).contains(c1), "standard input");
        assertFalse(run.apply(new String[] {"read", pcap.toString(), "-"}).contains(c1), "with standard input");
        assertFalse(run.apply(new String[] {"read", notCapture.toString()}).contains(c1), "no capture");
        assertFalse(run.apply(new String[] {"port", pcap.toString()}).contains(c1), "not a read");
    }

    /** A copy of the launcher in a project whose jar is newer than its sources, so that it never builds. */
    private static Path fakeProject(final Path tmp) throws Exception
    {
        final Path project = tmp.resolve("project");
        Files.createDirectories(project.resolve("src/main"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        Files.copy(Path.of("analyzer"), project.resolve("analyzer"));
        Files.createDirectories(project.resolve("target"));
        final Path jar = project.resolve("target/flowdemux.jar");
        Files.writeString(jar, "not run");
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        return project;
    }

    /** A Java home of this version whose bin/java prints {@code prefix} and its arguments. */
    private static Path fakeJava(final Path home, final String version, final String prefix) throws Exception
    {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        final Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"" + prefix + "$*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static String launch(final Path project, final Path jvms, final Path javaHome, final Path thp)
        throws Exception
    {
        return launch(project, jvms, javaHome, thp, null);
    }

    private static String launch(final Path project, final Path jvms, final Path javaHome, final Path thp,
        final String addedOptions) throws Exception
    {
        return launch(project, jvms, javaHome, thp, addedOptions, "port", "443");
    }

    private static String launch(final Path project, final Path jvms, final Path javaHome, final Path thp,
        final String addedOptions, final String... args) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of("bash", project.resolve("analyzer").toString()));
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("FLOWDEMUX_JVM_DIRS", jvms.toString());
        pb.environment().put("FLOWDEMUX_THP_SETTING", thp.toString());
        pb.environment().remove("FLOWDEMUX_JAVA_OPTS");
        pb.environment().remove("FLOWDEMUX_JAVA_OPTS_ADD");
        if (addedOptions != null)
        {
            pb.environment().put("FLOWDEMUX_JAVA_OPTS_ADD", addedOptions);
        }
        if (javaHome == null)
        {
            pb.environment().remove("JAVA_HOME");
        }
        else
        {
            pb.environment().put("JAVA_HOME", javaHome.toString());
        }
        final Process p = pb.start();
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return out;
    }

    @Test
    void interfacesWriteIpv6AddressesCompressedWithTheirPrefix()
    {
        flowdemux.LibpcapRequirement.require();
        final Cli r = Cli.run("interfaces");
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.contains("    127.0.0.1/8\n"), r.out);
        assertFalse(r.out.contains("0:0:0:0:0:0:0:1"), r.out);
        if (r.out.contains("::1"))
        {
            assertTrue(r.out.contains("    ::1/128\n"), r.out);
        }
    }
}
