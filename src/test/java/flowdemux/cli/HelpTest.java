package flowdemux.cli;

import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help fits an 80-column terminal, groups its options, and ends with two examples that the
 * command line parses (each option and value as written is accepted).
 */
class HelpTest
{
    @Test
    void everyHelpFitsATerminalAndEndsWithTwoExamplesThatParse()
    {
        final List<String> wrong = new ArrayList<>();
        int examples = 0;
        for (final String command : Main.commandLine().getSubcommands().keySet())
        {
            if ("help".equals(command))
            {
                continue;
            }
            final Cli help = Cli.run(command, "--help");
            assertEquals(0, help.exitCode, command);
            final List<String> lines = Arrays.asList(help.out.split("\n"));
            lines.stream().filter(l -> l.length() > 80).forEach(l -> wrong.add(command + ": wider than 80: " + l));
            if (!lines.contains("Options:"))
            {
                wrong.add(command + ": no Options: group");
            }
            final int at = lines.indexOf("Examples:");
            final List<String> shown = new ArrayList<>();
            for (int i = at + 1; at >= 0 && i < lines.size() && lines.get(i).startsWith("  "); i++)
            {
                shown.add(lines.get(i).trim());
            }
            if (shown.size() < 2)
            {
                wrong.add(command + ": " + shown.size() + " examples");
            }
            for (final String e : shown)
            {
                final String[] words = e.replaceFirst("^sudo ", "").split("\\s+");
                if (e.contains("|") || e.contains("$(") || e.contains("<(") || e.contains(">") || e.contains("\""))
                {
                    continue; // shell around it: the words are not all the command's
                }
                if (!"analyzer".equals(words[0]) || !command.equals(words[1]))
                {
                    wrong.add(command + ": an example of another command: " + e);
                    continue;
                }
                try
                {
                    Main.commandLine().parseArgs(Arrays.copyOfRange(words, 1, words.length));
                    examples++;
                }
                catch (CommandLine.ParameterException x)
                {
                    wrong.add(command + ": example does not parse: " + e + ": " + x.getMessage());
                }
            }
        }
        System.out.printf("help: %d examples parsed%n", examples);
        assertEquals(List.of(), wrong);
        assertTrue(examples >= 12, examples + " examples parsed");
    }
}
