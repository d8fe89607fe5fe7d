package flowdemux.decode;

import flowdemux.Cli;
import flowdemux.synth.CaptureWriter;
import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.TrafficGenerator;
import flowdemux.synth.TunnelWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each tunnel type, wrapped around generated traffic of every connection state: the connections inside must be
 * exactly those of the same traffic captured without the tunnel (uids included: they are keyed by the record, not the
 * tunnel), each naming its tunnel; --decap none sees only the outer packets; nesting, truncation at every byte and
 * bad inner checksums are accounted for.
 */
class TunnelTest
{
    private static final int FLOWS = 600;

    private static Path generate(final Path dir, final String name, final TunnelWrapper.Kind kind) throws IOException
    {
        final Path file = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(file); PcapWriter pcap = new PcapWriter(os, 1, true))
        {
            final CaptureWriter w = kind == null ? pcap : TunnelWrapper.writer(pcap, kind, 42);
            new TrafficGenerator(5, FLOWS, 60, 20).write(w, TrafficGenerator.START_NANOS);
        }
        return file;
    }

    /** conn.log rows by uid, without tunnel_parents (column 21), and each row's tunnel_parents. */
    private static Map<String, String> rows(final String log, final Map<String, String> parents)
    {
        final Map<String, String> rows = new TreeMap<>();
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#") || line.isEmpty())
            {
                continue;
            }
            final String[] f = line.split("\t", -1);
            parents.put(f[1], f[20]);
            f[20] = "";
            rows.put(f[1], String.join("\t", f));
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(TunnelWrapper.Kind.class)
    void theConnectionsInsideAreThoseOfThePlainCapture(final TunnelWrapper.Kind kind, @TempDir final Path dir)
        throws IOException
    {
        final Cli plain = Cli.run("read", generate(dir, "plain.pcap", null).toString(), "--seed", "9", "--format",
            "zeek");
        final Path wrapped = generate(dir, "wrapped.pcap", kind);
        final Path tunnelLog = dir.resolve("tunnel.log");
        final Cli inside = Cli.run("read", wrapped.toString(), "--seed", "9", "--format", "zeek", "--tunnel-log",
            tunnelLog.toString());
        assertEquals(0, inside.exitCode, inside.err);
        final Map<String, String> plainParents = new TreeMap<>();
        final Map<String, String> expected = rows(plain.out, plainParents);
        assertEquals(FLOWS, expected.size());
        final Map<String, String> parents = new TreeMap<>();
        final Map<String, String> actual = rows(inside.out, parents);
        final Map<String, String> inner = new TreeMap<>();
        final List<String> outer = new ArrayList<>();
        actual.forEach((uid, row) -> {
            if ("-".equals(parents.get(uid)))
            {
                outer.add(row);
            }
            else
            {
                inner.put(uid, row);
            }
        });
        assertEquals(expected, inner, kind + ": the connections inside");
        final boolean overUdp = kind == TunnelWrapper.Kind.VXLAN || kind == TunnelWrapper.Kind.GENEVE
            || kind == TunnelWrapper.Kind.GTP;
        // Over UDP the tunnel is connections of its own (one per outer source port), named by their service; over
        // IP it is none, and tunnel.log names it.
        assertEquals(overUdp, !outer.isEmpty(), kind + ": outer connections " + outer.size());
        for (final String row : outer)
        {
            assertTrue(row.contains("\t10.255.0.1\t") && row.contains("\tudp\t" + (kind == TunnelWrapper.Kind.GTP
                ? "gtpv1" : kind.name().toLowerCase(java.util.Locale.ROOT)) + "\t"), row);
        }
        final String log = Files.readString(tunnelLog);
        for (final String uid : new java.util.TreeSet<>(parents.values()))
        {
            if (!"-".equals(uid))
            {
                assertTrue(log.contains("\t" + uid + "\t10.255.0.1\t"), kind + ": tunnel.log names " + uid);
            }
        }
        final Cli none = Cli.run("read", wrapped.toString(), "--seed", "9", "--format", "zeek", "--decap", "none");
        final Map<String, String> noneParents = new TreeMap<>();
        rows(none.out, noneParents);
        assertTrue(noneParents.values().stream().allMatch("-"::equals), kind + ": --decap none");
        assertTrue(none.out.contains("10.255.0.2"), kind + ": --decap none keeps the outer packets");
    }

    /** Generated traffic inside VXLAN with network identifier {@code vni} (seed {@code seed}). */
    private static Path session(final Path dir, final String name, final long seed, final long vni) throws IOException
    {
        final Path file = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(file); PcapWriter pcap = new PcapWriter(os, 1, true))
        {
            final CaptureWriter w = vni < 0 ? pcap : TunnelWrapper.writer(pcap, TunnelWrapper.Kind.VXLAN, vni);
            new TrafficGenerator(seed, 200, 20, 0).write(w, TrafficGenerator.START_NANOS + seed);
        }
        return file;
    }

    /** The 5-tuples, states and counts of a conn.log's connections inside tunnels (or all, for a plain one). */
    private static List<String> tuples(final String log, final boolean insideOnly)
    {
        final List<String> out = new ArrayList<>();
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#") || line.isEmpty())
            {
                continue;
            }
            final String[] f = line.split("\t", -1);
            if (!insideOnly || !"-".equals(f[20]))
            {
                out.add(String.join(" ", List.of(f).subList(2, 20)));
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    @Test
    void tunnelIdKeepsOneMirrorSession(@TempDir final Path dir) throws IOException
    {
        final Path a = session(dir, "a.pcap", 11, 42);
        final Path b = session(dir, "b.pcap", 12, 43);
        final List<String> plainA = tuples(Cli.run("read", session(dir, "plain-a.pcap", 11, -1).toString(),
            "--format", "zeek").out, false);
        final List<String> plainB = tuples(Cli.run("read", session(dir, "plain-b.pcap", 12, -1).toString(),
            "--format", "zeek").out, false);
        final Cli both = Cli.run("read", a.toString(), b.toString(), "--format", "zeek");
        final List<String> all = new ArrayList<>(plainA);
        all.addAll(plainB);
        java.util.Collections.sort(all);
        assertEquals(all, tuples(both.out, true), "both sessions, each connection inside once");
        final Cli only = Cli.run("read", a.toString(), b.toString(), "--format", "zeek", "--tunnel-id", "vni=42");
        assertEquals(0, only.exitCode, only.err);
        assertEquals(plainA, tuples(only.out, true), "--tunnel-id vni=42: session 42's connections only");
        final Cli json = Cli.run("read", a.toString(), "--format", "jsonl");
        assertTrue(json.out.contains("\"tunnel\":{\"type\":\"vxlan\",\"id\":42}"), json.out.substring(0, 600));
        final Cli bad = Cli.run("read", a.toString(), "--tunnel-id", "vlan=3");
        assertEquals(1, bad.exitCode, "a usage error");
        assertTrue(bad.err.contains("--tunnel-id is vni=N"), bad.err);
    }

    @Test
    void aTunnelWhoseOuterDatagramsCameInFragmentsIsReadWhole(@TempDir final Path dir) throws IOException
    {
        final byte[] a = PacketBuilder.ipv4("10.7.0.1");
        final byte[] b = PacketBuilder.ipv4("10.7.0.2");
        final List<byte[]> frames = new ArrayList<>();
        // A 1,400-byte UDP datagram inside VXLAN, the outer datagram cut in three, the fragments out of order.
        final byte[] inner = new PacketBuilder().udp(a, 6000, b, 7000, 1400).copy();
        final byte[] outer = new TunnelWrapper().wrap(TunnelWrapper.Kind.VXLAN, inner, inner.length, 9).copy();
        final int payload = outer.length - 14 - 20;
        frames.add(flowdemux.Captures.ipv4Fragment(outer, 600, payload - 600, false));
        frames.add(flowdemux.Captures.ipv4Fragment(outer, 0, 296, true));
        frames.add(flowdemux.Captures.ipv4Fragment(outer, 296, 304, true));
        final Path file = dir.resolve("fragments.pcap");
        write(file, frames);
        final Cli r = Cli.run("read", file.toString(), "--format", "zeek", "--checksums", "verify");
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.contains("\t10.7.0.1\t6000\t10.7.0.2\t7000\tudp\t"), "the datagram inside: " + r.out);
        assertTrue(r.out.contains("\tD\t1\t1428\t"), "one packet of 1,428 IP bytes: " + r.out);
        assertTrue(r.out.contains("\tvxlan\t"), "the outer connection, named " + r.out);
        // The outer connection counts the three frames as one datagram, as before.
        assertTrue(r.out.contains("\tD\t1\t1478\t"), r.out);
        final Cli none = Cli.run("read", file.toString(), "--format", "zeek", "--decap", "none");
        assertTrue(!none.out.contains("\t6000\t"), "--decap none: the outer view only");
    }

    private static void write(final Path file, final List<byte[]> frames) throws IOException
    {
        try (OutputStream os = Files.newOutputStream(file); PcapWriter w = new PcapWriter(os, 1, true))
        {
            long t = TrafficGenerator.START_NANOS;
            for (final byte[] f : frames)
            {
                w.write(t += 1_000_000, f, f.length, 0);
            }
        }
    }

    @Test
    void tunnelsInsideTunnelsUpToZeeksDepthAndNoFurther(@TempDir final Path dir) throws IOException
    {
        final byte[] a = PacketBuilder.ipv4("192.168.7.1");
        final byte[] b = PacketBuilder.ipv4("192.168.7.2");
        final byte[] tcp = new PacketBuilder().tcp(a, 40000, b, 443, 1000, 0, DecodedPacket.SYN, 64_000, null, 0)
            .copy();
        // TCP in VXLAN in GRE in Geneve: three tunnels, within Zeek's max_depth of 4.
        byte[] frame = tcp;
        for (final TunnelWrapper.Kind k : List.of(TunnelWrapper.Kind.VXLAN, TunnelWrapper.Kind.GRE,
            TunnelWrapper.Kind.GENEVE))
        {
            frame = new TunnelWrapper().wrap(k, frame, frame.length, 7).copy();
        }
        final Path three = dir.resolve("three.pcap");
        write(three, List.of(frame));
        final Cli r = Cli.run("read", three.toString(), "--format", "zeek", "--tunnel-log",
            dir.resolve("t.log").toString());
        assertEquals(0, r.exitCode, r.err);
        assertTrue(r.out.contains("\t192.168.7.1\t40000\t192.168.7.2\t443\ttcp\t"), r.out);
        final String tunnels = Files.readString(dir.resolve("t.log"));
        assertTrue(tunnels.contains("Tunnel::GENEVE") && tunnels.contains("Tunnel::GRE")
            && tunnels.contains("Tunnel::VXLAN"), tunnels);
        // Five deep: the fourth tunnel's packet is not looked into; its frame is still in a connection.
        for (final TunnelWrapper.Kind k : List.of(TunnelWrapper.Kind.VXLAN, TunnelWrapper.Kind.GENEVE))
        {
            frame = new TunnelWrapper().wrap(k, frame, frame.length, 8).copy();
        }
        final Path five = dir.resolve("five.pcap");
        write(five, List.of(frame));
        final Cli deep = Cli.run("read", five.toString(), "--format", "zeek");
        assertEquals(0, deep.exitCode, deep.err);
        assertTrue(!deep.out.contains("\t40000\t"), "the TCP packet is five tunnels deep: " + deep.out);
        assertTrue(deep.out.contains("\tgeneve\t") && deep.out.contains("\tvxlan\t"), deep.out);
        final Cli json = Cli.run("read", five.toString(), "--format", "json");
        assertEquals(1, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out).get("capture")
            .get("packets_in_flows").asLong(), "its frame is in a connection");
    }

    @Test
    void everyTruncationAndABadInnerChecksumIsAccounted(@TempDir final Path dir) throws IOException
    {
        final byte[] a = PacketBuilder.ipv4("10.9.0.1");
        final byte[] b = PacketBuilder.ipv4("10.9.0.2");
        final byte[] udp = new PacketBuilder().udp(a, 5000, b, 53, 40).copy();
        final List<byte[]> frames = new ArrayList<>();
        for (final TunnelWrapper.Kind k : TunnelWrapper.Kind.values())
        {
            final byte[] whole = new TunnelWrapper().wrap(k, udp, udp.length, 3).copy();
            for (int n = 1; n <= whole.length; n++)
            {
                frames.add(java.util.Arrays.copyOf(whole, n));
            }
        }
        final Path cut = dir.resolve("cut.pcap");
        write(cut, frames);
        final Cli r = Cli.run("read", cut.toString(), "--format", "json", "--checksums", "verify");
        assertEquals(0, r.exitCode, r.err);
        final com.fasterxml.jackson.databind.JsonNode capture = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(r.out).get("capture");
        assertEquals(frames.size(), capture.get("packets").asLong());
        assertEquals(frames.size(), capture.get("packets_in_flows").asLong()
            + capture.get("undecodable").get("total").asLong(), "every frame in a connection or counted");
        // A bad checksum inside: the inner packet is dropped as Zeek drops it (C in the history), the outer stands.
        final byte[] bad = udp.clone();
        bad[bad.length - 1] ^= 0x55;
        final Path badFile = dir.resolve("bad.pcap");
        write(badFile, List.of(new TunnelWrapper().wrap(TunnelWrapper.Kind.VXLAN, bad, bad.length, 3).copy()));
        final Cli c = Cli.run("read", badFile.toString(), "--format", "zeek", "--checksums", "verify");
        assertTrue(c.out.contains("\t10.9.0.1\t5000\t10.9.0.2\t53\tudp\t"), c.out);
        assertTrue(c.out.contains("\tC\t0\t0\t0\t0\t"), "the inner connection counts no packet: " + c.out);
        assertTrue(c.out.contains("\tvxlan\t"), c.out);
    }
}
