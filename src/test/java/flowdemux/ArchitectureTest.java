package flowdemux;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each package is one stage of the pipeline and imports only the stages below it (STYLE.md, section 3). */
class ArchitectureTest
{
    private static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
        Map.entry("util", Set.of()),
        Map.entry("source", Set.of("util")),
        Map.entry("decode", Set.of("source", "util")),
        Map.entry("ports", Set.of("util")),
        Map.entry("host", Set.of("util")),
        Map.entry("reassembly", Set.of("util")),
        Map.entry("service", Set.of("reassembly", "util")),
        Map.entry("flow", Set.of("decode", "source", "ports", "host", "service", "reassembly", "util")),
        Map.entry("pipeline", Set.of("flow", "service", "decode", "source", "ports", "util")),
        Map.entry("report", Set.of("flow", "host", "service", "decode", "source", "ports", "util")),
        Map.entry("synth", Set.of("source", "util")),
        Map.entry("perf", Set.of("flow", "service", "decode", "source", "ports", "util")),
        Map.entry("export", Set.of("flow", "service", "decode", "source", "ports", "util")),
        Map.entry("demux", Set.of("pipeline", "flow", "service", "reassembly", "decode", "source", "ports", "util")),
        Map.entry("cli", Set.of("demux", "pipeline", "service", "reassembly", "report", "export", "flow", "host", "decode", "source", "ports", "util", "synth", "perf")));

    @Test
    void packagesImportOnlyDownward() throws IOException
    {
        final Pattern imp = Pattern.compile("^import (?:static )?flowdemux\\.(\\w+)\\.", Pattern.MULTILINE);
        final List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/flowdemux")))
        {
            for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".java"))::iterator)
            {
                final String pkg = f.getParent().getFileName().toString();
                final String text = Files.readString(f);
                final Matcher m = imp.matcher(text);
                while (m.find())
                {
                    if (!m.group(1).equals(pkg) && !MAY_IMPORT.getOrDefault(pkg, Set.of()).contains(m.group(1)))
                    {
                        violations.add(f + " imports flowdemux." + m.group(1));
                    }
                }
                final Matcher inline = Pattern.compile("flowdemux\\.(\\w+)\\.[A-Z]").matcher(text);
                while (inline.find())
                {
                    final String target = inline.group(1);
                    if (!target.equals(pkg) && !MAY_IMPORT.getOrDefault(pkg, Set.of()).contains(target))
                    {
                        violations.add(f + " names flowdemux." + target);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    /**
     * One owner for the flow slot: its field offsets are private to FlowSlot, and only FlowSlot and FlowTable reach
     * the store's pages, so no class can index a connection's longs by hand again.
     */
    @Test
    void onlyFlowSlotReadsTheFlowStore() throws IOException
    {
        final Pattern raw = Pattern.compile("\\.page\\(|FlowTable\\.base\\(|\\bFlowLayout\\b");
        final List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src")))
        {
            for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".java"))::iterator)
            {
                final String name = f.getFileName().toString();
                if (name.equals("FlowSlot.java") || name.equals("FlowTable.java"))
                {
                    continue;
                }
                final Matcher m = raw.matcher(Files.readString(f));
                if (m.find())
                {
                    violations.add(f + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
