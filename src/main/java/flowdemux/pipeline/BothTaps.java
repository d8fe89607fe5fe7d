package flowdemux.pipeline;

import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowSlot;
import flowdemux.source.PacketRecord;

/** Two taps told the same thing, first then second: split writing the offset index as it splits. */
public final class BothTaps implements PacketTap
{
    private final PacketTap first;
    private final PacketTap second;

    public BothTaps(final PacketTap first, final PacketTap second)
    {
        this.first = first;
        this.second = second;
    }

    @Override
    public void unmatched(final PacketRecord record)
    {
        first.unmatched(record);
        second.unmatched(record);
    }

    @Override
    public void filteredOut(final PacketRecord record)
    {
        first.filteredOut(record);
        second.filteredOut(record);
    }

    @Override
    public void fragmentHeld(final PacketRecord record, final DecodedPacket fragment)
    {
        first.fragmentHeld(record, fragment);
        second.fragmentHeld(record, fragment);
    }

    @Override
    public void tracked(final PacketRecord record, final DecodedPacket packet, final FlowSlot connection,
        final int payloadLength)
    {
        first.tracked(record, packet, connection, payloadLength);
        second.tracked(record, packet, connection, payloadLength);
    }

    @Override
    public void inputEnded()
    {
        first.inputEnded();
        second.inputEnded();
    }
}
