package flowdemux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How every command's --help reads: a short synopsis ("[OPTIONS] FILE..."), and the options in groups by what they
 * are about (the command's own, input and filters, connection tracking, output, export), each group the options of
 * the mixin that declares them, so that a new option lands in its group by where it is written.
 */
final class HelpLayout
{
    private static final Map<Class<?>, String> GROUPS = new LinkedHashMap<>();

    static
    {
        GROUPS.put(TapOptions.class, "Input and filters:");
        GROUPS.put(FilterOptions.class, "Input and filters:");
        GROUPS.put(ConnectionOptions.class, "Connection tracking (as Zeek's timers and checksum rules):");
        GROUPS.put(ReportOptions.class, "Output:");
        GROUPS.put(ExportOptions.class, "Export:");
    }

    /** Options that commands declare themselves but that are about their input. */
    private static final java.util.Set<String> INPUT = java.util.Set.of("--filter", "--max-flows", "--reader",
        "--workers", "--seed", "--index", "--index-file", "--no-index", "--interface", "--snaplen", "--promiscuous",
        "--buffer-size", "--duration", "--count", "--immediate");

    private HelpLayout()
    {
    }

    /** Applies the layout to {@code cl} and its subcommands. */
    static void apply(final CommandLine cl)
    {
        for (final CommandLine sub : cl.getSubcommands().values())
        {
            final CommandLine.Model.UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
            usage.abbreviateSynopsis(true);
            usage.description(paragraphs(usage.description()));
            sub.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, HelpLayout::options);
        }
    }

    /** Lines of a description joined into paragraphs (an empty line between two), for the terminal's width. */
    private static String[] paragraphs(final String[] lines)
    {
        final List<String> out = new ArrayList<>();
        final StringBuilder p = new StringBuilder();
        for (final String l : lines)
        {
            if (l.isBlank())
            {
                if (p.length() > 0)
                {
                    out.add(p.toString());
                    p.setLength(0);
                }
                out.add("");
                continue;
            }
            p.append(p.length() == 0 ? "" : " ").append(l.trim());
        }
        if (p.length() > 0)
        {
            out.add(p.toString());
        }
        return out.toArray(new String[0]);
    }

    private static String options(final CommandLine.Help help)
    {
        final Map<String, List<OptionSpec>> groups = new LinkedHashMap<>();
        groups.put("Options:", new ArrayList<>());
        for (final String heading : GROUPS.values())
        {
            groups.putIfAbsent(heading, new ArrayList<>());
        }
        final List<OptionSpec> standard = new ArrayList<>();
        for (final OptionSpec o : help.commandSpec().options())
        {
            if (o.hidden())
            {
                continue;
            }
            if (o.usageHelp() || o.versionHelp())
            {
                standard.add(o);
                continue;
            }
            groups.get(groupOf(o)).add(o);
        }
        groups.get("Options:").addAll(standard);
        final StringBuilder s = new StringBuilder();
        for (final Map.Entry<String, List<OptionSpec>> g : groups.entrySet())
        {
            if (g.getValue().isEmpty())
            {
                continue;
            }
            final CommandLine.Help.Layout layout = help.createDefaultLayout();
            for (final OptionSpec o : g.getValue())
            {
                layout.addOption(o, help.parameterLabelRenderer());
            }
            s.append(s.length() == 0 ? "" : System.lineSeparator()).append(g.getKey()).append(System.lineSeparator())
                .append(layout);
        }
        return s.toString();
    }

    private static String groupOf(final OptionSpec o)
    {
        if (INPUT.contains(o.longestName()))
        {
            return "Input and filters:";
        }
        if (o.userObject() instanceof Field f)
        {
            final String g = GROUPS.get(f.getDeclaringClass());
            if (g != null)
            {
                return g;
            }
        }
        return "Options:";
    }
}
