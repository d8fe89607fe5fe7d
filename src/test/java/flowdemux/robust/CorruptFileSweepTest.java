package flowdemux.robust;

import flowdemux.cli.Main;
import picocli.CommandLine;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every capture of samples/ and the corpus, cut at many offsets (every offset under 4 KiB, a few hundred spread
 * over larger files) and with random bytes flipped (fixed seeds), read as a user would: exit 0 or 2, at most one
 * line of error naming the file and the byte offset, never a stack trace, and the report of what came before.
 * A file cut inside its last pcap record says the record is truncated.
 */
class CorruptFileSweepTest
{
    private static final int SMALL = 4096;
    private static final int CUTS_OF_LARGE = 300;
    private static final int FLIPPED_VARIANTS = 20;

    @Test
    void cutAndFlippedCapturesFailCleanly(@TempDir final Path tmp) throws Exception
    {
        final List<Path> inputs = new ArrayList<>(List.of(Path.of("samples/three-tabs.pcap"),
            Path.of("samples/mixed.pcapng")));
        inputs.addAll(Corpus.captures());
        final Path variant = tmp.resolve("variant.pcap");
        final Pattern oneLine = Pattern.compile("flowdemux: " + Pattern.quote(variant.toString())
            + ": (byte offset \\d+|read error at byte offset \\d+): .+");
        final List<String> failures = new ArrayList<>();
        final Reader reader = new Reader();
        long cuts = 0;
        long flips = 0;
        for (final Path input : inputs)
        {
            final byte[] whole = Files.readAllBytes(input);
            Files.write(variant, whole);
            // Only a file that reads cleanly whole can be expected to call a cut last record truncated.
            final boolean readsWhole = reader.read(variant)[0].equals("0");
            final int step = whole.length < SMALL ? 1 : Math.max(1, whole.length / CUTS_OF_LARGE);
            for (int cut = 0; cut < whole.length; cut += step)
            {
                cuts++;
                check(reader, Arrays.copyOf(whole, cut), variant, oneLine, input + " cut at " + cut, failures,
                    readsWhole && lastPcapRecordStart(whole) >= 0 && cut > lastPcapRecordStart(whole));
            }
            final Random random = new Random(input.getFileName().toString().hashCode());
            for (int v = 0; v < FLIPPED_VARIANTS; v++)
            {
                flips++;
                final byte[] flipped = whole.clone();
                for (int n = 1 + random.nextInt(8); n > 0 && flipped.length > 0; n--)
                {
                    flipped[random.nextInt(flipped.length)] ^= (byte)(1 << random.nextInt(8));
                }
                check(reader, flipped, variant, oneLine, input + " flip variant " + v, failures, false);
            }
        }
        System.out.printf("corrupt-file sweep: %d files, %d cuts, %d flipped variants, %d failures%n", inputs.size(),
            cuts, flips, failures.size());
        failures.stream().limit(20).forEach(f -> System.out.println("  " + f));
        assertTrue(cuts > 100_000, "cuts tried: " + cuts);
        assertEquals(0, failures.size(), "failures, the first: " + failures.subList(0, Math.min(5, failures.size())));
    }

    /** One command line reused for every run (building picocli's model each time cost most of the run). */
    private static final class Reader
    {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final CommandLine cl = Main.commandLine();

        Reader()
        {
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
        }

        /** {exit code, stderr, stdout}. */
        String[] read(final Path file)
        {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            final int code = cl.execute("read", file.toString(), "--format", "csv", "--workers", "1");
            return new String[] {String.valueOf(code), err.toString(), out.toString()};
        }
    }

    private static void check(final Reader reader, final byte[] bytes, final Path variant, final Pattern oneLine,
        final String what, final List<String> failures, final boolean cutInLastPcapRecord) throws Exception
    {
        Files.write(variant, bytes);
        final String[] r = reader.read(variant);
        final int exit = Integer.parseInt(r[0]);
        // A flipped bit in a checksummed byte makes a bad checksum: a warning line of its own is right, then.
        final String err = r[1].lines().filter(l -> !l.startsWith("flowdemux: warning: ")).collect(
            java.util.stream.Collectors.joining("\n")).strip();
        if (exit != 0 && exit != 2)
        {
            failures.add(what + ": exit " + exit + " " + err);
        }
        else if (err.contains("Exception") || err.contains("\tat ") || r[2].contains("Exception"))
        {
            failures.add(what + ": stack trace: " + err);
        }
        else if (exit == 2 && (err.lines().count() != 1 || !oneLine.matcher(err).matches()))
        {
            failures.add(what + ": error is not one line naming the file and offset: " + err);
        }
        else if (exit == 0 && !err.isEmpty())
        {
            failures.add(what + ": exit 0 but stderr: " + err);
        }
        else if (!r[2].startsWith("uid,ts,") && flowdemux.Captures.opens(variant))
        {
            failures.add(what + ": no report");
        }
        else if (r[2].startsWith("uid,ts,") && !flowdemux.Captures.opens(variant))
        {
            failures.add(what + ": a report from a file that cannot be opened");
        }
        else if (cutInLastPcapRecord && !err.contains("truncated"))
        {
            failures.add(what + ": a cut last record is not reported as truncated: " + err);
        }
    }

    /** Offset of the last record of a classic pcap file, or -1 (pcapng or not pcap). */
    private static int lastPcapRecordStart(final byte[] f)
    {
        if (f.length < 24)
        {
            return -1;
        }
        final int magic = ((f[0] & 0xFF) << 24) | ((f[1] & 0xFF) << 16) | ((f[2] & 0xFF) << 8) | (f[3] & 0xFF);
        final boolean le = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1;
        final boolean be = magic == 0xA1B2C3D4 || magic == 0xA1B23C4D;
        if (!le && !be)
        {
            return -1;
        }
        int p = 24;
        int last = -1;
        while (p + 16 <= f.length)
        {
            final int o = p + 8;
            final long caplen = le
                ? (f[o] & 0xFFL) | (f[o + 1] & 0xFFL) << 8 | (f[o + 2] & 0xFFL) << 16 | (f[o + 3] & 0xFFL) << 24
                : (f[o + 3] & 0xFFL) | (f[o + 2] & 0xFFL) << 8 | (f[o + 1] & 0xFFL) << 16 | (f[o] & 0xFFL) << 24;
            last = p;
            p += 16 + (int)Math.min(caplen, Integer.MAX_VALUE - 32);
            if (p < 0)
            {
                return -1;
            }
        }
        return p == f.length ? last : -1;
    }
}
