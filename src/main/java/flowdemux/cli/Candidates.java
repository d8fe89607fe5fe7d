package flowdemux.cli;

import java.util.Iterator;
import java.util.List;

/** The values shell completion offers for options that take one of a few words (picocli's completionCandidates). */
final class Candidates
{
    private Candidates()
    {
    }

    static final class Formats implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("text", "json", "jsonl", "csv", "zeek", "html").iterator();
        }
    }

    static final class Groupings implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("connection", "server", "server-port", "client", "service").iterator();
        }
    }

    static final class Decap implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("all", "none").iterator();
        }
    }

    static final class ChecksumModes implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("offload", "verify", "ignore").iterator();
        }
    }

    static final class Sides implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("orig", "resp", "both").iterator();
        }
    }

    static final class Readers implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("java", "pcap4j").iterator();
        }
    }

    static final class IndexFormats implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("tsv", "jsonl").iterator();
        }
    }

    static final class SocketFormats implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return List.of("text", "json").iterator();
        }
    }
}
