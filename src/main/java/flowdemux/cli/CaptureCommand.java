package flowdemux.cli;

import flowdemux.decode.ChecksumMode;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowRecord;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.ports.Services;
import flowdemux.report.Aggregates;
import flowdemux.report.AnalysisResult;
import flowdemux.report.FlowCollector;
import flowdemux.report.Formats;
import flowdemux.report.LocalNets;
import flowdemux.report.OutputTarget;
import flowdemux.report.ReportFormat;
import flowdemux.source.CaptureReader;
import flowdemux.source.LiveCapture;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PcapWriter;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code capture -i IFACE}: a live view per port and per flow, and a final report on Ctrl-C / SIGTERM. */
@Command(name = "capture", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Capture live with libpcap (needs root or the capture capabilities) and report ports, servers",
        "and connections; Ctrl-C or SIGTERM ends the capture and prints the final report."})
public final class CaptureCommand implements Callable<Integer>
{
    private static final long SECOND = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--interface"}, required = true, paramLabel = "IFACE", description = "device to capture on")
    private String device;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "capture filter (tcpdump syntax)")
    private String filter;

    @Option(names = "--snaplen", defaultValue = "65535", paramLabel = "N", description = "bytes kept per packet (default 65535)")
    private int snaplen;

    @Option(names = "--promisc", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "promiscuous mode (default on; --no-promisc turns it off)")
    private boolean promiscuous;

    @Option(names = "--immediate", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "deliver packets as they arrive (default on)")
    private boolean immediate;

    @Option(names = "--duration", paramLabel = "S", description = "stop after S seconds")
    private Double duration;

    @Option(names = "--count", paramLabel = "N", description = "stop after N packets")
    private Long count;

    @Option(names = "--interval", paramLabel = "S", description = "print a rolling report every S seconds")
    private Double interval;

    @Option(names = "--write", paramLabel = "F.pcap", description = "also save what was captured (flushed every second)")
    private Path write;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "final report: text, json, csv, zeek")
    private String format;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the final report to OUT")
    private Path output;

    @Option(names = "--top", defaultValue = "10", paramLabel = "N", description = "flows in the top-flows lists")
    private int top;

    @Option(names = "--max-flows", defaultValue = "1000000", paramLabel = "N", description = "most connections tracked")
    private int maxFlows;

    @Option(names = "--verify-checksums", hidden = true, description = "the same as --checksums verify")
    private boolean verifyChecksums;

    @CommandLine.Mixin
    private ConnectionOptions connection;

    private final Recorder intervalSizes = new Recorder(3);

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        final PrintWriter err = cl.getErr();
        final PrintWriter out = cl.getOut();
        if (!List.of("text", "json", "csv", "zeek").contains(format))
        {
            throw new CommandLine.ParameterException(cl, "--format must be text, json, csv or zeek");
        }
        if (snaplen < 64 || (interval != null && interval <= 0) || (duration != null && duration < 0)
            || (count != null && count < 1) || maxFlows < 1)
        {
            throw new CommandLine.ParameterException(cl, "--snaplen >= 64, --interval > 0, --duration >= 0, --count >= 1");
        }
        // Live, checksums are not verified unless asked: outgoing packets' are filled in by the NIC after the capture.
        final ConnectionConfig config = connection.toConfig(cl, verifyChecksums ? ChecksumMode.VERIFY : ChecksumMode.IGNORE);
        final FlowCollector collector = new FlowCollector();
        final OfflineRun run = new OfflineRun(1, maxFlows, i -> collector, PacketFilter.ALL, ProgressListener.NONE,
            config);
        final long startWall = System.nanoTime();
        final Ticker ticker = new Ticker(run, collector, out, startWall);
        final LiveCapture capture;
        try
        {
            capture = LiveCapture.open(device, snaplen, promiscuous, immediate, filter, count == null ? 0 : count,
                ticker);
        }
        catch (Exception | UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            err.println("flowdemux: cannot capture on " + device + ": " + LiveErrors.describe(e));
            return Main.EXIT_INPUT;
        }
        ticker.capture = capture;
        err.println("flowdemux: capturing on " + device + (filter == null ? "" : " (" + filter + ")")
            + "; Ctrl-C to stop");
        err.flush();

        final CountDownLatch done = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            capture.stop();
            try
            {
                // Let the capture thread write the final report before the JVM exits.
                done.await(20, TimeUnit.SECONDS);
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "flowdemux-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String error = null;
        long[] stats = null;
        try
        {
            final Tee tee = new Tee(capture, write, ticker);
            try (tee)
            {
                run.run(tee);
                stats = capture.stats();
            }
            if (run.ioFault() != null)
            {
                error = run.ioFault().getMessage();
            }
            final List<FlowRecord> flows = collector.flows();
            final AnalysisResult result = new AnalysisResult("live capture on " + device, capture.formatName(),
                run.stats(), flows, Aggregates.of(flows), collector.evicted(), maxFlows, error,
                filter == null ? null : "BPF " + filter);
            result.captureStats = stats;
            final ReportFormat renderer = ReportFormat.named(format, top, Services.standard(), LocalNets.zeekDefault(),
                false);
            try (OutputTarget target = output == null ? OutputTarget.stdout(out) : OutputTarget.file(output))
            {
                renderer.write(result, target.writer());
                target.commit();
            }
        }
        finally
        {
            capture.close();
            done.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException e)
            {
                // the JVM is already shutting down: the hook is running
            }
        }
        if (error != null)
        {
            err.println("flowdemux: " + error);
            return Main.EXIT_INPUT;
        }
        return Main.EXIT_OK;
    }

    /** Passes packets through and, with --write, saves them; records interval packet sizes. */
    private final class Tee implements CaptureReader
    {
        private final LiveCapture capture;
        private final Path target;
        private final Path temporary;
        private final PcapWriter writer;
        private final Ticker ticker;

        Tee(final LiveCapture capture, final Path target, final Ticker ticker) throws IOException
        {
            this.capture = capture;
            this.target = target;
            this.ticker = ticker;
            if (target == null)
            {
                temporary = null;
                writer = null;
            }
            else
            {
                final Path abs = target.toAbsolutePath();
                temporary = OutputTarget.temporaryBeside(abs);
                final OutputStream os = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
                writer = new PcapWriter(os, capture.linkType(), true);
                ticker.writer = writer;
            }
        }

        @Override
        public boolean next(final PacketRecord record) throws IOException
        {
            if (!capture.next(record))
            {
                return false;
            }
            intervalSizes.recordValue(Math.max(0, Math.min(record.originalLength, 1 << 24)));
            if (writer != null)
            {
                writer.writeCaptured(record.timestampNanos, record.buffer, record.capturedLength, record.originalLength);
            }
            return true;
        }

        @Override
        public String formatName()
        {
            return capture.formatName();
        }

        @Override
        public int[] linkTypes()
        {
            return capture.linkTypes();
        }

        @Override
        public long position()
        {
            return capture.position();
        }

        @Override
        public void close() throws IOException
        {
            if (writer != null)
            {
                writer.close();
                OutputTarget.moveIntoPlace(temporary, target);
            }
        }
    }

    /** Runs between packets on the capture thread: duration, the --write flush, and rolling reports. */
    private final class Ticker implements Runnable
    {
        private final OfflineRun run;
        private final FlowCollector collector;
        private final PrintWriter out;
        private final long startWall;
        private long nextFlush;
        private long nextReport;
        private long intervalStart;
        private long packetsAtLastReport;
        private int endedAtLastReport;
        private Histogram sizes;
        LiveCapture capture;
        PcapWriter writer;

        Ticker(final OfflineRun run, final FlowCollector collector, final PrintWriter out, final long startWall)
        {
            this.run = run;
            this.collector = collector;
            this.out = out;
            this.startWall = startWall;
            this.nextFlush = startWall + SECOND;
            this.intervalStart = startWall;
            this.nextReport = interval == null ? Long.MAX_VALUE : startWall + (long)(interval * SECOND);
        }

        @Override
        public void run()
        {
            final long now = System.nanoTime();
            if (duration != null && now - startWall >= (long)(duration * SECOND) && capture != null)
            {
                capture.stop();
            }
            if (writer != null && now >= nextFlush)
            {
                nextFlush = now + SECOND;
                try
                {
                    writer.flush();
                }
                catch (IOException e)
                {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (now >= nextReport)
            {
                report(now);
                nextReport = now + (long)(interval * SECOND);
            }
        }

        private void report(final long now)
        {
            final FlowCollector open = new FlowCollector();
            run.snapshotOpenFlows(open);
            final List<FlowRecord> ended = collector.flowsUnsorted();
            final List<FlowRecord> endedNow = ended.subList(endedAtLastReport, ended.size());
            sizes = intervalSizes.getIntervalHistogram(sizes);
            final long packets = run.stats().packets;
            final long[] st = capture.stats();
            out.printf(Locale.ROOT, "--- %.1f s to %.1f s of the capture ---%n", (intervalStart - startWall) / 1e9,
                (now - startWall) / 1e9);
            out.printf(Locale.ROOT, "interval: %d packets, %d connections ended; packet size p50 %s, p99 %s%n",
                packets - packetsAtLastReport, endedNow.size(),
                sizes.getTotalCount() == 0 ? "-" : Formats.bytes(sizes.getValueAtPercentile(50)),
                sizes.getTotalCount() == 0 ? "-" : Formats.bytes(sizes.getValueAtPercentile(99)));
            out.printf(Locale.ROOT, "whole run: %d packets, %d connections open, %d ended%s%n", packets,
                open.flowsUnsorted().size(), ended.size(), st == null ? ""
                : String.format(Locale.ROOT, "; libpcap received %d, kernel dropped %d, interface dropped %d, "
                + "flowdemux dropped 0", st[0], st[1], st[2]));
            final List<FlowRecord> active = new ArrayList<>(open.flowsUnsorted());
            active.addAll(endedNow);
            final Map<String, long[]> ports = new HashMap<>();
            for (final FlowRecord f : active)
            {
                ports.computeIfAbsent(f.respPort + "/" + f.protocolName(), k -> new long[2])[0]++;
                ports.get(f.respPort + "/" + f.protocolName())[1] += f.packets();
            }
            out.print("top ports (connections open or ended this interval):");
            ports.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]).thenComparing(Map.Entry::getKey))
                .limit(5).forEach(e -> out.printf(Locale.ROOT, "  %s %d conns/%d pkts", e.getKey(), e.getValue()[0],
                    e.getValue()[1]));
            out.println();
            active.sort(Comparator.comparingLong((FlowRecord f) -> -f.ipBytes()).thenComparingLong(f -> f.serial));
            for (final FlowRecord f : active.subList(0, Math.min(top, active.size())))
            {
                out.printf(Locale.ROOT, "  %s:%d -> %s:%d %s %s %s %d pkts %s%n", f.origAddress(), f.origPort,
                    f.respAddress(), f.respPort, f.protocolName(), f.connState, f.history, f.packets(),
                    Formats.bytes(f.ipBytes()));
            }
            out.flush();
            packetsAtLastReport = packets;
            endedAtLastReport = ended.size();
            intervalStart = now;
        }
    }
}
