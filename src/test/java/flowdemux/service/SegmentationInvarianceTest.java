package flowdemux.service;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Detection is a function of what each side sent, not of how it was cut: every crafted conversation of the service
 * tests, written again with each TCP message cut into pieces of random sizes (1 to 8 or to 200 bytes), sent
 * shuffled with some pieces twice, must get the same services and keep the same details (server name, JA4, Host,
 * banners, greetings) as when each message is one segment.
 */
class SegmentationInvarianceTest
{
    private static final int ROUNDS = Integer.getInteger("flowdemux.segmentationRounds", 12);

    private static void writeAll(final Dialogues d) throws Exception
    {
        ServiceDetectionTest.writeCases(d);
        ReassembledDetectionTest.writeCases(d);
    }

    /** Each connection's service and kept details, by its ports. */
    private static Map<String, String> decisions(final Path pcap, final String... extra) throws Exception
    {
        final Map<String, String> out = new TreeMap<>();
        for (final List<JsonNode> conns : ServiceDetectionTest.read(pcap, extra).values())
        {
            for (final JsonNode c : conns)
            {
                final JsonNode detail = c.get("service_detail");
                out.put(c.get("proto").asText() + " " + c.get("orig_p").asInt() + " " + c.get("resp_p").asInt(),
                    c.get("service").asText() + " " + (detail == null ? "" : detail.toString()));
            }
        }
        return out;
    }

    @Test
    void theSameBytesGetTheSameDecisionsWhateverTheSegmentsTheyCameIn(@TempDir final Path tmp) throws Exception
    {
        final Path whole = tmp.resolve("whole.pcap");
        try (Dialogues d = new Dialogues(whole))
        {
            writeAll(d);
        }
        final Map<String, String> expected = decisions(whole);
        final List<String> differ = new ArrayList<>();
        int compared = 0;
        for (int round = 1; round <= ROUNDS; round++)
        {
            final Path cut = tmp.resolve("cut-" + round + ".pcap");
            try (Dialogues d = new Dialogues(cut, new Random(round)))
            {
                writeAll(d);
            }
            final Map<String, String> got = decisions(cut, round % 2 == 0 ? new String[] {"--workers", "2"}
                : new String[0]);
            assertEquals(expected.keySet(), got.keySet(), "the same connections");
            for (final Map.Entry<String, String> e : expected.entrySet())
            {
                compared++;
                if (!e.getValue().equals(got.get(e.getKey())))
                {
                    differ.add("round " + round + ", " + e.getKey() + ": " + e.getValue() + " | cut: "
                        + got.get(e.getKey()));
                }
            }
        }
        System.out.printf("segmentation invariance: %d of %d connection decisions alike%n", compared - differ.size(),
            compared);
        assertEquals(List.of(), differ);
    }
}
