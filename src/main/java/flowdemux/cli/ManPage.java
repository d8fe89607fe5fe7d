package flowdemux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The man page, in roff, from the same option model as {@code --help}: one page, {@code analyzer(1)}, with a section
 * per command. Written at build time ({@link #main}: the page and the bash completion script into a folder, for the
 * tarball) and by {@code analyzer help --man}.
 */
public final class ManPage
{
    private ManPage()
    {
    }

    /** Writes {@code analyzer.1} and {@code analyzer.bash} into the folder {@code args[0]}. */
    public static void main(final String[] args) throws IOException
    {
        final Path dir = Files.createDirectories(Path.of(args[0]));
        Files.writeString(dir.resolve("analyzer.1"), render(Main.commandLine()), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("analyzer.bash"), picocli.AutoComplete.bash("analyzer", Main.commandLine()),
            StandardCharsets.UTF_8);
    }

    static String render(final CommandLine root)
    {
        final CommandSpec top = root.getCommandSpec();
        final String version = new Main.Version().getVersion()[0];
        final StringBuilder s = new StringBuilder();
        s.append(".TH ANALYZER 1 \"\" \"").append(escape(version)).append("\" \"User Commands\"\n");
        s.append(".SH NAME\nanalyzer \\- ").append(escape(String.join(" ", top.usageMessage().description())
            .replaceFirst("^flowdemux: ", ""))).append('\n');
        s.append(".SH SYNOPSIS\n.B analyzer\n.I command\n[\\fIoptions\\fR] [\\fIFILE\\fR...]\n");
        s.append(".SH DESCRIPTION\n").append(escape("flowdemux reads pcap and pcapng captures, or captures live, "
            + "demultiplexes them by 5-tuple into connections with Zeek's conn.log semantics, and reports ports, "
            + "servers, connections and services; split, extract and follow hand a connection back by its uid."))
            .append('\n');
        s.append(".SH COMMANDS\n");
        for (final Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet())
        {
            final CommandSpec c = e.getValue().getCommandSpec();
            if ("help".equals(e.getKey()))
            {
                continue;
            }
            s.append(".SS \"analyzer ").append(e.getKey()).append("\"\n");
            s.append(escape(String.join(" ", c.usageMessage().header()))).append("\n.PP\n");
            final String description = String.join(" ", c.usageMessage().description()).trim();
            if (!description.isEmpty())
            {
                s.append(escape(description)).append("\n.PP\n");
            }
            for (final PositionalParamSpec p : c.positionalParameters())
            {
                s.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n')
                    .append(escape(String.join(" ", p.description()))).append('\n');
            }
            for (final OptionSpec o : c.options())
            {
                if (o.hidden())
                {
                    continue;
                }
                s.append(".TP\n.B ").append(escape(String.join(", ", o.names())));
                if (o.arity().max() > 0)
                {
                    s.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
                }
                s.append('\n').append(escape(String.join(" ", o.description()))).append('\n');
            }
            final String[] footer = c.usageMessage().footer();
            boolean examples = false;
            for (final String line : footer)
            {
                if (line.trim().startsWith("Examples:"))
                {
                    examples = true;
                    s.append(".PP\nExamples:\n");
                    continue;
                }
                if (examples && line.startsWith("  "))
                {
                    s.append(".IP\n.B ").append(escape(line.trim())).append('\n');
                }
                else if (examples)
                {
                    examples = false;
                }
            }
        }
        s.append(".SH EXIT STATUS\n").append(escape("0 ok; 1 bad usage (one line names the option); 2 an input could "
            + "not be read or was corrupt, or an output could not be written (the report of what came before a "
            + "corrupt packet is still written); 3 the report is whole but IPFIX records were dropped.")).append('\n');
        s.append(".SH SEE ALSO\n.BR tcpdump (1),\n.BR tshark (1),\n.BR zeek (8)\n");
        return s.toString();
    }

    /** Text for roff: backslashes and dashes escaped, no line starting with a control character. */
    static String escape(final String text)
    {
        final String t = text.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }
}
