package flowdemux.cli;

import flowdemux.pipeline.OfflineRun;
import flowdemux.report.Aggregates;
import flowdemux.report.AnalysisResult;
import flowdemux.report.FlowStore;
import flowdemux.report.OutputTarget;
import flowdemux.report.RecordLine;
import flowdemux.report.ReportFormat;
import flowdemux.util.IoErrors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one path from the workers' connections to a written report, for read and capture alike: a {@link FlowStore}
 * per worker (aggregates, and the per-connection lines the format needs, formatted on the worker), then one merge
 * and one render.
 */
final class Analysis
{
    final ReportFormat renderer;
    final List<FlowStore> stores = new ArrayList<>();
    private final RecordLine lines;
    /** Whether the workers build the report's views (ports, servers, top flows) as connections end. */
    final boolean views;

    Analysis(final ReportFormat renderer, final int workers)
    {
        this.renderer = renderer;
        // Per-connection formats (CSV, conn.log, JSON lines, JSON with --top all) get a line per connection, which
        // the workers format; the other reports need none.
        this.lines = renderer.lines();
        this.views = renderer.usesAggregates() || lines == null;
        final Path spillFolder = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < workers; i++)
        {
            stores.add(new FlowStore(spillFolder, lines, views));
        }
    }

    /** Merges the workers' aggregates and lines into what the report renders. */
    AnalysisResult result(final String name, final String format, final OfflineRun run, final int maxFlows,
        final String error, final String filterDescription)
    {
        final Aggregates aggregates = new Aggregates();
        long evicted = 0;
        for (final FlowStore store : stores)
        {
            aggregates.merge(store.aggregates());
            evicted += store.evicted();
        }
        final AnalysisResult result = new AnalysisResult(name, format, run.stats(), List.of(), aggregates, evicted,
            maxFlows, error, filterDescription);
        result.lines = lines == null ? null : FlowStore.lines(stores);
        return result;
    }

    /** Writes tunnel.log to {@code path}; false (after one line on stderr) when it could not be written. */
    static boolean writeTunnelLog(final flowdemux.report.ZeekTunnelLog log, final Path path, final PrintWriter err)
    {
        try (OutputTarget target = OutputTarget.file(path))
        {
            log.write(target.writer());
            target.commit();
            return true;
        }
        catch (IOException e)
        {
            err.println("flowdemux: cannot write " + path + ": " + IoErrors.reason(e));
            return false;
        }
    }

    /** Writes the report; false (after one line on stderr) when the output could not be written. */
    boolean write(final AnalysisResult result, final Path output, final PrintWriter out, final PrintWriter err)
    {
        try (OutputTarget target = output == null ? OutputTarget.stdout(out) : OutputTarget.file(output))
        {
            renderer.write(result, target.writer());
            target.commit();
            // A closed standard output (a pager or head quit early) is not an error worth a line.
            return true;
        }
        catch (IOException e)
        {
            if (output == null)
            {
                return true;
            }
            err.println("flowdemux: cannot write " + output + ": " + IoErrors.reason(e));
            return false;
        }
    }
}
