package flowdemux.cli;

import flowdemux.export.IpfixExporter;
import flowdemux.export.IpfixTarget;
import flowdemux.report.AnalysisResult;
import flowdemux.report.FlowStore;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/** --ipfix and its settings, for read and capture: connections also go to an IPFIX collector as they end. */
final class ExportOptions
{
    @Option(names = "--ipfix", paramLabel = "[tcp://]HOST:PORT",
        description = {"also export every connection to an IPFIX collector as it ends (UDP; tcp:// for TCP; IPv6 as "
            + "[ADDRESS]:PORT; port 4739 when none is given)"})
    String target;

    @Option(names = "--ipfix-domain", defaultValue = "1", paramLabel = "N",
        description = "IPFIX observation domain id (default 1)")
    long domain;

    @Option(names = "--ipfix-mtu", defaultValue = "1400", paramLabel = "BYTES",
        description = "largest IPFIX message (default 1400, under a path MTU of 1500 with IP and UDP headers)")
    int mtu;

    @Option(names = "--ipfix-pen", defaultValue = "32473", paramLabel = "N",
        description = {"Private Enterprise Number of flowdemux's own elements (conn_state, history, ...); the "
            + "default 32473 is RFC 5612's number for examples, a placeholder"})
    long pen;

    @Option(names = "--ipfix-template-messages", defaultValue = "20", paramLabel = "N",
        description = "over UDP, send the templates again every N messages (default 20)")
    int templateMessages;

    @Option(names = "--ipfix-template-seconds", defaultValue = "30", paramLabel = "S",
        description = "over UDP, send the templates again every S seconds (default 30)")
    double templateSeconds;

    @Option(names = "--ipfix-rate", defaultValue = "0", paramLabel = "N", converter = CountConverter.class,
        description = "send at most N records a second (default 0: as fast as they come); records beyond what the "
            + "queue holds are dropped and counted")
    long rate;

    void validate(final CommandLine cl)
    {
        if (target == null)
        {
            return;
        }
        try
        {
            IpfixTarget.parse(target);
        }
        catch (IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (domain < 0 || domain > 0xffffffffL)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-domain must be 0 to 4294967295, not " + domain);
        }
        if (mtu < IpfixExporter.MINIMUM_MTU || mtu > 65_000)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-mtu must be " + IpfixExporter.MINIMUM_MTU
                + " (the templates and a record) to 65000, not " + mtu);
        }
        if (pen < 1 || pen > 0xffffffffL)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-pen must be 1 to 4294967295, not " + pen);
        }
        if (templateMessages < 1)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-template-messages must be at least 1, not "
                + templateMessages);
        }
        if (rate < 0)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-rate must be 0 or more, not " + rate);
        }
        if (!(templateSeconds > 0))
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-template-seconds must be above 0, not "
                + templateSeconds);
        }
    }

    /**
     * Opens the exporter and feeds it every store's connections; null without --ipfix.
     *
     * @throws IOException with the line for the user when the collector cannot be resolved or reached
     */
    IpfixExporter open(final List<FlowStore> stores) throws IOException
    {
        if (target == null)
        {
            return null;
        }
        final IpfixExporter exporter = IpfixExporter.open(IpfixTarget.parse(target), (int)domain, mtu, (int)pen,
            templateMessages, templateSeconds, rate);
        for (final FlowStore store : stores)
        {
            store.listen(exporter);
        }
        return exporter;
    }

    /** Closes an exporter that sent nothing (the run could not start). */
    static void close(final IpfixExporter exporter)
    {
        if (exporter != null)
        {
            exporter.close();
        }
    }

    /** Sends what is left, closes, and says what happened on standard error; null without --ipfix. */
    static AnalysisResult.Export finish(final IpfixExporter exporter, final PrintWriter err)
    {
        if (exporter == null)
        {
            return null;
        }
        exporter.close();
        final AnalysisResult.Export export = new AnalysisResult.Export(exporter.target().toString(), exporter.sent(),
            exporter.messages(), exporter.dropped(), exporter.failure());
        err.println("flowdemux: IPFIX to " + export.describe());
        return export;
    }

    /** Whether every record reached the collector's socket. */
    static boolean complete(final AnalysisResult.Export export)
    {
        return export == null || (export.dropped() == 0 && export.failure() == null);
    }
}
