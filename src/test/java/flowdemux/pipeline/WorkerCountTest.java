package flowdemux.pipeline;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outputs, byte for byte in every format, do not depend on the number of workers. */
class WorkerCountTest
{
    private static final String[] FORMATS = {"text", "json", "jsonl", "csv", "zeek"};
    private static final int[] WORKERS = {2, 3, 8};

    @Test
    void everySampleAndCorpusCaptureGivesTheSameOutputsWith1To8Workers()
    {
        final List<Path> inputs = new ArrayList<>(List.of(Path.of("samples/three-tabs.pcap"),
            Path.of("samples/mixed.pcapng")));
        inputs.addAll(Corpus.captures());
        int compared = 0;
        final List<String> differ = new ArrayList<>();
        for (final Path input : inputs)
        {
            for (final String format : FORMATS)
            {
                final Cli one = Cli.run("read", input.toString(), "--format", format, "--workers", "1");
                for (final int w : WORKERS)
                {
                    final Cli many = Cli.run("read", input.toString(), "--format", format, "--workers",
                        String.valueOf(w));
                    compared++;
                    if (one.exitCode != many.exitCode || !one.out.equals(many.out) || !one.err.equals(many.err))
                    {
                        differ.add(input + " " + format + " --workers " + w);
                    }
                }
            }
        }
        System.out.printf("worker counts: %d runs compared with --workers 1, %d differ%n", compared, differ.size());
        assertTrue(compared > 1000);
        assertEquals(List.of(), differ);
    }

    /**
     * A capture big enough for the capped lists to fill (per-server client lists, 1,000 kept): 100,000 generated
     * connections 10,000 at a time (as scripts/bench.sh makes them), about 1.4 million packets, every format, one
     * worker against eight. Tagged large (.ci/run runs it).
     */
    @Test
    @Tag("large")
    void aBigCaptureGivesTheSameOutputsWith1And8Workers(@TempDir final Path tmp)
    {
        final Path pcap = tmp.resolve("big.pcap");
        final Cli gen = Cli.run("generate", "--flows", "100000", "--concurrency", "10000", "-o", pcap.toString());
        assertEquals(0, gen.exitCode, gen.err);
        final List<String> differ = new ArrayList<>();
        for (final String format : FORMATS)
        {
            final Cli one = Cli.run("read", pcap.toString(), "--format", format, "--workers", "1", "--top", "100");
            final Cli eight = Cli.run("read", pcap.toString(), "--format", format, "--workers", "8", "--top", "100");
            assertEquals(0, one.exitCode, one.err);
            if (!one.out.equals(eight.out) || !one.err.equals(eight.err))
            {
                differ.add(format + ": " + firstDifference(one.out, eight.out));
            }
        }
        assertEquals(List.of(), differ);
    }

    private static String firstDifference(final String a, final String b)
    {
        final String[] x = a.split("\n");
        final String[] y = b.split("\n");
        for (int i = 0; i < Math.min(x.length, y.length); i++)
        {
            if (!x[i].equals(y[i]))
            {
                return "line " + (i + 1) + ": " + x[i] + " | " + y[i];
            }
        }
        return "lengths " + x.length + " and " + y.length;
    }

    /**
     * A server with more clients than a report keeps by name (1,000): which ones are kept must not depend on which
     * worker saw which connection. 3,000 clients (10.1.x.y) each send one UDP datagram to 10.0.0.53:53, in an order
     * that is not the order of their addresses.
     */
    @Test
    void aCappedClientListIsTheSameForAnyWorkerCount(@TempDir final Path tmp) throws Exception
    {
        final Path pcap = tmp.resolve("many-clients.pcap");
        final flowdemux.synth.PacketBuilder b = new flowdemux.synth.PacketBuilder();
        try (java.io.OutputStream os = java.nio.file.Files.newOutputStream(pcap);
             flowdemux.synth.PcapWriter w = new flowdemux.synth.PcapWriter(os, 1, false))
        {
            for (int i = 0; i < 3000; i++)
            {
                final int c = (i * 7919) % 3000; // every client once, not in address order
                b.udp(flowdemux.synth.PacketBuilder.ipv4("10.1." + (c / 250) + "." + (c % 250 + 1)), 40000,
                    flowdemux.synth.PacketBuilder.ipv4("10.0.0.53"), 53, 20);
                w.write(1_700_000_000_000_000_000L + i * 1_000_000L, b.frame(), b.length(), 0);
            }
        }
        final Cli one = Cli.run("read", pcap.toString(), "--format", "json", "--workers", "1");
        assertTrue(one.out.contains("\"address\" : \"10.1.0.1\""), "the lowest addresses are kept");
        assertTrue(!one.out.contains("\"address\" : \"10.1.11.250\""), "the highest is not");
        for (final int w : new int[] {2, 3, 8})
        {
            assertEquals(one.out, Cli.run("read", pcap.toString(), "--format", "json", "--workers", String.valueOf(w)).out,
                "--workers " + w);
            assertEquals(Cli.run("read", pcap.toString(), "--workers", "1").out,
                Cli.run("read", pcap.toString(), "--workers", String.valueOf(w)).out, "text, --workers " + w);
        }
        final String text = Cli.run("read", pcap.toString()).out;
        assertTrue(text.contains("10.0.0.53:53 udp (DNS, well-known)  no answer: 3000 connections from 1000+ clients"),
            text);
    }
}
