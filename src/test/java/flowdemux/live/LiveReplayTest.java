package flowdemux.live;

import flowdemux.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated capture (IPv4 and IPv6, TCP and UDP) replayed into {@code lo} with {@code tcpreplay --topspeed} while
 * {@code capture -i lo} runs with a filter for its addresses: not a packet lost (the capture ends on {@code --count},
 * the file's packet count, long before its {@code --duration}), and the live connections equal those of {@code read}
 * on the same file, field by field except the times and uids. Loopback only; tcpreplay is installed by .ci/run.
 */
class LiveReplayTest
{
    private static final String FILTER = "net 10.0.0.0/8 or net 2001:db8::/32";
    /** conn.log fields compared; ts, uid and duration are capture times, not the file's. */
    private static final List<String> FIELDS = List.of("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
        "conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "orig_bytes",
        "resp_bytes", "missed_bytes", "service");

    @Test
    void aReplayAtTopSpeedGivesReadsConnections(@TempDir final Path tmp) throws Exception
    {
        LiveRequirement.require();
        final String tcpreplay = LiveRequirement.requireTool("tcpreplay");
        final Path file = tmp.resolve("replay.pcap");
        final Path summary = tmp.resolve("replay.json");
        assertEquals(0, run("generate", "--flows", "400", "--concurrency", "100", "--ipv6", "30", "-o", file.toString(),
            "--summary", summary.toString()).exit);
        final long packets = Long.parseLong(Files.readString(summary).replaceAll("(?s).*\"packets\"\\s*:\\s*(\\d+).*", "$1"));
        assertTrue(packets > 3000, "a few thousand packets: " + packets);

        final Path liveLog = tmp.resolve("live.log");
        final Result[] live = new Result[1];
        final StringWriter captureErr = new StringWriter();
        final Thread capture = new Thread(() -> live[0] = run(captureErr, "capture", "-i", "lo", "-f", FILTER,
            "--count", String.valueOf(packets), "--duration", "60", "--format", "zeek", "-o", liveLog.toString()),
            "test-capture");
        final long start = System.nanoTime();
        capture.start();
        LoopbackPeers.waitFor(captureErr, "capturing on lo");
        Thread.sleep(300);
        final Process replay = new ProcessBuilder(tcpreplay, "-i", "lo", "--topspeed", file.toString())
            .redirectErrorStream(true).start();
        final String replayOut = new String(replay.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(replay.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, replay.exitValue(), replayOut);
        capture.join(70_000);
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, live[0].exit, live[0].err);
        assertTrue(seconds < 50, "the capture ended on --count, every packet arrived (" + seconds + " s)");

        final Result read = run("read", file.toString(), "--format", "zeek");
        assertEquals(0, read.exit, read.err);
        final TreeMap<String, Integer> fromRead = connections(read.out);
        final TreeMap<String, Integer> fromLive = connections(Files.readString(liveLog));
        int same = 0;
        for (final var e : fromRead.entrySet())
        {
            same += Math.min(e.getValue(), fromLive.getOrDefault(e.getKey(), 0));
        }
        final int total = fromRead.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("live replay: %d packets at top speed, %d of %d connections identical to read's%n",
            packets, same, total);
        assertEquals(400, total);
        if (!fromRead.equals(fromLive))
        {
            final List<String> missing = new ArrayList<>(fromRead.keySet());
            missing.removeAll(fromLive.keySet());
            final List<String> extra = new ArrayList<>(fromLive.keySet());
            extra.removeAll(fromRead.keySet());
            throw new AssertionError(same + " of " + total + " connections identical; read's not live (first 3): "
                + missing.subList(0, Math.min(3, missing.size())) + "; live's not read (first 3): "
                + extra.subList(0, Math.min(3, extra.size())));
        }
    }

    /** The compared fields of each conn.log row, counted. */
    private static TreeMap<String, Integer> connections(final String zeek)
    {
        final TreeMap<String, Integer> rows = new TreeMap<>();
        for (final java.util.Map<String, String> r : flowdemux.ConnLogRows.parse(zeek))
        {
            final List<String> key = new ArrayList<>();
            for (final String f : FIELDS)
            {
                key.add(f + "=" + r.get(f));
            }
            rows.merge(String.join(" ", key), 1, Integer::sum);
        }
        return rows;
    }

    private record Result(int exit, String out, String err)
    {
    }

    private static Result run(final String... args)
    {
        return run(new StringWriter(), args);
    }

    private static Result run(final StringWriter err, final String... args)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        final int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
