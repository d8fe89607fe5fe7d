package flowdemux.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code analyzer} command: the only place that calls System.exit. */
@Command(name = "analyzer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "flowdemux: packet-level 5-tuple demultiplexer and traffic analyzer.")
public final class Main implements java.util.concurrent.Callable<Integer>
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 1;
    public static final int EXIT_INPUT = 2;
    /** The report was written, but IPFIX records were dropped (the collector was slow, gone or refusing). */
    public static final int EXIT_EXPORT = 3;

    /** The commands, in the order the usage lists them ({@code help} last). */
    private static final Class<?>[] COMMANDS = {ReadCommand.class, SplitCommand.class, ExtractCommand.class,
        FollowCommand.class, CaptureCommand.class, SocketsCommand.class, InterfacesCommand.class, PortCommand.class, GenerateCommand.class,
        BenchCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class};

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** No command: the usage, which lists every command with its one-line summary, and exit 1. */
    @Override
    public Integer call()
    {
        final java.io.PrintWriter err = spec.commandLine().getErr();
        err.println("flowdemux: a command is required");
        spec.commandLine().usage(err);
        err.flush();
        return EXIT_USAGE;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine(args.length == 0 ? null : args[0]).execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(final String... args)
    {
        final CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine()
    {
        return commandLine(null);
    }

    /**
     * The command line for a run whose first argument is {@code first}: when that names a command, only its model is
     * built. picocli builds each command's model by reflection, in bytecode too old for the JVM's class cache: for
     * every command, that was most of the startup of a short one such as extract through an index.
     */
    static CommandLine commandLine(final String first)
    {
        final CommandLine cl = new CommandLine(new Main());
        Class<?> only = null;
        for (final Class<?> c : COMMANDS)
        {
            if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(first))
            {
                only = c;
            }
        }
        for (final Class<?> c : COMMANDS)
        {
            if (only == null || c == only)
            {
                cl.addSubcommand(c);
            }
        }
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_INPUT);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) ->
        {
            // No stack trace for the user: one line, and exit 2 (something about the input or output failed).
            commandLine.getErr().println("flowdemux: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return EXIT_INPUT;
        });
        cl.setParameterExceptionHandler((e, args) ->
        {
            final CommandLine c = e.getCommandLine();
            c.getErr().println("flowdemux: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return EXIT_USAGE;
        });
        HelpLayout.apply(cl);
        return cl;
    }

    /** Version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"flowdemux " + (v == null ? "dev" : v)};
        }
    }
}
