package flowdemux.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import flowdemux.report.OutputTarget;
import flowdemux.synth.CaptureWriter;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.PcapngWriter;
import flowdemux.synth.TrafficGenerator;
import flowdemux.synth.TunnelWrapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code generate}: deterministic synthetic traffic for benchmarks and tests, with a JSON summary of what it wrote. */
@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    header = "Write synthetic traffic for benchmarks and tests.",
    description = "Write synthetic traffic (TCP connections, DNS, refused and half-open connections, IPv4 and IPv6).",
    footer = {"", "Examples:", "  analyzer generate --flows 1000 -o small.pcap", "  analyzer generate --flows 1000000 --protocol-payloads -o big.pcap"})
public final class GenerateCommand implements Callable<Integer>
{
    /** A generated connection takes about 4.4 KB of capture (435 MB for 100,000); the estimate errs high. */
    static final long BYTES_PER_CONNECTION = 6_000;
    /** Serial numbers and ports stay distinct well past this; beyond it is a typo, not a benchmark. */
    static final long MAX_FLOWS = 1_000_000_000L;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--flows", required = true, paramLabel = "N", converter = CountConverter.class,
        description = "connections to write (1e6 works)")
    private long flows;

    @Option(names = "--concurrency", defaultValue = "1000", paramLabel = "N", description = "connections in flight at once")
    private int concurrency;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "random seed (same seed, same bytes)")
    private long seed;

    @Option(names = "--ipv6", defaultValue = "10", paramLabel = "PERCENT", description = "share of IPv6 connections")
    private int ipv6;

    @Option(names = "--protocol-payloads", description = "begin each connection's first request and response with "
        + "its protocol's real first bytes (TLS ClientHello with a server name, HTTP, SSH, SMTP, Redis, DNS), chosen "
        + "by server port, for service detection; default: filler bytes")
    boolean protocolPayloads;

    @Option(names = "--encap", paramLabel = "TUNNEL", description = "wrap every frame in a tunnel between 10.255.0.1 and "
        + "10.255.0.2: vxlan, geneve, gtp, gre, gre-ip, erspan or ipip (identifier 42); the connections inside are the "
        + "same as without")
    private String encap;

    @Option(names = "--pcapng", description = "write pcapng instead of pcap")
    private boolean pcapng;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "F", description = "the capture to write")
    private Path output;

    @Option(names = "--summary", paramLabel = "F.json", description = "write the JSON summary here (default: standard output)")
    private Path summary;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cl = spec.commandLine();
        if (flows < 1 || flows > MAX_FLOWS)
        {
            throw new CommandLine.ParameterException(cl, "--flows must be 1 to " + MAX_FLOWS + ", not " + flows);
        }
        if (concurrency < 1)
        {
            throw new CommandLine.ParameterException(cl, "--concurrency must be at least 1, not " + concurrency);
        }
        if (ipv6 < 0 || ipv6 > 100)
        {
            throw new CommandLine.ParameterException(cl, "--ipv6 must be 0-100, not " + ipv6);
        }
        final String problem = OutputTarget.problem(output);
        if (problem != null)
        {
            cl.getErr().println("flowdemux: cannot write " + output + ": " + problem);
            return Main.EXIT_INPUT;
        }
        final Path abs = output.toAbsolutePath();
        final long estimate = flows * BYTES_PER_CONNECTION;
        final long free = Files.getFileStore(abs.getParent()).getUsableSpace();
        if (estimate > free)
        {
            cl.getErr().printf(Locale.ROOT, "flowdemux: --flows %,d would write about %.1f GB; %s has %.1f GB free%n",
                flows, estimate / 1e9, abs.getParent(), free / 1e9);
            return Main.EXIT_INPUT;
        }
        TunnelWrapper.Kind tunnel = null;
        if (encap != null)
        {
            try
            {
                tunnel = TunnelWrapper.Kind.valueOf(encap.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            catch (IllegalArgumentException e)
            {
                throw new CommandLine.ParameterException(cl, "--encap is vxlan, geneve, gtp, gre, gre-ip, erspan or "
                    + "ipip, not " + encap);
            }
        }
        final TrafficGenerator g = new TrafficGenerator(seed, flows, concurrency, ipv6).protocolPayloads(protocolPayloads);
        final Path tmp = flowdemux.util.TemporaryFiles.beside(abs);
        // Ctrl-C or a kill while writing: the hidden temporary file goes with the process.
        final Thread cleanup = new Thread(() -> deleteQuietly(tmp), "flowdemux-generate-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        final long start = System.nanoTime();
        try
        {
            try (OutputStream os = Files.newOutputStream(tmp);
                 CaptureWriter file = pcapng ? pcapngWriter(os) : new PcapWriter(os, 1, true))
            {
                g.write(tunnel == null ? file : TunnelWrapper.writer(file, tunnel, 42), 1_700_000_000_000_000_000L);
            }
            flowdemux.util.TemporaryFiles.moveIntoPlace(tmp, abs);
        }
        finally
        {
            Files.deleteIfExists(tmp);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (IllegalStateException e)
            {
                // already shutting down: the hook deletes it
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getErr().printf(Locale.ROOT, "flowdemux: wrote %,d packets, %,d connections, %.1f MB in %.2f s"
            + " (%.0f MB/s)%n", g.packets, flows, Files.size(abs) / 1e6, seconds, Files.size(abs) / 1e6 / seconds);
        try (Writer out = summary == null ? spec.commandLine().getOut() : Files.newBufferedWriter(summary))
        {
            final JsonGenerator j = new JsonFactory().createGenerator(out);
            j.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            j.useDefaultPrettyPrinter();
            j.writeStartObject();
            j.writeStringField("file", output.toString());
            j.writeNumberField("seed", seed);
            j.writeNumberField("packets", g.packets);
            j.writeNumberField("frame_bytes", g.bytes);
            j.writeNumberField("connections", flows);
            j.writeObjectFieldStart("by_kind");
            for (final TrafficGenerator.Kind k : TrafficGenerator.Kind.values())
            {
                j.writeNumberField(k.name().toLowerCase(Locale.ROOT), g.byKind[k.ordinal()]);
            }
            j.writeEndObject();
            j.writeObjectFieldStart("by_server_port");
            for (int p = 0; p < 65536; p++)
            {
                if (g.byServerPort[p] > 0)
                {
                    j.writeNumberField(String.valueOf(p), g.byServerPort[p]);
                }
            }
            j.writeEndObject();
            j.writeEndObject();
            j.flush();
            out.write('\n');
        }
        return Main.EXIT_OK;
    }

    private static void deleteQuietly(final Path p)
    {
        try
        {
            Files.deleteIfExists(p);
        }
        catch (IOException e)
        {
            // nothing more to do while the process ends
        }
    }

    private static CaptureWriter pcapngWriter(final OutputStream os) throws IOException
    {
        final PcapngWriter w = new PcapngWriter(os, ByteOrder.LITTLE_ENDIAN);
        w.addInterface(1, 9);
        return w;
    }
}
