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

    @Option(names = "--tunnel-id", paramLabel = "KIND=ID", description = "of the connections inside tunnels, only "
        + "those of one tunnel: vni=N (VXLAN, Geneve: one mirror session), teid=N (GTP: one subscriber's bearer), "
        + "key=N (GRE key, PPTP call id) or session=N (ERSPAN)")
    String tunnelId;

    PacketFilter toFilter(final CommandLine cl)
    {
        final PacketFilter filter = portsAndHosts(cl);
        if (tunnelId == null)
        {
            return filter;
        }
        final int eq = tunnelId.indexOf('=');
        final String kind = eq < 0 ? "" : tunnelId.substring(0, eq);
        final int kinds;
        switch (kind)
        {
            case "vni":
                kinds = 1 << flowdemux.decode.Tunnel.VXLAN | 1 << flowdemux.decode.Tunnel.GENEVE;
                break;
            case "teid":
                kinds = 1 << flowdemux.decode.Tunnel.GTPV1;
                break;
            case "key":
            case "session":
                kinds = 1 << flowdemux.decode.Tunnel.GRE;
                break;
            default:
                throw new CommandLine.ParameterException(cl, "--tunnel-id is vni=N, teid=N, key=N or session=N, not "
                    + tunnelId);
        }
        final long id;
        try
        {
            id = Long.parseLong(tunnelId.substring(eq + 1));
        }
        catch (NumberFormatException e)
        {
            throw new CommandLine.ParameterException(cl, "--tunnel-id: " + tunnelId.substring(eq + 1)
                + " is not a number");
        }
        if (id < 0 || id > 0xFFFF_FFFFL)
        {
            throw new CommandLine.ParameterException(cl, "--tunnel-id: " + id + " is out of range");
        }
        return (filter == PacketFilter.ALL ? new PacketFilter(null, List.of()) : filter).tunnelId(kinds, id);
    }

    private PacketFilter portsAndHosts(final CommandLine cl)
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
        if (tunnelId != null)
        {
            parts.add("--tunnel-id " + tunnelId);
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }
}
