package flowdemux.report;

import flowdemux.decode.Tunnel;
import flowdemux.flow.FlowRecord;
import flowdemux.flow.TunnelRegistry;
import flowdemux.util.Addresses;
import flowdemux.util.AsciiLine;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Zeek's tunnel.log ({@code --tunnel-log F}): a line each time a tunnel is found (DISCOVER), its outer connection
 * ends (CLOSE, tunnels over UDP) or it goes an hour unused (EXPIRE, tunnels over IP), in the order they happened.
 * The uid is the tunnel's: its outer connection's for a tunnel over UDP, the one conn.log's tunnel_parents names.
 * Kept in memory as it comes (a few words a line: tunnels are few beside connections), written at the end.
 */
public final class ZeekTunnelLog implements TunnelRegistry.Listener
{
    public static final String FIELDS = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttunnel_type\taction";
    public static final String TYPES = "time\tstring\taddr\tport\taddr\tport\tenum\tenum";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss")
        .withZone(ZoneOffset.UTC);

    private long[] events = new long[3 * 64];
    private int count;
    private TunnelRegistry tunnels;

    @Override
    public void tunnel(final long timestampNanos, final TunnelRegistry registry, final int instance,
        final String action)
    {
        tunnels = registry;
        if (3 * count + 3 > events.length)
        {
            events = java.util.Arrays.copyOf(events, events.length * 2);
        }
        events[3 * count] = timestampNanos;
        events[3 * count + 1] = instance;
        events[3 * count + 2] = TunnelRegistry.DISCOVER.equals(action) ? 0 : TunnelRegistry.CLOSE.equals(action) ? 1 : 2;
        count++;
    }

    /** Lines to write. */
    public int lines()
    {
        return count;
    }

    /** Writes the log, its header stamped with the first and last line's time (the capture's, not the clock's). */
    public void write(final Writer out) throws IOException
    {
        final long open = count > 0 ? events[0] : 0;
        final long close = count > 0 ? events[3 * (count - 1)] : 0;
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\ttunnel\n");
        out.write("#open\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(open, 1_000_000_000L))) + "\n");
        out.write("#fields\t" + FIELDS + "\n#types\t" + TYPES + "\n");
        final AsciiLine line = new AsciiLine(160);
        for (int i = 0; i < count; i++)
        {
            final int t = (int)events[3 * i + 1];
            line.setLength(0);
            Formats.appendEpochSeconds(line, events[3 * i], 6).append('\t');
            FlowRecord.appendUid(line, tunnels.uidSeed(), tunnels.serial(t)).append('\t');
            Addresses.append(line, tunnels.origHi(t), tunnels.origLo(t)).append('\t').append(tunnels.origPort(t))
                .append('\t');
            Addresses.append(line, tunnels.respHi(t), tunnels.respLo(t)).append('\t').append(tunnels.respPort(t))
                .append('\t');
            line.append(Tunnel.zeekName(tunnels.type(t))).append('\t');
            final int action = (int)events[3 * i + 2];
            line.append(action == 0 ? TunnelRegistry.DISCOVER : action == 1 ? TunnelRegistry.CLOSE
                : TunnelRegistry.EXPIRE).append('\n');
            out.write(line.toString());
        }
        out.write("#close\t" + STAMP.format(Instant.ofEpochSecond(Math.floorDiv(close, 1_000_000_000L))) + "\n");
        out.flush();
    }
}
