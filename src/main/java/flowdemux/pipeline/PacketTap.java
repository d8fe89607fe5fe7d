package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowSlot;
import flowdemux.source.PacketRecord;

/**
 * Is told, for every record read, where it went: into which connection (by the connection's serial, the key of its
 * uid), or nowhere. What demultiplexes a capture (split, extract, follow) listens here; a read without one pays a
 * null check per packet. The record and packet are views reused for the next packet: a tap copies what it keeps.
 */
public interface PacketTap
{
    /** A record in no connection: not decoded (ARP, an unsupported link type, a truncated header...). */
    void unmatched(PacketRecord record);

    /** A record the filters (-f, --port, --host...) left out. */
    void filteredOut(PacketRecord record);

    /**
     * An IP fragment whose datagram is not whole yet: it belongs to the connection of the packet that completes it
     * (same source, destination, protocol and fragment id), or to no connection if that never comes.
     */
    void fragmentHeld(PacketRecord record, DecodedPacket fragment);

    /**
     * A record tracked in the connection {@code connection} views as it stands after it (its serial is the key of
     * its uid; a read-only view, valid during the call); {@code packet.frames > 1} when it completed a fragmented
     * datagram (whose earlier fragments were held). {@code payloadLength} captured payload bytes at
     * {@code packet.payloadOffset}.
     */
    void tracked(PacketRecord record, DecodedPacket packet, FlowSlot connection, int payloadLength);

    /**
     * Whether the tap keeps each record in one connection: then a frame that carries a tunnel is told once, for the
     * innermost connection it holds (split, whose files are a partition of the input). Otherwise it is told for each
     * connection it is in, outermost first (extract and follow by a tunnel's uid get its frames; the index has them).
     */
    default boolean eachRecordOnce()
    {
        return false;
    }

    /** The input has ended (before the connections still open are ended). */
    void inputEnded();

    /**
     * Whether of an ordinary tracked packet (not one that completed a fragmented datagram) this tap needs only its
     * record's file offset and its connection: then it is told {@link #trackedAt} once the batch the packet was in
     * has been tracked, and the reader keeps its batches and their lookahead (a tap that needs each packet as it is
     * tracked costs a read the lookahead's gain: a table lookup a packet that misses the caches).
     */
    default boolean offsetsSuffice()
    {
        return false;
    }

    /**
     * With {@link #offsetsSuffice}: the record at {@code fileOffset} was tracked in the connection of
     * {@code serial}, which was then in slot {@code flow} of the table; in input order.
     */
    default void trackedAt(final long fileOffset, final long serial, final int flow)
    {
        throw new UnsupportedOperationException("a tap that needs each packet");
    }
}
