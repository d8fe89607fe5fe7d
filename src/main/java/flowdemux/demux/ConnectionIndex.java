package flowdemux.demux;

import flowdemux.flow.FlowRecord;
import flowdemux.util.Addresses;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * split's index: a line per connection, as each ends, naming the capture that holds its packets. TSV (a header line,
 * '-' for none) or JSON lines. Written beside the captures under a temporary name and moved into place at the end,
 * so that an index is whole or absent.
 */
public final class ConnectionIndex implements AutoCloseable
{
    static final String[] FIELDS = {"uid", "proto", "orig_h", "orig_p", "resp_h", "resp_p", "first_ts", "last_ts",
        "packets", "bytes", "conn_state", "service", "file", "incomplete"};

    private final Path target;
    private final Path temporary;
    private final boolean jsonl;
    private final BufferedWriter out;
    private final StringBuilder line = new StringBuilder(256);
    private long rows;

    public ConnectionIndex(final Path target, final boolean jsonl) throws IOException
    {
        this.target = target;
        this.temporary = target.resolveSibling("." + target.getFileName() + ".partial");
        this.jsonl = jsonl;
        this.out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8);
        if (!jsonl)
        {
            out.write(String.join("\t", FIELDS));
            out.write('\n');
        }
    }

    /** A connection's line: its record, its file relative to the folder, what the file holds of it. */
    void add(final FlowRecord r, final String file, final long packets, final long bytes, final String incomplete)
        throws IOException
    {
        final StringBuilder sb = line;
        sb.setLength(0);
        final String service = r.serviceNames();
        final Object[] values = {r.uid(), r.protocolName(), Addresses.format(r.origHi, r.origLo), r.origPort,
            Addresses.format(r.respHi, r.respLo), r.respPort, seconds(r.firstNanos), seconds(r.lastNanos), packets,
            bytes, r.connState, service, file, incomplete};
        if (jsonl)
        {
            sb.append('{');
            for (int i = 0; i < FIELDS.length; i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                sb.append('"').append(FIELDS[i]).append("\":");
                final Object v = values[i];
                if (v == null)
                {
                    sb.append("null");
                }
                else if (v instanceof Number || i == 6 || i == 7)
                {
                    sb.append(v);
                }
                else
                {
                    quote(sb, v.toString());
                }
            }
            sb.append("}\n");
        }
        else
        {
            for (int i = 0; i < FIELDS.length; i++)
            {
                if (i > 0)
                {
                    sb.append('\t');
                }
                final Object v = values[i];
                sb.append(v == null || v.toString().isEmpty() ? "-" : v.toString());
            }
            sb.append('\n');
        }
        out.append(sb);
        rows++;
    }

    long rows()
    {
        return rows;
    }

    /** Moves the index into place. */
    public void commit() throws IOException
    {
        out.close();
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * After a failed {@link #commit} (a full disk): what reached the disk, cut back to its last whole line, is moved
     * into place, so that the index still lists the connections before the fault. Returns the rows kept, or -1 when
     * not even the header line was there (the partial file is then removed).
     */
    public long salvage()
    {
        try
        {
            out.close();
        }
        catch (IOException e)
        {
            // the rest of the buffer could not be written: what is on disk is what can be kept
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(temporary,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final byte[] all = Files.readAllBytes(temporary);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n')
            {
                end--;
            }
            long lines = 0;
            for (int i = 0; i < end; i++)
            {
                lines += all[i] == '\n' ? 1 : 0;
            }
            final long kept = jsonl ? lines : lines - 1;
            if (kept < 0)
            {
                Files.deleteIfExists(temporary);
                return -1;
            }
            ch.truncate(end);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return kept;
        }
        catch (IOException e)
        {
            return -1;
        }
    }

    /** Drops an index not committed. */
    @Override
    public void close() throws IOException
    {
        out.close();
        Files.deleteIfExists(temporary);
    }

    /** Zeek's timestamps: seconds with six decimals. */
    static String seconds(final long nanos)
    {
        final long micros = Math.floorDiv(nanos, 1000L);
        final long s = Math.floorDiv(micros, 1_000_000L);
        final long frac = Math.floorMod(micros, 1_000_000L);
        final String f = Long.toString(frac);
        return s + "." + "000000".substring(f.length()) + f;
    }

    private static void quote(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
