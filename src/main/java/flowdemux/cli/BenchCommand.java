package flowdemux.cli;

import flowdemux.flow.FlowSlot;
import flowdemux.perf.FlowTableBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code bench}: flow-table throughput against a HashMap baseline measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Measure the flow table against a HashMap baseline.",
    description = {"Measure the flow table: lookups-or-inserts per second, ns per operation, heap bytes per tracked",
        "flow and per-batch latency, next to a HashMap<record, object> baseline doing the same work in the same run."},
    footer = {"", "Examples:", "  analyzer bench", "  analyzer bench --flows 1000000 --ops 20000000"})
public final class BenchCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--flows", split = ",", paramLabel = "N[,N...]", defaultValue = "10000,1000000,10000000",
        description = "concurrent flows (default 10000,1000000,10000000)")
    private List<Integer> flows;

    @Option(names = "--ops", paramLabel = "N", defaultValue = "20000000", converter = CountConverter.class,
        description = "operations per run (default 2e7)")
    private long ops;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
        description = "runs of each, alternating; the best counts (the machine is shared and noisy)")
    private int rounds;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S")
    private long seed;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (ops < FlowTableBench.BATCH || rounds < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ops >= 10000 and --rounds >= 1");
        }
        out.printf(Locale.ROOT, "flow-table bench: %,d lookups-or-inserts per run, best of %d, %d cores, max heap %d MiB%n",
            ops, rounds, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        out.printf(Locale.ROOT, "flowdemux stores %d longs (%d bytes) per flow plus an 8-byte index slot at load <= 0.65%n",
            FlowSlot.STRIDE, FlowSlot.STRIDE * 8);
        out.flush();
        final List<String> table = new ArrayList<>();
        for (final int n : flows)
        {
            if (n < 1)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--flows must be positive");
            }
            final FlowTableBench bench = new FlowTableBench(n, ops, seed);
            FlowTableBench.Result single = null;
            FlowTableBench.Result best = null;
            FlowTableBench.Result baseline = null;
            for (int r = 0; r < rounds; r++)
            {
                final FlowTableBench.Result a = bench.flowTable();
                final FlowTableBench.Result c = bench.flowTableBatched();
                final FlowTableBench.Result b = bench.hashMap();
                single = single == null || a.seconds < single.seconds ? a : single;
                best = best == null || c.seconds < best.seconds ? c : best;
                baseline = baseline == null || b.seconds < baseline.seconds ? b : baseline;
            }
            for (final FlowTableBench.Result r : new FlowTableBench.Result[] {single, best, baseline})
            {
                out.printf(Locale.ROOT, "%,11d flows  %-24s %8.2f Mops/s %8.1f ns/op %8.0f B/flow  batch of %,d: "
                        + "p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms%n", n, r.name, r.opsPerSecond() / 1e6,
                    r.nanosPerOp(), r.bytesPerFlow, FlowTableBench.BATCH, r.batchNanos.getValueAtPercentile(50) / 1e6,
                    r.batchNanos.getValueAtPercentile(99) / 1e6, r.batchNanos.getValueAtPercentile(99.9) / 1e6,
                    r.batchNanos.getMaxValue() / 1e6);
            }
            out.flush();
            table.add(String.format(Locale.ROOT, "| %,d | %.2f M | %.2f M | %.2f M | %.2fx | %.2fx | %.0f B | %.0f B |",
                n, single.opsPerSecond() / 1e6, best.opsPerSecond() / 1e6, baseline.opsPerSecond() / 1e6,
                single.opsPerSecond() / baseline.opsPerSecond(), best.opsPerSecond() / baseline.opsPerSecond(),
                best.bytesPerFlow, baseline.bytesPerFlow));
        }
        out.println();
        out.println("| flows | flowdemux one at a time | flowdemux batched | HashMap | one at a time / HashMap "
            + "| batched / HashMap | flowdemux heap/flow | HashMap heap/flow |");
        out.println("|---|---|---|---|---|---|---|---|");
        table.forEach(out::println);
        out.flush();
        return Main.EXIT_OK;
    }
}
