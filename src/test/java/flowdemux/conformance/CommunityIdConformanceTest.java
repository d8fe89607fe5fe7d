package flowdemux.conformance;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Community ID v1 against what Zeek computed (community_id_v1 of each connection's id, seed 0) for its six traces:
 * TCP, UDP, ICMP, ICMPv6 (echo, neighbour discovery, unreachable), IPv6 and SCTP. Connections are matched by their
 * originator and responder as Zeek printed them; every one must carry Zeek's ID.
 */
class CommunityIdConformanceTest
{
    /** Connections compared, pinned. */
    private static final int CONNECTIONS = 19;

    private static final Pattern LINE = Pattern.compile(
        "\\[orig_h=([^,]+), orig_p=(\\d+)/\\w+, resp_h=([^,]+), resp_p=(\\d+)/\\w+, proto=(\\d+).*\\], (1:\\S+)");

    @Test
    void everyConnectionHasZeeksCommunityId() throws IOException
    {
        int compared = 0;
        final List<String> differ = new ArrayList<>();
        for (final String name : List.of("tcp", "udp", "icmp", "icmp6", "ipv6", "sctp"))
        {
            final Path trace = Corpus.root().resolve("zeek/communityid-" + name + ".pcap");
            final Map<String, String> zeek = new TreeMap<>();
            for (final String line : Files.readAllLines(trace.resolveSibling("communityid-" + name + ".conns.txt")))
            {
                final Matcher m = LINE.matcher(line);
                if (m.find())
                {
                    zeek.put(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4), m.group(6));
                }
            }
            final Cli r = Cli.run("read", trace.toString(), "--format", "zeek", "--community-id");
            assertEquals(0, r.exitCode, r.err);
            final Map<String, String> ours = new TreeMap<>();
            for (final String line : r.out.split("\n"))
            {
                if (!line.startsWith("#") && !line.isEmpty())
                {
                    final String[] f = line.split("\t", -1);
                    ours.put(f[2] + " " + f[3] + " " + f[4] + " " + f[5], f[22]);
                }
            }
            for (final Map.Entry<String, String> e : zeek.entrySet())
            {
                compared++;
                if (!e.getValue().equals(ours.get(e.getKey())))
                {
                    differ.add(name + " " + e.getKey() + ": zeek " + e.getValue() + ", flowdemux " + ours.get(e.getKey()));
                }
            }
        }
        System.out.printf("Community ID: %d of %d connections as Zeek%n", compared - differ.size(), compared);
        differ.forEach(d -> System.out.println("  " + d));
        assertEquals(List.of(), differ);
        assertEquals(CONNECTIONS, compared);
    }

    @Test
    void theSeedChangesItAndExtractFindsItsConnections(@TempDir final Path tmp) throws IOException
    {
        final Path trace = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        final String plain = Cli.run("read", trace.toString(), "--format", "jsonl").out;
        final String seeded = Cli.run("read", trace.toString(), "--format", "jsonl", "--community-id-seed", "7").out;
        final Matcher a = Pattern.compile("\"uid\":\"(\\w+)\".*?\"community_id\":\"([^\"]+)\"").matcher(plain);
        final Matcher b = Pattern.compile("\"community_id\":\"([^\"]+)\"").matcher(seeded);
        assertTrue(a.find() && b.find());
        assertNotEquals(a.group(2), b.group(1), "a seed of 7 hashes differently");
        final Path byId = tmp.resolve("by-id.pcap");
        final Path byUid = tmp.resolve("by-uid.pcap");
        final Cli x = Cli.run("extract", trace.toString(), "--community-id", a.group(2), "-w", byId.toString());
        assertEquals(0, x.exitCode, x.err);
        // Every connection of that tuple: here one, whose uid extracts the same records.
        final Cli y = Cli.run("extract", trace.toString(), "--uid", a.group(1), "-w", byUid.toString());
        assertEquals(0, y.exitCode, y.err);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(byUid), Files.readAllBytes(byId)));
        final Cli wrongSeed = Cli.run("extract", trace.toString(), "--community-id", a.group(2),
            "--community-id-seed", "7", "-w", tmp.resolve("none.pcap").toString());
        assertEquals(2, wrongSeed.exitCode);
        assertTrue(wrongSeed.err.contains("matches no connection"), wrongSeed.err);
        assertTrue(!Files.exists(tmp.resolve("none.pcap")), "nothing written");
    }
}
