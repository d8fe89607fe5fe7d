package flowdemux.report;

import org.junit.jupiter.api.Test;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A report file's writer gives the bytes BufferedWriter(OutputStreamWriter(UTF-8)) gives, whichever way text comes. */
class ReportWriterTest
{
    @Test
    void linesOfBytesAndTextInterleavedEncodeAsTheJdkWriterDoes() throws Exception
    {
        final ByteArrayOutputStream mine = new ByteArrayOutputStream();
        final ByteArrayOutputStream jdk = new ByteArrayOutputStream();
        final Random random = new Random(9);
        try (ReportWriter w = new ReportWriter(mine);
            Writer reference = new BufferedWriter(new OutputStreamWriter(jdk, StandardCharsets.UTF_8), 1 << 16))
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (random.nextInt(3) == 0)
                {
                    // Text: ASCII, accents, a surrogate pair, an unpaired surrogate (replaced the same way).
                    final String text = switch (random.nextInt(4))
                    {
                        case 0 -> "#fields\tts\tuid " + i + "\n";
                        case 1 -> "caf\u00e9 \u00fc " + i + "\n";
                        case 2 -> "\ud83d\ude00 " + i + "\n";
                        default -> "x\ud800y" + i + "\n";
                    };
                    w.write(text);
                    reference.write(text);
                }
                else
                {
                    // A line held one character a byte, any of the 256, up to the longest a line may be.
                    final byte[] line = new byte[random.nextInt(random.nextInt(10) == 0 ? 4096 : 200)];
                    for (int k = 0; k < line.length; k++)
                    {
                        line[k] = (byte)(random.nextInt(8) == 0 ? 128 + random.nextInt(128) : 32 + random.nextInt(95));
                    }
                    final int off = line.length == 0 ? 0 : random.nextInt(line.length);
                    w.writeLine(line, off, line.length - off);
                    reference.write(new String(line, off, line.length - off, StandardCharsets.ISO_8859_1) + "\n");
                }
            }
        }
        assertArrayEquals(jdk.toByteArray(), mine.toByteArray());
    }
}
