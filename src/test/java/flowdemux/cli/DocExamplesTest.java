package flowdemux.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation cannot drift from the tool: every {@code console} block of README.md and docs/ is run, and what
 * it shows must be what the commands print. In a block, a line starting with {@code $ } is a command (run by bash in
 * the checkout, {@code ./analyzer} being this build), the lines after it are what it prints on standard output and
 * standard error together, and a line {@code ...} stands for any number of lines left out (timings, long tables).
 * Blocks of any other kind ({@code text}, none) are not run.
 */
class DocExamplesTest
{
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    @Test
    void everyConsoleExampleShowsWhatTheCommandPrints() throws Exception
    {
        int commands = 0;
        final List<String> wrong = new ArrayList<>();
        for (final Path page : pages())
        {
            for (final Example e : examples(page))
            {
                commands++;
                final List<String> got = run(e.command);
                if (!matches(e.expected, 0, got, 0))
                {
                    wrong.add(page + ": $ " + e.command + "\n  shown:\n    " + String.join("\n    ", e.expected)
                        + "\n  printed:\n    " + String.join("\n    ", got));
                }
            }
        }
        System.out.printf("documentation: %d example commands run, %d differ%n", commands, wrong.size());
        assertTrue(commands >= 4, commands + " example commands");
        assertEquals("", String.join("\n\n", wrong));
    }

    @Test
    void theReadmeIsShortAndEveryPageLinksOnlyToFilesThatExist() throws Exception
    {
        final long size = Files.size(Path.of("README.md"));
        assertTrue(size <= 12 * 1024, "README.md is " + size + " bytes; the front door stays under 12 KiB");
        final List<String> broken = new ArrayList<>();
        for (final Path page : pages())
        {
            final Matcher m = LINK.matcher(Files.readString(page));
            while (m.find())
            {
                final String target = m.group(1);
                if (!target.contains("://") && !Files.exists(page.toAbsolutePath().getParent().resolve(target)))
                {
                    broken.add(page + " -> " + target);
                }
            }
        }
        assertEquals(List.of(), broken);
        // Two clicks from the README: every page of docs/ is linked from it.
        final String readme = Files.readString(Path.of("README.md"));
        for (final Path page : pages())
        {
            if (!page.toString().equals("README.md"))
            {
                assertTrue(readme.contains("](docs/" + page.getFileName() + ")"), page + " is not linked from "
                    + "README.md");
            }
        }
    }

    /** Whether {@code got} from {@code j} on is {@code shown} from {@code i} on, a "..." line standing for any lines. */
    static boolean matches(final List<String> shown, final int i, final List<String> got, final int j)
    {
        if (i == shown.size())
        {
            return j == got.size();
        }
        if (shown.get(i).equals("..."))
        {
            for (int k = j; k <= got.size(); k++)
            {
                if (matches(shown, i + 1, got, k))
                {
                    return true;
                }
            }
            return false;
        }
        return j < got.size() && shown.get(i).stripTrailing().equals(got.get(j).stripTrailing())
            && matches(shown, i + 1, got, j + 1);
    }

    @Test
    void theWildcardLineStandsForAnyNumberOfLines()
    {
        assertTrue(matches(List.of("a", "...", "d"), 0, List.of("a", "b", "c", "d"), 0));
        assertTrue(matches(List.of("a", "...", "d"), 0, List.of("a", "d"), 0));
        assertTrue(!matches(List.of("a", "...", "d"), 0, List.of("a", "b", "c"), 0));
        assertTrue(!matches(List.of("a", "b"), 0, List.of("a", "c"), 0));
    }

    private record Example(String command, List<String> expected)
    {
    }

    private static List<Path> pages() throws IOException
    {
        final List<Path> pages = new ArrayList<>();
        pages.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs")))
        {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<Example> examples(final Path page) throws IOException
    {
        final List<Example> examples = new ArrayList<>();
        boolean inConsole = false;
        boolean inOther = false;
        String command = null;
        List<String> expected = null;
        for (final String line : Files.readAllLines(page, StandardCharsets.UTF_8))
        {
            if (!inConsole && !inOther && line.startsWith("```"))
            {
                inConsole = line.trim().equals("```console");
                inOther = !inConsole;
                continue;
            }
            if (inOther)
            {
                inOther = !line.startsWith("```");
                continue;
            }
            if (!inConsole)
            {
                continue;
            }
            if (line.startsWith("```") || line.startsWith("$ "))
            {
                if (command != null)
                {
                    examples.add(new Example(command, expected));
                }
                command = line.startsWith("$ ") ? line.substring(2) : null;
                expected = new ArrayList<>();
                inConsole = !line.startsWith("```");
                continue;
            }
            if (expected != null)
            {
                expected.add(line);
            }
        }
        return examples;
    }

    /** Runs a documented command line in the checkout, {@code ./analyzer} being this build; its output lines. */
    private static List<String> run(final String command) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String script = "analyzer_under_test() { \"" + java + "\" -cp \"$FLOWDEMUX_CP\" flowdemux.cli.Main "
            + "\"$@\"; }\n" + command.replace("./analyzer", "analyzer_under_test");
        final ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", script).redirectErrorStream(true);
        pb.environment().put("FLOWDEMUX_CP", System.getProperty("java.class.path"));
        final Process p = pb.start();
        final byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), command + " did not end");
        final List<String> lines = new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty())
        {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
