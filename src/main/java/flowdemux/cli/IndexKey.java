package flowdemux.cli;

import picocli.CommandLine;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeMap;

/**
 * The options a capture's connections depend on, as one line stored in its offset index: extract uses an index only
 * when its own options give the same line, so that the connections it reads by offset are those a full pass finds.
 * Taken from the option model, so that an option added later is part of it without anyone remembering to add it.
 */
final class IndexKey
{
    /** Options that change what is reported of a connection, not which packets it has. */
    private static final Set<String> IRRELEVANT = Set.of("--no-service", "--service-bytes", "--likely-server-ports",
        "--active-timeout");

    private IndexKey()
    {
    }

    static String of(final String bpf, final FilterOptions filters, final ConnectionOptions connection,
        final long maxFlows)
    {
        final TreeMap<String, String> values = new TreeMap<>();
        for (final Object mixin : new Object[] {filters, connection})
        {
            for (final CommandLine.Model.OptionSpec o : CommandLine.Model.CommandSpec.forAnnotatedObject(mixin)
                .options())
            {
                if (!IRRELEVANT.contains(o.longestName()))
                {
                    final Object v = o.getValue();
                    values.put(o.longestName(), v instanceof Object[] a ? Arrays.toString(a) : String.valueOf(v));
                }
            }
        }
        values.put("-f", bpf == null ? "" : bpf);
        values.put("--max-flows", Long.toString(maxFlows));
        final StringBuilder s = new StringBuilder();
        values.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=')
            .append(v.replace(' ', '_')));
        return s.toString();
    }
}
