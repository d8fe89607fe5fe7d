package flowdemux.demux;

import flowdemux.Cli;
import flowdemux.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * follow against tcpflow on generated traffic (HTTP, TLS, SSH, SMTP, Redis first bytes, IPv4): each direction of
 * every TCP connection with data is tcpflow's file for it, byte for byte but for the Ethernet padding tcpflow 1.6
 * appends (below); connections whose tuple comes twice are left out, as tcpflow names its files by tuple.
 */
class TcpflowFollowTest
{
    @Test
    void eachDirectionIsTcpflowsFile(@TempDir final Path tmp) throws Exception
    {
        final String tcpflow = Tools.require("tcpflow", "tcpflow");
        final Path capture = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "300", "--seed", "11", "--ipv6", "0", "--protocol-payloads",
            "-o", capture.toString(), "--summary", tmp.resolve("summary.json").toString()).exitCode);
        final Path flows = tmp.resolve("tcpflow");
        Files.createDirectories(flows);
        final Process p = new ProcessBuilder(tcpflow, "-r", capture.toString(), "-o", flows.toString(), "-T",
            "%A_%a_%B_%b").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        final Path dir = tmp.resolve("split");
        assertEquals(0, Cli.run("split", capture.toString(), "-o", dir.toString()).exitCode);
        final List<String> index = Files.readAllLines(dir.resolve("index.tsv"));
        final Map<String, Integer> tupleCount = new HashMap<>();
        for (final String line : index.subList(1, index.size()))
        {
            final String[] r = line.split("\t");
            tupleCount.merge(String.join(" ", r[2], r[3], r[4], r[5]), 1, Integer::sum);
        }
        int compared = 0;
        final List<String> differ = new ArrayList<>();
        for (final String line : index.subList(1, index.size()))
        {
            final String[] r = line.split("\t");
            if (!r[1].equals("tcp") || tupleCount.get(String.join(" ", r[2], r[3], r[4], r[5])) > 1)
            {
                continue;
            }
            final Path theirOrig = flows.resolve(name(r[2], r[3], r[4], r[5]));
            final Path theirResp = flows.resolve(name(r[4], r[5], r[2], r[3]));
            if (!Files.exists(theirOrig) && !Files.exists(theirResp))
            {
                continue; // no data either way: tcpflow writes nothing
            }
            final Path out = tmp.resolve("f-" + r[0]);
            final Cli f = Cli.run("follow", capture.toString(), "--uid", r[0], "-o", out.toString());
            assertEquals(0, f.exitCode, f.err);
            compared++;
            if (!sameButPadding(bytes(theirOrig), bytes(out.resolve(r[0] + ".orig")))
                || !sameButPadding(bytes(theirResp), bytes(out.resolve(r[0] + ".resp"))))
            {
                differ.add(r[0] + " " + theirOrig.getFileName());
            }
        }
        System.out.printf("follow vs tcpflow: %d connections compared, %d differ%n", compared, differ.size());
        assertTrue(compared > 100, "too few connections compared: " + compared);
        assertEquals(List.of(), differ.subList(0, Math.min(10, differ.size())));
    }

    /**
     * tcpflow 1.6 takes the Ethernet padding of a frame shorter than 60 bytes (a bare ACK or FIN) for data at the
     * segment's sequence number: after the last data, up to 6 zero bytes more. Anything else must be equal.
     */
    private static boolean sameButPadding(final byte[] tcpflow, final byte[] ours)
    {
        if (tcpflow.length < ours.length || tcpflow.length > ours.length + 6
            || !Arrays.equals(Arrays.copyOf(tcpflow, ours.length), ours))
        {
            return false;
        }
        for (int i = ours.length; i < tcpflow.length; i++)
        {
            if (tcpflow[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** tcpflow's file name: each address octet in three digits, each port in five. */
    private static String name(final String fromAddress, final String fromPort, final String toAddress,
        final String toPort)
    {
        return dotted(fromAddress) + "_" + String.format("%05d", Integer.parseInt(fromPort)) + "_" + dotted(toAddress)
            + "_" + String.format("%05d", Integer.parseInt(toPort));
    }

    private static String dotted(final String address)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String octet : address.split("\\."))
        {
            sb.append(sb.length() == 0 ? "" : ".").append(String.format("%03d", Integer.parseInt(octet)));
        }
        return sb.toString();
    }

    private static byte[] bytes(final Path p) throws Exception
    {
        return Files.exists(p) ? Files.readAllBytes(p) : new byte[0];
    }
}
