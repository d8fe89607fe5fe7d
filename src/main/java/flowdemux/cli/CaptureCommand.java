package flowdemux.cli;

import flowdemux.decode.ChecksumMode;
import flowdemux.flow.ConnectionConfig;
import flowdemux.flow.FlowRecord;
import flowdemux.host.Attribution;
import flowdemux.host.HostRecords;
import flowdemux.host.LocalConnection;
import flowdemux.pipeline.OfflineRun;
import flowdemux.pipeline.PacketFilter;
import flowdemux.pipeline.ProgressListener;
import flowdemux.report.AnalysisResult;
import flowdemux.report.ChecksumSummary;
import flowdemux.report.FlowCollector;
import flowdemux.report.FlowStore;
import flowdemux.report.Formats;
import flowdemux.report.LiveCounters;
import flowdemux.report.OutputTarget;
import flowdemux.source.CaptureReader;
import flowdemux.source.LiveCapture;
import flowdemux.source.LiveFeed;
import flowdemux.source.PacketRecord;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.PcapngWriter;
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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code capture -i IFACE}: a live view per port and per flow, and a final report on Ctrl-C / SIGTERM. */
@Command(name = "capture", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Capture live: rolling and final reports of ports and connections.",
    description = {"Capture live with libpcap (needs root or the capture capabilities) and report ports, servers",
        "and connections; Ctrl-C or SIGTERM ends the capture, prints the final report and exits 0."},
    footer = {"", "Examples:", "  sudo analyzer capture -i eth0 --duration 60", "  sudo analyzer capture -i any -f \"tcp port 443\" --interval 10 --write out.pcapng"})
public final class CaptureCommand implements Callable<Integer>
{
    private static final long SECOND = 1_000_000_000L;
    /** How often the capture clock is moved on while packets are few. */
    private static final long CLOCK_TICK = SECOND / 10;
    /** How far behind the wall clock the capture clock stays: packets still in libpcap's blocks come before it. */
    private static final long CLOCK_MARGIN = SECOND;
    /** conn_states of connections that are over, though Zeek keeps them a few seconds for late packets. */
    private static final Set<String> FINISHED = Set.of("SF", "REJ", "RSTO", "RSTR", "RSTOS0", "RSTRH");

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

    @Option(names = "--immediate", negatable = true, defaultValue = "false", fallbackValue = "true",
        description = {"hand each packet over as it arrives instead of in blocks within 0.1 s (default off; when "
            + "on, libpcap gives every packet a whole snaplen of the kernel buffer, which then holds about a "
            + "thousand packets and drops bursts)"})
    private boolean immediate;

    @Option(names = {"-B", "--buffer-size"}, paramLabel = "KiB", converter = CountConverter.class,
        description = "the kernel's capture buffer in KiB, as tcpdump's -B (default 65536: 64 MiB)")
    private long bufferKiB = LiveCapture.DEFAULT_BUFFER_BYTES >> 10;

    @Option(names = "--duration", paramLabel = "S", description = "stop after S seconds")
    private Double duration;

    @Option(names = "--count", paramLabel = "N", converter = CountConverter.class, description = "stop after N packets")
    private Long count;

    @Option(names = "--interval", paramLabel = "S", description = "print a rolling report every S seconds")
    private Double interval;

    @Option(names = "--write", paramLabel = "F.pcap", description = "also save what was captured (flushed every second)")
    private Path write;

    @CommandLine.Mixin
    private ReportOptions report;

    @CommandLine.Mixin
    private ExportOptions export;

    @CommandLine.Mixin
    private FilterOptions filters;

    @Option(names = "--max-flows", defaultValue = "1000000", paramLabel = "N", converter = CountConverter.class,
        description = "most connections tracked at once (default 1000000)")
    private long maxFlows;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N",
        description = "threads that track connections, each owning a shard of the flow table (default 1)")
    private int workers;

    @Option(names = "--seed", paramLabel = "S",
        description = "seed of the connection uids (default: taken from the first packet, as read of the --write "
            + "file takes it)")
    private Long seed;

    @Option(names = "--processes", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = {"name the program (pid, name, user, cgroup) behind every connection with an endpoint on this "
            + "host, from the kernel's socket table, off the capture thread (default on; --no-processes turns it off)"})
    private boolean processes;

    @Option(names = "--netns", paramLabel = "PATH",
        description = "look the programs up in that network namespace (a file such as /run/netns/NAME) instead of "
            + "this one: for traffic of a container captured from its own interface")
    private Path netns;

    @Option(names = "--verify-checksums", hidden = true, description = "the same as --checksums verify")
    private boolean verifyChecksums;

    @CommandLine.Mixin
    private ConnectionOptions connection;

    private final Recorder intervalSizes = new Recorder(3);
    /** The exit code the shutdown hook ends the JVM with once the final report is out. */
    private volatile int exitCode = Main.EXIT_OK;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        final PrintWriter err = cl.getErr();
        final PrintWriter out = cl.getOut();
        validate(cl);
        // Live, checksums are not verified unless asked: outgoing packets' are filled in by the NIC after the capture.
        final ConnectionConfig config = connection.toConfig(cl, verifyChecksums ? ChecksumMode.VERIFY : ChecksumMode.IGNORE);
        if (verifyChecksums && config.checksums != ChecksumMode.VERIFY)
        {
            throw new CommandLine.ParameterException(cl, "--verify-checksums contradicts --checksums "
                + config.checksums.optionName());
        }
        final PacketFilter packetFilter = filters.toFilter(cl);
        final String outputProblem = report.outputProblem();
        if (outputProblem != null)
        {
            err.println("flowdemux: cannot write " + report.output + ": " + outputProblem);
            return Main.EXIT_INPUT;
        }
        if (write != null && OutputTarget.problem(write) != null)
        {
            err.println("flowdemux: cannot write " + write + ": " + OutputTarget.problem(write));
            return Main.EXIT_INPUT;
        }
        if (seed != null)
        {
            config.uidSeed = seed;
        }
        final Analysis analysis = new Analysis(report.renderer(), workers);
        final ConcurrentLinkedQueue<FlowRecord> endedNow = new ConcurrentLinkedQueue<>();
        if (interval != null)
        {
            for (final FlowStore store : analysis.stores)
            {
                store.listen(endedNow::add);
            }
        }
        final ExportOptions.Exporters exporters;
        try
        {
            exporters = export.open(analysis.stores, report.kafkaLine(export.kafkaFormat), false);
        }
        catch (IOException e)
        {
            err.println("flowdemux: " + e.getMessage());
            return Main.EXIT_INPUT;
        }
        final OfflineRun run = new OfflineRun(workers, (int)maxFlows, analysis.stores::get, packetFilter,
            ProgressListener.NONE, config);
        run.collectAtPhaseEnds(analysis.views);
        final Attribution attribution = startAttribution(err);
        if (attribution != null)
        {
            for (final FlowStore store : analysis.stores)
            {
                store.owners(attribution);
            }
            run.connectionStarts(attribution::request);
        }
        final flowdemux.report.ZeekTunnelLog tunnelLog = report.tunnelLog == null ? null
            : new flowdemux.report.ZeekTunnelLog();
        if (tunnelLog != null)
        {
            run.tunnelListener(tunnelLog);
        }
        if (seed == null)
        {
            run.seedUidsFromFirstPacket();
        }
        final long startWall = System.nanoTime();
        final Ticker ticker = new Ticker(run, endedNow, out, startWall, attribution);
        final LiveFeed capture;
        try
        {
            capture = new LiveFeed(LiveCapture.open(device, snaplen, promiscuous, immediate, (int)(bufferKiB << 10),
                filter, count == null ? 0 : count), LiveFeed.DEFAULT_SLABS, ticker);
        }
        catch (Exception | UnsatisfiedLinkError | NoClassDefFoundError e)
        {
            exporters.close();
            if (attribution != null)
            {
                attribution.close();
            }
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
                // Let the capture thread write the final report, then end as a normal stop does (tcpdump: 0).
                if (done.await(20, TimeUnit.SECONDS))
                {
                    Runtime.getRuntime().halt(exitCode);
                }
            }
            catch (InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "flowdemux-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            final Tee tee = new Tee(capture, write, ticker, attribution);
            try (tee)
            {
                capture.start();
                run.run(tee);
            }
            final long[] stats = capture.stats();
            if (interval != null)
            {
                // The last, partial interval comes before the final report.
                ticker.report(System.nanoTime());
            }
            final ExportOptions.Exported exported = ExportOptions.finish(exporters, err);
            if (!exported.complete() && exitCode == Main.EXIT_OK)
            {
                exitCode = Main.EXIT_EXPORT;
            }
            final String error = run.ioFault() == null ? null : run.ioFault().getMessage();
            final AnalysisResult result = analysis.result("live capture on " + device, capture.formatName(), run,
                (int)maxFlows, error, describeFilter());
            result.captureStats = stats;
            exported.into(result);
            result.loopback = capture.isLoopback();
            result.host = attribution;
            warnAboutAttribution(attribution, err);
            if (!analysis.write(result, report.output, out, err)
                || tunnelLog != null && !Analysis.writeTunnelLog(tunnelLog, report.tunnelLog, err))
            {
                exitCode = Main.EXIT_INPUT;
            }
            final String checksumWarning = ChecksumSummary.warning(run.stats());
            if (checksumWarning != null)
            {
                err.println("flowdemux: warning: " + checksumWarning);
            }
            if (error != null)
            {
                err.println("flowdemux: " + error);
                exitCode = Main.EXIT_INPUT;
            }
        }
        finally
        {
            capture.close();
            err.flush();
            out.flush();
            done.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException e)
            {
                // the JVM is already shutting down: the hook is running and ends it with exitCode
            }
        }
        return exitCode;
    }

    /** The lookup thread, started; null when --no-processes, or (said once) when it cannot read the tables. */
    private Attribution startAttribution(final PrintWriter err)
    {
        if (!processes)
        {
            return null;
        }
        final Attribution a = new Attribution(netns, write != null && isPcapng(write));
        final String problem = a.start();
        if (problem != null)
        {
            err.println("flowdemux: warning: the programs behind connections will not be named: " + problem);
            a.close();
            return null;
        }
        return a;
    }

    /** What attribution could not do, once each. */
    private static void warnAboutAttribution(final Attribution a, final PrintWriter err)
    {
        if (a == null)
        {
            return;
        }
        if (a.noAccess() > 0)
        {
            err.println("flowdemux: warning: the programs of " + a.noAccess() + " local endpoints could not be named: "
                + "their processes belong to other users, whose /proc/PID/fd needs root (or CAP_SYS_PTRACE); their "
                + "user is given");
        }
        if (a.skipped() > 0)
        {
            err.println("flowdemux: warning: " + a.skipped() + " connections were not looked up: new connections "
                + "came faster than the socket table could be read");
        }
    }

    static boolean isPcapng(final Path p)
    {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pcapng");
    }

    /** Each value on its own; and options that cannot go together. */
    private void validate(final CommandLine cl)
    {
        report.validate(cl);
        export.validate(cl);
        if (snaplen < 64 || snaplen > 262_144)
        {
            throw new CommandLine.ParameterException(cl, "--snaplen must be 64 to 262144, not " + snaplen);
        }
        if (interval != null && !(interval > 0))
        {
            throw new CommandLine.ParameterException(cl, "--interval must be above 0 seconds, not " + interval);
        }
        if (duration != null && !(duration >= 0))
        {
            throw new CommandLine.ParameterException(cl, "--duration must be 0 seconds or more, not " + duration);
        }
        if (count != null && count < 1)
        {
            throw new CommandLine.ParameterException(cl, "--count must be at least 1, not " + count);
        }
        if (maxFlows < 1 || maxFlows > ReadCommand.MAX_FLOWS)
        {
            throw new CommandLine.ParameterException(cl, "--max-flows must be 1 to " + ReadCommand.MAX_FLOWS + ", not "
                + maxFlows);
        }
        if (bufferKiB < 1 || bufferKiB > (1 << 20))
        {
            throw new CommandLine.ParameterException(cl, "--buffer-size must be 1 to 1048576 KiB (1 GiB), not "
                + bufferKiB);
        }
        if (workers < 1 || workers > 256)
        {
            throw new CommandLine.ParameterException(cl, "--workers must be 1 to 256, not " + workers);
        }
        if (interval != null && report.output == null && !"text".equals(report.format))
        {
            throw new CommandLine.ParameterException(cl, "--interval prints text reports on standard output, which "
                + "would mix with --format " + report.format + ": write that with -o FILE");
        }
        if (netns != null && !processes)
        {
            throw new CommandLine.ParameterException(cl, "--netns names where to look the programs up; it "
                + "contradicts --no-processes");
        }
        if (write != null && report.output != null && write.toAbsolutePath().normalize()
            .equals(report.output.toAbsolutePath().normalize()))
        {
            throw new CommandLine.ParameterException(cl, "--write and -o name the same file");
        }
    }

    private String describeFilter()
    {
        final String ports = filters.description();
        if (filter == null)
        {
            return ports;
        }
        return "BPF " + filter + (ports == null ? "" : " " + ports);
    }

    /**
     * Passes packets through and, with --write, saves them (pcapng when the name ends so, with what attribution
     * found in custom blocks beside the packets); records interval packet sizes.
     */
    private final class Tee implements CaptureReader
    {
        private final LiveFeed capture;
        private final Path target;
        private final Path temporary;
        /** What --write writes to, or null; {@link #pcapng} too when it is pcapng (its custom blocks). */
        private final flowdemux.synth.CaptureWriter saved;
        private final PcapngWriter pcapng;
        private final Attribution attribution;
        private boolean ended;

        Tee(final LiveFeed capture, final Path target, final Ticker ticker, final Attribution attribution)
            throws IOException
        {
            this.capture = capture;
            this.target = target;
            this.attribution = attribution;
            if (target == null)
            {
                temporary = null;
                saved = null;
                pcapng = null;
            }
            else
            {
                final Path abs = target.toAbsolutePath();
                temporary = flowdemux.util.TemporaryFiles.beside(abs);
                final OutputStream os = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
                if (isPcapng(target))
                {
                    pcapng = new PcapngWriter(os, java.nio.ByteOrder.nativeOrder());
                    saved = pcapng;
                    pcapng.addInterface(capture.linkType(), 9);
                    if (attribution != null)
                    {
                        // Before any packet: a reader knows from the first blocks that owners follow.
                        pcapng.writeCustom(HostRecords.PEN, HostRecords.addresses(attribution.localAddresses()));
                        pcapng.writeCustom(HostRecords.PEN, HostRecords.listening("start",
                            attribution.listenersAtStart()));
                    }
                }
                else
                {
                    saved = new PcapWriter(os, capture.linkType(), true);
                    pcapng = null;
                }
                ticker.tee = this;
            }
        }

        @Override
        public boolean next(final PacketRecord record) throws IOException
        {
            if (!capture.next(record))
            {
                if (!ended && attribution != null)
                {
                    // Before the connections still open are ended: what is still being looked up is settled now.
                    ended = true;
                    attribution.finish();
                    writeSettled();
                }
                return false;
            }
            intervalSizes.recordValue(Math.max(0, Math.min(record.originalLength, 1 << 24)));
            if (saved != null)
            {
                saved.writeCaptured(record.timestampNanos, record.buffer, record.offset, record.capturedLength,
                    record.originalLength);
            }
            return true;
        }

        /** The owners settled since the last call, each in a block of its own (pcapng only). */
        void writeSettled() throws IOException
        {
            if (pcapng == null || attribution == null)
            {
                return;
            }
            for (LocalConnection c; (c = attribution.pollSettled()) != null; )
            {
                pcapng.writeCustom(HostRecords.PEN, HostRecords.connection(c));
            }
        }

        void flush() throws IOException
        {
            if (saved != null)
            {
                writeSettled();
                saved.flush();
            }
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
            if (saved != null)
            {
                writeSettled();
                if (pcapng != null && attribution != null)
                {
                    pcapng.writeCustom(HostRecords.PEN, HostRecords.listening("end", attribution.listenersAtEnd()));
                }
                saved.close();
            }
            if (target != null)
            {
                flowdemux.util.TemporaryFiles.moveIntoPlace(temporary, target);
            }
        }
    }

    /** Runs between packets on the capture thread: duration, the --write flush, and rolling reports. */
    private final class Ticker implements Runnable
    {
        private final OfflineRun run;
        private final ConcurrentLinkedQueue<FlowRecord> endedNow;
        private final PrintWriter out;
        private final long startWall;
        private long nextFlush;
        private long nextReport;
        private long nextClock;
        /** The latest packet time at the last clock tick that saw it change, and the wall clock then. */
        private long clockPacketTime = Long.MIN_VALUE;
        private long clockWall;
        private long intervalStart;
        private long packetsAtLastReport;
        private long[] countersAtLastReport;
        private long endedSoFar;
        /** Finished connections already counted as ended while still in the table, by serial. */
        private final java.util.Set<Long> countedFinished = new java.util.HashSet<>();
        private Histogram sizes;
        LiveFeed capture;
        Tee tee;
        private final Attribution attribution;

        Ticker(final OfflineRun run, final ConcurrentLinkedQueue<FlowRecord> endedNow, final PrintWriter out,
            final long startWall, final Attribution attribution)
        {
            this.attribution = attribution;
            this.run = run;
            this.endedNow = endedNow;
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
            if (tee != null && now >= nextFlush)
            {
                nextFlush = now + SECOND;
                try
                {
                    tee.flush();
                }
                catch (IOException e)
                {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (now >= nextClock)
            {
                nextClock = now + CLOCK_TICK;
                clock(now);
            }
            if (now >= nextReport)
            {
                report(now);
                nextReport = now + (long)(interval * SECOND);
            }
        }

        /**
         * The capture clock follows the wall clock while packets are few: the latest packet time plus the wall time
         * since it was first seen, less a margin for packets still on their way (libpcap hands them over in blocks,
         * every 0.1 s on a quiet link), so that on a quiet link a connection ends when its timer runs out.
         */
        private void clock(final long now)
        {
            final long packetTime = run.stats().lastNanos;
            if (packetTime == Long.MIN_VALUE)
            {
                return;
            }
            if (packetTime != clockPacketTime)
            {
                clockPacketTime = packetTime;
                clockWall = now;
                return;
            }
            final long quiet = now - clockWall - CLOCK_MARGIN;
            if (quiet > 0)
            {
                run.advanceClock(packetTime + quiet);
            }
        }

        /** The programs behind this interval's connections: connections, bytes sent (up) and received (down). */
        private void programs(final List<FlowRecord> active)
        {
            final Map<String, long[]> byProgram = new HashMap<>();
            for (final FlowRecord f : active)
            {
                if (f.origOwner == null && f.respOwner == null)
                {
                    flowdemux.report.FlowStore.annotate(f, attribution);
                }
                for (final boolean orig : new boolean[] {true, false})
                {
                    final flowdemux.host.Owner o = orig ? f.origOwner : f.respOwner;
                    if (o != null && o.program() != null)
                    {
                        final long[] c = byProgram.computeIfAbsent(o.label(), k -> new long[3]);
                        c[0]++;
                        c[1] += orig ? f.origIpBytes : f.respIpBytes;
                        c[2] += orig ? f.respIpBytes : f.origIpBytes;
                    }
                }
            }
            out.print("top programs (connections open or ended this interval):");
            byProgram.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -(e.getValue()[1] + e.getValue()[2]))
                    .thenComparing(Map.Entry::getKey))
                .limit(5).forEach(e -> out.printf(Locale.ROOT, "  %s %d conns up %s down %s", e.getKey(),
                    e.getValue()[0], Formats.bytes(e.getValue()[1]), Formats.bytes(e.getValue()[2])));
            out.println(byProgram.isEmpty() ? "  (none named yet)" : "");
        }

        void report(final long now)
        {
            final List<FlowCollector> snapshots = new ArrayList<>();
            for (int i = 0; i < run.workerCount(); i++)
            {
                snapshots.add(new FlowCollector());
            }
            run.snapshotOpenFlows(snapshots::get);
            if (attribution != null)
            {
                // The workers have told the lookup thread of every connection so far: let it try them once.
                attribution.catchUp(SECOND / 5);
            }
            // A finished connection Zeek still keeps for late packets (SF, REJ, a reset) counts as ended when first
            // seen finished, and not again when it leaves the table.
            final List<FlowRecord> open = new ArrayList<>();
            final List<FlowRecord> finished = new ArrayList<>();
            for (final FlowCollector c : snapshots)
            {
                for (final FlowRecord f : c.flowsUnsorted())
                {
                    (FINISHED.contains(f.connState) ? finished : open).add(f);
                }
            }
            final List<FlowRecord> active = new ArrayList<>(open);
            long endedThisInterval = 0;
            for (FlowRecord f; (f = endedNow.poll()) != null; )
            {
                if (f.endReason == flowdemux.flow.EndReason.ACTIVE)
                {
                    continue;
                }
                if (!countedFinished.remove(f.serial))
                {
                    endedThisInterval++;
                    active.add(f);
                }
            }
            for (final FlowRecord f : finished)
            {
                if (countedFinished.add(f.serial))
                {
                    endedThisInterval++;
                    active.add(f);
                }
            }
            endedSoFar += endedThisInterval;
            sizes = intervalSizes.getIntervalHistogram(sizes);
            final long packets = run.stats().packets;
            final long[] st = capture.stats();
            out.printf(Locale.ROOT, "--- %.1f s to %.1f s of the capture ---%n", (intervalStart - startWall) / 1e9,
                (now - startWall) / 1e9);
            out.printf(Locale.ROOT, "interval: %s, %s ended; %s; packet size p50 %s, p99 %s%n",
                Formats.count(packets - packetsAtLastReport, "packet", "packets"),
                Formats.count(endedThisInterval, "connection", "connections"),
                LiveCounters.describeDrops(st, countersAtLastReport),
                sizes.getTotalCount() == 0 ? "-" : Formats.bytes(sizes.getValueAtPercentile(50)),
                sizes.getTotalCount() == 0 ? "-" : Formats.bytes(sizes.getValueAtPercentile(99)));
            out.printf(Locale.ROOT, "whole run: %s, %s open, %s ended; %s%n", Formats.count(packets, "packet", "packets"),
                Formats.count(open.size(), "connection", "connections"), Formats.count(endedSoFar),
                LiveCounters.describe(st, capture.isLoopback()));
            countersAtLastReport = st;
            final Map<String, long[]> ports = new HashMap<>();
            for (final FlowRecord f : active)
            {
                final long[] c = ports.computeIfAbsent(f.respPort + "/" + f.protocolName(), k -> new long[2]);
                c[0]++;
                c[1] += f.packets();
            }
            out.print("top ports (connections open or ended this interval):");
            ports.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                    .thenComparing(Map.Entry::getKey))
                .limit(5).forEach(e -> out.printf(Locale.ROOT, "  %s %d conns/%d pkts", e.getKey(), e.getValue()[0],
                    e.getValue()[1]));
            out.println();
            if (attribution != null)
            {
                programs(active);
            }
            active.sort(Comparator.comparingLong((FlowRecord f) -> -f.ipBytes()).thenComparingLong(f -> f.serial));
            for (final FlowRecord f : active.subList(0, Math.min(Math.min(report.topOrAll(), 1000), active.size())))
            {
                out.printf(Locale.ROOT, "  %s:%d -> %s:%d %s %s %s %d pkts %s%n", f.origAddress(), f.origPort,
                    f.respAddress(), f.respPort, f.protocolName(), f.connState, f.history, f.packets(),
                    Formats.bytes(f.ipBytes()));
            }
            out.flush();
            packetsAtLastReport = packets;
            intervalStart = now;
        }
    }
}
