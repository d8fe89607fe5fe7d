package flowdemux.cli;

import flowdemux.ports.Services;
import flowdemux.report.Aggregates;
import flowdemux.report.LocalNets;
import flowdemux.report.OutputTarget;
import flowdemux.report.ReportFormat;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** What a report looks like and where it goes, shared by read and capture. */
public final class ReportOptions
{
    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
        completionCandidates = Candidates.Formats.class,
        description = "text (default), json (one document), jsonl (a JSON object per connection and line), "
            + "csv (a row per connection), zeek (conn.log) or html (one self-contained page with charts)")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the report to OUT (default, or -: "
        + "standard output); written under a temporary name and renamed when complete")
    Path output;

    @Option(names = "--top", defaultValue = "10", paramLabel = "N|all",
        description = "connections in the top-flows list (default 10, at most 1000); 'all' with --format json "
            + "lists every connection")
    String top;

    @Option(names = "--local-nets", paramLabel = "CIDR[,CIDR...]", split = ",",
        description = "networks that count as local for local_orig/local_resp (default: Zeek's private address "
            + "space)")
    List<String> localNets;

    @Option(names = "--tunnel-log", paramLabel = "FILE", description = "write Zeek's tunnel.log of the tunnels found "
        + "(DISCOVER, CLOSE, EXPIRE) to FILE, whole or not at all")
    Path tunnelLog;

    @Option(names = "--community-id", description = "zeek format: add the community_id column (Community ID v1, as "
        + "Zeek's policy community-id-logging does; JSON and CSV always carry it)")
    boolean communityId;

    @Option(names = "--zeek-extra", description = "zeek format: add columns beyond Zeek's (handshake RTT, "
        + "retransmissions, TCP options, nanosecond ts and duration)")
    boolean zeekExtra;

    private int topCount = -1;
    private LocalNets nets;

    /** Checks every value, each with a line of its own that names only its option. */
    void validate(final CommandLine cl)
    {
        if (!ReportFormat.NAMES.contains(format))
        {
            throw new CommandLine.ParameterException(cl, "--format must be one of " + String.join(", ",
                ReportFormat.NAMES) + ", not '" + format + "'");
        }
        if (output != null && output.toString().isEmpty())
        {
            throw new CommandLine.ParameterException(cl, "-o needs a file name");
        }
        if (output != null && "-".equals(output.toString()))
        {
            // As an input "-" is standard input, and tcpdump's -w - is standard output: not a file named "-".
            output = null;
        }
        topCount = parseTop(cl);
        nets = parseLocalNets(cl);
    }

    private int parseTop(final CommandLine cl)
    {
        if ("all".equals(top))
        {
            if ("text".equals(format) || "html".equals(format))
            {
                throw new CommandLine.ParameterException(cl, "--top all: the " + format + " report lists at most "
                    + Aggregates.TOP_KEPT + " connections; --format json, jsonl, csv or zeek lists every one");
            }
            return ReportFormat.ALL;
        }
        final int n;
        try
        {
            n = Integer.parseInt(top);
        }
        catch (NumberFormatException e)
        {
            throw new CommandLine.ParameterException(cl, "--top must be a number or 'all', not '" + top + "'");
        }
        if (n < 0)
        {
            throw new CommandLine.ParameterException(cl, "--top must be 0 or more, not " + n);
        }
        if (n > Aggregates.TOP_KEPT && ReportFormat.hasTopList(format))
        {
            throw new CommandLine.ParameterException(cl, "--top " + n + ": the top list keeps at most "
                + Aggregates.TOP_KEPT + " connections (the largest, while reading); --top all with --format json "
                + "lists every connection");
        }
        return n;
    }

    private LocalNets parseLocalNets(final CommandLine cl)
    {
        if (localNets == null || localNets.isEmpty())
        {
            return LocalNets.zeekDefault();
        }
        final LocalNets n = new LocalNets();
        for (final String cidr : localNets)
        {
            try
            {
                n.add(cidr.trim());
            }
            catch (IllegalArgumentException e)
            {
                throw new CommandLine.ParameterException(cl, "--local-nets: " + e.getMessage());
            }
        }
        return n;
    }

    /** Why -o cannot be written, or null (checked before anything is read). */
    String outputProblem()
    {
        return output == null ? null : OutputTarget.problem(output);
    }

    ReportFormat renderer()
    {
        return ReportFormat.named(format, topCount, Services.standard(), nets, zeekExtra, communityId);
    }

    /**
     * What --kafka sends for each connection: the --format jsonl line, or (zeek) the zeek-kafka plugin's tagged
     * conn.log record; with this run's --local-nets, --zeek-extra and --community-id, as the read's own output has.
     */
    flowdemux.report.RecordLine kafkaLine(final String kafkaFormat)
    {
        return "zeek".equals(kafkaFormat) ? new flowdemux.report.ZeekConnLog(nets, zeekExtra, communityId).taggedJson()
            : new flowdemux.report.JsonLines(nets);
    }

    /** The --top count ({@link ReportFormat#ALL} for all). */
    int topOrAll()
    {
        return topCount;
    }

}
