package flowdemux.synth;

import java.io.IOException;

/** Emits the packets of one TCP connection with consistent sequence numbers on both sides. */
public final class TcpConversation
{
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private final PacketBuilder builder = new PacketBuilder();
    private final CaptureWriter writer;
    private final int interfaceId;
    private final byte[] client;
    private final int clientPort;
    private final byte[] server;
    private final int serverPort;
    private long clientSeq;
    private long serverSeq;

    public TcpConversation(final CaptureWriter writer, final int interfaceId, final byte[] client, final int clientPort,
        final byte[] server, final int serverPort, final long clientIsn, final long serverIsn)
    {
        this.writer = writer;
        this.interfaceId = interfaceId;
        this.client = client;
        this.clientPort = clientPort;
        this.server = server;
        this.serverPort = serverPort;
        this.clientSeq = clientIsn;
        this.serverSeq = serverIsn;
    }

    public void syn(final long ts) throws IOException
    {
        send(ts, true, SYN, PacketBuilder.synOptions(1460, 7), 0);
    }

    public void synAck(final long ts) throws IOException
    {
        send(ts, false, SYN | ACK, PacketBuilder.synOptions(1440, 9), 0);
    }

    public void handshake(final long ts, final long rttNanos) throws IOException
    {
        syn(ts);
        synAck(ts + rttNanos);
        ack(ts + rttNanos + rttNanos / 20, true);
    }

    public void data(final long ts, final boolean fromClient, final int bytes) throws IOException
    {
        send(ts, fromClient, PSH | ACK, null, bytes);
    }

    /** A data segment of exactly these bytes. */
    public void data(final long ts, final boolean fromClient, final byte[] payload) throws IOException
    {
        builder.payload(payload);
        send(ts, fromClient, PSH | ACK, null, payload.length);
    }

    /** A data segment of {@code bytes} bytes that begins with {@code payload} (filler after it). */
    public void data(final long ts, final boolean fromClient, final byte[] payload, final int bytes) throws IOException
    {
        builder.payload(payload);
        send(ts, fromClient, PSH | ACK, null, bytes);
    }

    /**
     * One message sent as several segments: cut at the ascending offsets {@code cuts}, the pieces sent in the order
     * {@code order} lists them (indices of pieces; one listed twice is a retransmission), {@code stepNanos} apart.
     * The side's sequence number then stands after the whole message.
     */
    public void pieces(final long ts, final long stepNanos, final boolean fromClient, final byte[] message,
        final int[] cuts, final int[] order) throws IOException
    {
        final long base = fromClient ? clientSeq : serverSeq;
        long t = ts;
        for (final int k : order)
        {
            final int from = k == 0 ? 0 : cuts[k - 1];
            final int to = k == cuts.length ? message.length : cuts[k];
            final long seq = (base + from) & 0xFFFF_FFFFL;
            if (fromClient)
            {
                clientSeq = seq;
            }
            else
            {
                serverSeq = seq;
            }
            data(t, fromClient, java.util.Arrays.copyOfRange(message, from, to));
            t += stepNanos;
        }
        final long end = (base + message.length) & 0xFFFF_FFFFL;
        if (fromClient)
        {
            clientSeq = end;
        }
        else
        {
            serverSeq = end;
        }
    }

    public void ack(final long ts, final boolean fromClient) throws IOException
    {
        send(ts, fromClient, ACK, null, 0);
    }

    public void fin(final long ts, final boolean fromClient) throws IOException
    {
        send(ts, fromClient, FIN | ACK, null, 0);
    }

    public void rst(final long ts, final boolean fromClient, final boolean withAck) throws IOException
    {
        send(ts, fromClient, withAck ? RST | ACK : RST, null, 0);
    }

    /** Client closes first: FIN, FIN-ACK, ACK. */
    public void close(final long ts, final long gapNanos) throws IOException
    {
        fin(ts, true);
        fin(ts + gapNanos, false);
        ack(ts + 2 * gapNanos, true);
    }

    private void send(final long ts, final boolean fromClient, final int flags, final byte[] options, final int bytes)
        throws IOException
    {
        final long seq = fromClient ? clientSeq : serverSeq;
        final long ack = (flags & ACK) != 0 ? (fromClient ? serverSeq : clientSeq) : 0;
        if (fromClient)
        {
            builder.tcp(client, clientPort, server, serverPort, seq, ack, flags, 64_240, options, bytes);
        }
        else
        {
            builder.tcp(server, serverPort, client, clientPort, seq, ack, flags, 65_160, options, bytes);
        }
        final long advance = bytes + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
        if (fromClient)
        {
            clientSeq = (clientSeq + advance) & 0xFFFF_FFFFL;
        }
        else
        {
            serverSeq = (serverSeq + advance) & 0xFFFF_FFFFL;
        }
        writer.write(ts, builder.frame(), builder.length(), interfaceId);
    }
}
