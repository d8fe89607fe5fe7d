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
@Command(name = "interfaces", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "List the devices capture can use, with their addresses.",
    footer = {"", "Examples:", "  analyzer interfaces", "  sudo analyzer capture -i \"$(analyzer interfaces | awk 'NR == 1 {print $1}')\""})
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
                    out.printf("    %s%n", describe(a));
                }
            }
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /** "10.0.0.2/24", "fd00::2/64", "fe80::1%eth0/64": compressed IPv6, the prefix length from the netmask. */
    static String describe(final PcapAddress a)
    {
        final byte[] raw = a.getAddress().getAddress();
        String text;
        if (raw.length == 16)
        {
            final java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(raw);
            text = flowdemux.util.Addresses.format(bb.getLong(), bb.getLong());
            final String host = a.getAddress().getHostAddress();
            final int scope = host.indexOf('%');
            if (scope >= 0)
            {
                text += host.substring(scope);
            }
        }
        else
        {
            text = a.getAddress().getHostAddress();
        }
        if (a.getNetmask() != null)
        {
            int bits = 0;
            for (final byte b : a.getNetmask().getAddress())
            {
                bits += Integer.bitCount(b & 0xFF);
            }
            text += "/" + bits;
        }
        return text;
    }
}
