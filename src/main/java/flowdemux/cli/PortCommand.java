package flowdemux.cli;

import flowdemux.ports.PortRange;
import flowdemux.ports.Services;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code port 443} says what the port is; {@code port ssh} says which port a service uses. */
@Command(name = "port", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Say what a port is (443), or which port a service uses (ssh).",
    description = "What is this port (443), or which port does this service use (ssh)?",
    footer = {"", "Examples:", "  analyzer port 443", "  analyzer port postgres"})
public final class PortCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PORT|SERVICE", description = "a port number 0-65535, a port and protocol (443/udp), or a service name or alias (ssh, domain)")
    private String query;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Services services = Services.standard();
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})(?:/(tcp|udp))?")
            .matcher(query.toLowerCase(java.util.Locale.ROOT));
        if (m.matches())
        {
            final int port = Integer.parseInt(m.group(1));
            if (port > 65535)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "not a port (0-65535): " + query);
            }
            final PortRange range = PortRange.of(port);
            boolean any = false;
            for (final String proto : m.group(2) == null ? new String[] {"tcp", "udp"} : new String[] {m.group(2)})
            {
                final String description = services.description(proto, port);
                if (description != null)
                {
                    out.printf("%d/%s: %s, %s (service name %s)%n", port, proto, description, range.label(),
                        services.name(proto, port));
                    any = true;
                }
            }
            if (!any)
            {
                out.printf("%s: no service known, %s%n", m.group(2) == null ? String.valueOf(port)
                    : port + "/" + m.group(2), range.label());
            }
            out.printf("  range: %s is %d-%d", range.label(), range.low(), range.high());
            if (PortRange.inLinuxEphemeral(port))
            {
                out.printf("; Linux also picks client source ports from %d-%d", PortRange.LINUX_EPHEMERAL_LOW,
                    PortRange.LINUX_EPHEMERAL_HIGH);
            }
            out.println();
            out.flush();
            return Main.EXIT_OK;
        }
        final List<String> hits = services.find(query);
        if (hits.isEmpty())
        {
            out.println(query + ": no such service known");
            out.flush();
            return Main.EXIT_USAGE;
        }
        for (final String hit : hits)
        {
            final int slash = hit.indexOf('/');
            final String proto = hit.substring(slash + 1);
            final int port = Integer.parseInt(hit.substring(0, slash));
            out.printf("%s: %s, %s (service name %s)%n", hit, services.description(proto, port),
                PortRange.of(port).label(), services.name(proto, port));
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
