package flowdemux.cli;

import flowdemux.pipeline.PacketFilter;
import flowdemux.ports.Services;
import flowdemux.util.Cidr;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** --port and --host: which packets count, by port (numbers or service names) and by address or prefix. */
public final class FilterOptions
{
    @Option(names = "--port", paramLabel = "P[,P...]", split = ",",
        description = "only packets to or from these ports: numbers or service names (80,443,https)")
    List<String> ports;

    @Option(names = "--host", paramLabel = "IP|CIDR[,...]", split = ",",
        description = "only packets to or from these addresses or networks (10.0.0.1, 10.0.0.0/8, 2001:db8::/32)")
    List<String> hosts;

    PacketFilter toFilter(final CommandLine cl)
    {
        int[] portSet = null;
        if (ports != null && !ports.isEmpty())
        {
            final List<Integer> all = new ArrayList<>();
            for (final String p : ports)
            {
                all.addAll(port(cl, p.trim()));
            }
            portSet = all.stream().mapToInt(Integer::intValue).toArray();
        }
        final List<Cidr> prefixes = new ArrayList<>();
        if (hosts != null)
        {
            for (final String h : hosts)
            {
                try
                {
                    prefixes.add(Cidr.parse(h));
                }
                catch (IllegalArgumentException e)
                {
                    throw new CommandLine.ParameterException(cl, "--host: " + e.getMessage());
                }
            }
        }
        return new PacketFilter(portSet, prefixes);
    }

    private static List<Integer> port(final CommandLine cl, final String p)
    {
        if (!p.isEmpty() && p.chars().allMatch(Character::isDigit))
        {
            if (p.length() > 5 || Integer.parseInt(p) > 65535)
            {
                throw new CommandLine.ParameterException(cl, "--port: " + p + " is not a port (0-65535)");
            }
            return List.of(Integer.parseInt(p));
        }
        final List<Integer> found = new ArrayList<>();
        for (final String hit : Services.standard().find(p))
        {
            final int port = Integer.parseInt(hit.substring(0, hit.indexOf('/')));
            if (!found.contains(port))
            {
                found.add(port);
            }
        }
        if (found.isEmpty())
        {
            throw new CommandLine.ParameterException(cl, "--port: '" + p + "' is neither a port number nor a known "
                + "service name (./analyzer port NAME looks one up)");
        }
        return found;
    }

    /** "--port 80,443 --host 10.0.0.0/8", or null without either. */
    String description()
    {
        final List<String> parts = new ArrayList<>();
        if (ports != null && !ports.isEmpty())
        {
            parts.add("--port " + String.join(",", ports));
        }
        if (hosts != null && !hosts.isEmpty())
        {
            parts.add("--host " + String.join(",", hosts));
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }
}
