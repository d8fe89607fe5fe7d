package flowdemux.cli;

import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code interfaces}: the devices libpcap can capture on, their addresses, and whether they are up. */
@Command(name = "interfaces", mixinStandardHelpOptions = true, description = "List the devices live capture can use.")
public final class InterfacesCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<PcapNetworkInterface> devices;
        try
        {
            devices = Pcaps.findAllDevs();
        }
        catch (PcapNativeException | UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            spec.commandLine().getErr().println("flowdemux: cannot list interfaces: " + LiveErrors.describe(e));
            return Main.EXIT_INPUT;
        }
        for (final PcapNetworkInterface d : devices)
        {
            final StringBuilder flags = new StringBuilder(d.isUp() ? "up" : "down");
            if (d.isRunning())
            {
                flags.append(", running");
            }
            if (d.isLoopBack())
            {
                flags.append(", loopback");
            }
            out.printf("%-16s %s%s%n", d.getName(), flags, d.getDescription() == null ? "" : "  (" + d.getDescription() + ")");
            for (final PcapAddress a : d.getAddresses())
            {
                if (a.getAddress() != null)
                {
                    out.printf("    %s%n", a.getAddress().getHostAddress());
                }
            }
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
