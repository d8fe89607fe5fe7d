package flowdemux.demux;

import flowdemux.source.PacketRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer under pressure: an arena of 16 KiB for 40 files written in random order, three open at once, records
 * from 40 bytes to a jumbo frame larger than the arena's write unit. Every file must hold its records, in order.
 */
class CaptureFilesTest
{
    @Test
    @Timeout(60) // an arena that cannot make room must fail, not hang
    void aFullArenaAndFewOpenFilesLoseNothingAndKeepTheOrder(@TempDir final Path tmp) throws Exception
    {
        final Random random = new Random(3);
        final CaptureFiles files = new CaptureFiles(new RecordEncoder.Pcap(1), 3, false, 16 * ChunkArena.CHUNK);
        final List<CaptureFile> targets = new ArrayList<>();
        final List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            targets.add(files.file(tmp.resolve("f" + i + ".pcap")));
            expected.add(new ArrayList<>());
        }
        final PacketRecord r = new PacketRecord();
        for (int n = 0; n < 2000; n++)
        {
            final int length = n == 777 ? 100_000 : 40 + random.nextInt(1500);
            final byte[] frame = new byte[length];
            random.nextBytes(frame);
            r.set(frame, 0, length, length);
            r.timestampNanos = 1_700_000_000_000_000_000L + n * 1000L;
            r.linkType = 1;
            final int f = random.nextInt(targets.size());
            files.append(targets.get(f), r);
            expected.get(f).add(SplitFiles.key(r));
            if (n % 500 == 499)
            {
                files.close(targets.get(f)); // a connection ended; more records reopen its file to append
            }
        }
        files.close();
        assertTrue(files.opened() > 40, "files were closed and reopened: " + files.opened());
        assertTrue(files.peakOpen() <= 3, "open at once: " + files.peakOpen());
        for (int i = 0; i < targets.size(); i++)
        {
            assertEquals(expected.get(i), SplitFiles.records(targets.get(i).path()), "file " + i);
        }
    }
}
