package flowdemux.demux;

import flowdemux.source.CaptureReader;
import flowdemux.source.CaptureReaders;
import flowdemux.source.PacketRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test helper: the input's records by content, and which input frames (numbered from 1) each output file holds. */
final class SplitFiles
{
    private SplitFiles()
    {
    }

    /** A record's identity: its timestamp, lengths and bytes. */
    static String key(final PacketRecord r)
    {
        return r.timestampNanos + "/" + r.originalLength + "/"
            + Arrays.hashCode(Arrays.copyOfRange(r.buffer, r.offset, r.offset + r.capturedLength)) + "/"
            + r.capturedLength;
    }

    /** Frame numbers of the input by record identity, in input order (the same record may come twice). */
    static Map<String, ArrayDeque<Integer>> frames(final Path input) throws Exception
    {
        final Map<String, ArrayDeque<Integer>> out = new HashMap<>();
        try (CaptureReader reader = CaptureReaders.open(input.toString()))
        {
            final PacketRecord r = new PacketRecord();
            int n = 0;
            while (reader.next(r))
            {
                out.computeIfAbsent(key(r), k -> new ArrayDeque<>()).add(++n);
            }
        }
        catch (flowdemux.source.CaptureFormatException e)
        {
            // a corrupt tail: the frames before it
        }
        return out;
    }

    /** The records of a capture, by identity, in order. */
    static List<String> records(final Path file) throws Exception
    {
        final List<String> out = new ArrayList<>();
        try (CaptureReader reader = CaptureReaders.open(file.toString()))
        {
            final PacketRecord r = new PacketRecord();
            while (reader.next(r))
            {
                out.add(key(r));
            }
        }
        return out;
    }

    /** Every capture under {@code dir} (relative name), but the index. */
    static List<Path> captures(final Path dir) throws Exception
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".pcap")
                || p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }
}
