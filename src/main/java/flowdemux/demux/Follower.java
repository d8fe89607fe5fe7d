package flowdemux.demux;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.EndReason;
import flowdemux.flow.FlowSink;
import flowdemux.flow.FlowSlot;
import flowdemux.flow.FlowTable;
import flowdemux.reassembly.StreamReassembler;
import flowdemux.pipeline.PacketTap;
import flowdemux.source.PacketRecord;

import java.util.List;

/**
 * The payload of one connection, chosen by uid, each direction in order: TCP through a {@link StreamReassembler} a
 * side (retransmissions once, out-of-order bytes in their place, the first data seen wins, gaps reported), UDP and
 * the rest one datagram after another. Directions are the key's endpoints A and B as the packets come; which of them
 * is the originator can change while the connection is young (Zeek flips a connection first seen from its
 * responder), so {@link #origIsA} is read when it is needed: the sink's labels as they go, the file names at the end.
 * Once the connection has ended the read stops.
 */
public final class Follower implements PacketTap, FlowSink
{
    /** Where the bytes go. */
    public interface Sink
    {
        /** {@code length} bytes at {@code offset} of side A's ({@code a}) or B's stream, sent at {@code nanos}. */
        void data(boolean a, long offset, byte[] bytes, int from, int length, long nanos);

        /** {@code length} bytes at {@code offset} of a side's stream not in the capture. */
        void gap(boolean a, long offset, long length, long nanos);
    }

    /** Thrown out of the read once the connection has ended: the rest of the input cannot hold any of it. */
    public static final class Done extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Done()
        {
            super("followed", null, false, false);
        }
    }

    /** Most out-of-order bytes and segments held a side before a hole is given up (counted as an overflow). */
    static final int OUT_OF_ORDER_BYTES = 8 << 20;
    static final int OUT_OF_ORDER_SEGMENTS = 16_384;

    private final UidMatcher uids;
    private final Sink sink;
    private final StreamReassembler a;
    private final StreamReassembler b;
    private final long maxBytes;
    private final FlowSlot view = new FlowSlot();
    private final DatagramBytes datagrams = new DatagramBytes();
    private long serial = Long.MIN_VALUE;
    private boolean ended;
    private boolean finished;
    private long nanos;
    private int protocol;
    private boolean origIsA = true;
    private final long[] endpoints = new long[4];
    private final int[] ports = new int[2];
    private long datagramOffsetA;
    private long datagramOffsetB;
    private long bytesA;
    private long bytesB;
    private long cutA;
    private long cutB;
    private long gapBytesA;
    private long gapBytesB;

    /** @param maxBytes most bytes a side passed to the sink; the rest is counted ({@link #cut}) */
    public Follower(final String uid, final long uidSeed, final long maxBytes, final Sink sink)
    {
        this.uids = new UidMatcher(List.of(uid), uidSeed);
        this.sink = sink;
        this.maxBytes = maxBytes;
        this.a = new StreamReassembler(OUT_OF_ORDER_BYTES, OUT_OF_ORDER_SEGMENTS, new Side(true));
        this.b = new StreamReassembler(OUT_OF_ORDER_BYTES, OUT_OF_ORDER_SEGMENTS, new Side(false));
    }

    @Override
    public void unmatched(final PacketRecord record)
    {
        checkGoing();
    }

    @Override
    public void filteredOut(final PacketRecord record)
    {
        checkGoing();
    }

    @Override
    public void fragmentHeld(final PacketRecord record, final DecodedPacket fragment)
    {
        checkGoing();
        if (serial == Long.MIN_VALUE || !ended)
        {
            datagrams.hold(record, fragment);
        }
    }

    @Override
    public void tracked(final PacketRecord record, final DecodedPacket packet, final FlowSlot connection,
        final int payloadCaptured)
    {
        checkGoing();
        final long s = connection.serial();
        if (s != serial)
        {
            if (serial != Long.MIN_VALUE || !uids.matches(s, s == packet.packetIndex))
            {
                if (packet.frames > 1)
                {
                    datagrams.drop(packet); // another connection's datagram
                }
                return;
            }
            serial = s;
            protocol = connection.protocol();
        }
        nanos = packet.timestampNanos;
        origIsA = connection.origIsA();
        endpoints[0] = connection.addressHi(true);
        endpoints[1] = connection.addressLo(true);
        endpoints[2] = connection.addressHi(false);
        endpoints[3] = connection.addressLo(false);
        ports[0] = connection.port(true);
        ports[1] = connection.port(false);
        final boolean fromA = packet.keySrcIsA;
        byte[] payload = packet.inspectBytes;
        int payloadAt = packet.inspectOffset;
        int captured = Math.max(0, Math.min(payloadCaptured, packet.payloadLength));
        if (packet.frames > 1)
        {
            // A datagram of IP fragments: its bytes are in the fragments, laid together here.
            payload = datagrams.assemble(record, packet);
            payloadAt = Math.max(0, packet.ipTotalLength - packet.ipHeaderLength - packet.payloadLength);
            captured = Math.max(0, Math.min(packet.payloadLength, datagrams.captured() - payloadAt));
        }
        if (protocol == DecodedPacket.PROTO_TCP)
        {
            final StreamReassembler side = fromA ? a : b;
            long seq = packet.seq;
            if ((packet.tcpFlags & DecodedPacket.SYN) != 0)
            {
                side.syn(seq);
                seq = (seq + 1) & 0xFFFF_FFFFL; // data on a SYN (TCP Fast Open) starts after it
            }
            // A reset's payload (a diagnostic text, often) is kept in its place, as tshark and tcpflow keep it.
            side.segment(seq, payload, payloadAt, captured);
            side.uncaptured((seq + captured) & 0xFFFF_FFFFL, packet.payloadLength - captured);
        }
        else
        {
            final long offset = fromA ? datagramOffsetA : datagramOffsetB;
            if (captured > 0)
            {
                deliver(fromA, offset, payload, payloadAt, captured);
            }
            if (packet.payloadLength > captured)
            {
                missed(fromA, offset + captured, packet.payloadLength - captured);
            }
            if (fromA)
            {
                datagramOffsetA += packet.payloadLength;
            }
            else
            {
                datagramOffsetB += packet.payloadLength;
            }
        }
    }

    @Override
    public void inputEnded()
    {
        finish();
    }

    @Override
    public void flowEnded(final FlowTable table, final int flow, final EndReason reason)
    {
        if (reason != EndReason.ACTIVE && serial != Long.MIN_VALUE && view.wrap(table, flow).serial() == serial)
        {
            ended = true;
        }
    }

    /** Hands on what is still held (as after the connection's last packet). */
    public void finish()
    {
        if (!finished)
        {
            finished = true;
            a.finish();
            b.finish();
        }
    }

    public boolean found()
    {
        return serial != Long.MIN_VALUE;
    }

    /** Whether side A of the key is the originator (as the connection's last packet left it). */
    public boolean origIsA()
    {
        return origIsA;
    }

    public int protocol()
    {
        return protocol;
    }

    /** The originator's ({@code orig}) or responder's address, as two longs (IPv4 mapped into IPv6). */
    public long addressHi(final boolean orig)
    {
        return endpoints[orig ? 0 : 2];
    }

    public long addressLo(final boolean orig)
    {
        return endpoints[orig ? 1 : 3];
    }

    public int port(final boolean orig)
    {
        return ports[orig ? 0 : 1];
    }

    /** Bytes of side A's ({@code a}) or B's stream passed on, gaps not counted. */
    public long bytes(final boolean a)
    {
        return a ? bytesA : bytesB;
    }

    /** Bytes of a side beyond the --max-bytes limit, not passed on. */
    public long cut(final boolean a)
    {
        return a ? cutA : cutB;
    }

    /** Bytes of a side missing from the capture (Zeek's missed_bytes, this side's share). */
    public long gapBytes(final boolean a)
    {
        return a ? gapBytesA : gapBytesB;
    }

    /** Times a side's out-of-order buffer overflowed (a hole given up early). */
    public long overflows()
    {
        return a.overflows() + b.overflows();
    }

    private void checkGoing()
    {
        if (ended)
        {
            finish();
            throw new Done();
        }
    }

    private void deliver(final boolean fromA, final long offset, final byte[] bytes, final int from, final int length)
    {
        final long sent = fromA ? bytesA : bytesB;
        final int n = (int)Math.max(0, Math.min(length, maxBytes - sent));
        if (n > 0)
        {
            sink.data(fromA, offset, bytes, from, n, nanos);
        }
        if (fromA)
        {
            bytesA += n;
            cutA += length - n;
        }
        else
        {
            bytesB += n;
            cutB += length - n;
        }
    }

    private void missed(final boolean fromA, final long offset, final long length)
    {
        if (fromA)
        {
            gapBytesA += length;
        }
        else
        {
            gapBytesB += length;
        }
        sink.gap(fromA, offset, length, nanos);
    }

    /** A reassembler's output, for its side. */
    private final class Side implements StreamReassembler.Output
    {
        private final boolean isA;

        Side(final boolean isA)
        {
            this.isA = isA;
        }

        @Override
        public void data(final long offset, final byte[] bytes, final int from, final int length)
        {
            deliver(isA, offset, bytes, from, length);
        }

        @Override
        public void gap(final long offset, final long length)
        {
            missed(isA, offset, length);
        }
    }
}
