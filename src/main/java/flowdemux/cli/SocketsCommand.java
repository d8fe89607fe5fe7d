package flowdemux.cli;

import flowdemux.flow.ConnectionConfig;
import flowdemux.host.Listener;
import flowdemux.host.Listeners;
import flowdemux.host.Programs;
import flowdemux.host.Sockets;
import flowdemux.ports.Services;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.report.FlowStore;
import flowdemux.report.ListeningSockets;
import flowdemux.report.ServerSummary;
import flowdemux.source.MergedReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sockets}: this host's listening TCP and bound UDP sockets, with the programs behind them. */
@Command(name = "sockets", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "List this host's listening TCP and bound UDP sockets and the programs holding them.",
    description = {"What ss -tulnp shows, in the words of the port lessons: address and port, the port's IANA range",
        "and service name, the user and programs holding each socket, and whether a socket bound to this host only",
        "looks like the back end of a reverse proxy. Reads netlink sock_diag (or /proc/net) and /proc/PID/fd: the",
        "programs of other users' sockets need root."},
    footer = {"", "Examples:", "  analyzer sockets", "  sudo analyzer sockets --format json",
        "  sudo analyzer sockets --netns /run/netns/blue"})
public final class SocketsCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FMT", completionCandidates = Candidates.SocketFormats.class,
        description = "text or json (default text)")
    private String format;

    @Option(names = "--netns", paramLabel = "PATH",
        description = "read the sockets of that network namespace (a file such as /run/netns/NAME; needs root)")
    private Path netns;

    @CommandLine.Parameters(arity = "0..*", paramLabel = "CAPTURE",
        description = {"captures of this host's traffic (what capture --write saved): each socket gets the services "
            + "seen in its connections' payload, and whether only this host reached it"})
    private List<String> captures = new java.util.ArrayList<>();

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        if (!format.equals("text") && !format.equals("json"))
        {
            throw new CommandLine.ParameterException(cl, "--format must be text or json, not " + format);
        }
        final PrintWriter out = cl.getOut();
        final PrintWriter err = cl.getErr();
        final Object[] result = new Object[1];
        // The namespace is entered by a thread of its own: setns changes only the calling thread.
        final Thread reader = new Thread(() ->
        {
            try
            {
                if (netns != null)
                {
                    flowdemux.host.Attribution.enterNamespace(netns);
                }
                final Sockets sockets = Sockets.open(Path.of("/proc/thread-self/net"));
                final Programs programs = Programs.system();
                final List<Listener> listeners = Listeners.read(sockets, programs);
                result[0] = new Object[] {listeners, programs.deniedPids(), Listeners.hostAddresses()};
            }
            catch (IOException | RuntimeException | LinkageError e)
            {
                result[0] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }, "flowdemux-sockets");
        reader.start();
        try
        {
            reader.join();
        }
        catch (InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return Main.EXIT_INPUT;
        }
        if (result[0] instanceof String problem)
        {
            err.println("flowdemux: cannot read the sockets: " + problem);
            return Main.EXIT_INPUT;
        }
        @SuppressWarnings("unchecked")
        final List<Listener> listeners = (List<Listener>)((Object[])result[0])[0];
        final int denied = (Integer)((Object[])result[0])[1];
        final long[] addresses = (long[])((Object[])result[0])[2];
        List<ServerSummary> servers = null;
        if (!captures.isEmpty())
        {
            servers = servers(err);
            if (servers == null)
            {
                return Main.EXIT_INPUT;
            }
        }
        final ListeningSockets view = new ListeningSockets(listeners, Services.standard(), servers, addresses);
        if (format.equals("json"))
        {
            view.json(out);
        }
        else
        {
            view.text(out);
        }
        out.flush();
        if (denied > 0)
        {
            err.println("flowdemux: the programs of " + denied + " processes could not be read (other users' "
                + "/proc/PID/fd needs root or CAP_SYS_PTRACE); their sockets show the user only");
        }
        return Main.EXIT_OK;
    }

    /** The server sockets of the captures, as read reports them; null (said) when one cannot be read. */
    private List<ServerSummary> servers(final PrintWriter err) throws IOException
    {
        final MergedReader reader = Inputs.open(captures, "java", err);
        if (reader == null)
        {
            return null;
        }
        final FlowStore store = new FlowStore(Path.of(System.getProperty("java.io.tmpdir")), null, true);
        final ConnectionConfig config = new ConnectionConfig();
        config.uidSeed = reader.digest();
        final OfflineRun run = new OfflineRun(1_000_000, store, PacketFilter.ALL, ProgressListener.NONE, config);
        try (reader)
        {
            run.run(reader);
        }
        for (final String fault : Inputs.faults(reader))
        {
            err.println("flowdemux: " + fault);
        }
        return store.aggregates().servers();
    }
}
