package flowdemux.live;

import flowdemux.Cli;
import flowdemux.Corpus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --reader pcap4j (libpcap) gives the same connections as the project's reader on every file libpcap opens. */
class Pcap4jReaderTest
{
    /**
     * Files both readers read, pinned (the corpus less the malformed ones and the two documented quirks); 140 since
     * the corpus gained Zeek's tunnel traces and FoxIO's JA4 captures (25 files).
     */
    private static final int COMPARED = 140;
    /** Files libpcap refuses: the 22 malformed and 25 valid pcapng of the test generator that it cannot read. */
    private static final int REFUSED = 47;

    private static boolean hasSimplePacketBlocks(final Path file)
    {
        if (!file.toString().endsWith(".pcapng"))
        {
            return false;
        }
        final Path description = Path.of(file.toString().replaceAll("\\.pcapng$", ".txt"));
        try
        {
            return Files.exists(description) && Files.readString(description).matches("(?s).*\\bSPB: [1-9].*");
        }
        catch (java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean hasSecondsPast2038(final String csv)
    {
        return csv.lines().skip(1).anyMatch(l -> Double.parseDouble(l.split(",")[1]) >= 2147483648.0);
    }

    @Test
    void libpcapReaderAgreesWithTheJavaReader()
    {
        flowdemux.LibpcapRequirement.require();
        int compared = 0;
        int refused = 0;
        final List<String> differ = new ArrayList<>();
        for (final Path file : Corpus.captures())
        {
            final Cli viaLibpcap = Cli.run("read", file.toString(), "--reader", "pcap4j", "--format", "csv");
            final Cli viaJava = Cli.run("read", file.toString(), "--format", "csv");
            if (viaLibpcap.exitCode != 0)
            {
                // libpcap refuses the malformed files, and so must we. It also refuses valid pcapng it cannot read
                // (several interfaces or sections, per the generator's own descriptions; CorpusReadTest checks our
                // packet counts against those), and the section header alone that we read as empty on purpose.
                refused++;
                final String name = Corpus.name(file);
                final boolean malformed = Corpus.rejected().contains(name);
                final boolean libpcapLimit = name.startsWith("pcapng-test-generator/") || name.equals(Corpus.READ_AS_EMPTY);
                if (malformed ? viaJava.exitCode != 2 : !libpcapLimit || viaJava.exitCode != 0)
                {
                    differ.add(name + ": libpcap refuses it, we exit " + viaJava.exitCode);
                }
                continue;
            }
            if (Corpus.name(file).equals("libpcap/linktype-reserved-field-not-zero.pcap"))
            {
                // Debian 12's libpcap 1.10 ignores the reserved bits of the link-type field; newer libpcap (whose
                // error the corpus expects) refuses the file, and so does flowdemux: exit 2, nothing written.
                assertEquals(2, viaJava.exitCode, viaJava.err);
                assertEquals("", viaJava.out);
                continue;
            }
            if (hasSimplePacketBlocks(file) || hasSecondsPast2038(viaJava.out))
            {
                // Known, checked differences of libpcap/pcap4j, not of the decoder: libpcap gives Simple Packet
                // Blocks (which carry no timestamp) the time 0 where the Java reader gives the previous packet's;
                // pcap4j reads 32-bit seconds past 2038 as negative.
                continue;
            }
            compared++;
            if (!viaJava.out.equals(viaLibpcap.out) || viaJava.exitCode != viaLibpcap.exitCode
                || !viaJava.err.equals(viaLibpcap.err))
            {
                differ.add(Corpus.name(file) + ": exit " + viaJava.exitCode + "/" + viaLibpcap.exitCode + " " + viaJava.err
                    + " / " + viaLibpcap.err);
            }
        }
        System.out.printf("pcap4j reader: %d files compared, %d refused by libpcap, %d differ%n", compared, refused,
            differ.size());
        assertEquals(List.of(), differ);
        assertEquals(COMPARED, compared, "files compared (a change means one left the comparison or joined it)");
        assertEquals(REFUSED, refused, "files libpcap refuses (Debian 12's libpcap 1.10)");
    }
}
