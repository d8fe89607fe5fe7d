package flowdemux.service;

import flowdemux.synth.PacketBuilder;
import flowdemux.synth.PcapWriter;
import flowdemux.synth.Payloads;
import flowdemux.synth.TcpConversation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a capture of whole conversations with given first messages: the tests' crafted protocol traffic. */
final class Dialogues implements AutoCloseable
{
    private static final long T0 = 1_700_000_000L * 1_000_000_000L;
    private static final long MS = 1_000_000L;
    static final byte[] CLIENT = PacketBuilder.ipv4("10.1.0.1");

    private final OutputStream out;
    private final PcapWriter w;
    private final PacketBuilder b = new PacketBuilder();
    private long t = T0;
    private int clientPort = 30_000;
    /** When set, every TCP message is sent cut into pieces of random sizes, shuffled, some twice. */
    private final java.util.Random resplit;

    Dialogues(final Path file) throws IOException
    {
        this(file, null);
    }

    /** Writes the same conversations, each TCP message cut up at random ({@code resplit}'s choices). */
    Dialogues(final Path file, final java.util.Random resplit) throws IOException
    {
        out = Files.newOutputStream(file);
        w = new PcapWriter(out, 1, false);
        this.resplit = resplit;
    }

    /** Sends one message: whole, as its Split says, or cut up at random when resplitting. */
    private void send(final TcpConversation c, final boolean fromClient, final Object m) throws IOException
    {
        Split split = m instanceof Split given ? given : null;
        final byte[] bytes = split != null ? split.message() : (byte[])m;
        if (resplit != null && bytes.length > 1)
        {
            // Out of order, pieces of at most 64 bytes: the reader copies no more of a segment it cannot place
            // (ServicePrefix); in order, larger ones, whose rest the reader follows (Continuations).
            split = resplit.nextBoolean() ? Split.shuffled(bytes, 1 + resplit.nextInt(resplit.nextBoolean() ? 8 : 64),
                resplit) : Split.inOrder(bytes, 1 + resplit.nextInt(300), resplit);
        }
        if (split == null)
        {
            c.data(t, fromClient, bytes);
            t += MS;
            return;
        }
        c.pieces(t, MS / 10, fromClient, split.message(), split.cuts(), split.order());
        t += MS / 10 * (split.order().length + 1);
    }

    /** A TCP connection from CLIENT to server:port: handshake, the messages alternating sides, close. */
    int tcp(final String server, final int port, final boolean serverFirst, final byte[]... messages) throws IOException
    {
        return tcp(CLIENT, clientPort++, server, port, serverFirst, messages);
    }

    int tcp(final byte[] client, final int fromPort, final String server, final int port, final boolean serverFirst,
        final byte[]... messages) throws IOException
    {
        return conversation(client, fromPort, server, port, serverFirst, messages);
    }

    /**
     * The connection: handshake, each message (a byte[] or a {@link Split}; null: that side's turn is skipped)
     * answered by an ACK, sides alternating, close.
     */
    private int conversation(final byte[] client, final int fromPort, final String server, final int port,
        final boolean serverFirst, final Object[] messages) throws IOException
    {
        final TcpConversation c = new TcpConversation(w, 0, client, fromPort, PacketBuilder.ipv4(server), port, 1000,
            90_000);
        c.handshake(t, MS);
        t += 3 * MS;
        boolean fromClient = !serverFirst;
        for (final Object m : messages)
        {
            if (m != null)
            {
                send(c, fromClient, m);
                c.ack(t, !fromClient);
                t += MS;
            }
            fromClient = !fromClient;
        }
        c.close(t, MS);
        t += 10 * MS;
        return fromPort;
    }

    /** A message sent as several segments: cut at the ascending offsets {@code cuts}, sent in {@code order}. */
    record Split(byte[] message, int[] cuts, int[] order)
    {
        /** One segment a byte, in order. */
        static Split bytewise(final byte[] message)
        {
            final int[] cuts = new int[message.length - 1];
            final int[] order = new int[message.length];
            for (int i = 0; i < cuts.length; i++)
            {
                cuts[i] = i + 1;
            }
            for (int i = 0; i < order.length; i++)
            {
                order[i] = i;
            }
            return new Split(message, cuts, order);
        }

        /** Cut into pieces of 1 to {@code most} bytes, sent shuffled, some twice (retransmissions). */
        static Split shuffled(final byte[] message, final int most, final java.util.Random random)
        {
            final Split s = random(message, most, random, 4);
            final java.util.List<Integer> order = new java.util.ArrayList<>();
            for (final int k : s.order())
            {
                order.add(k);
            }
            java.util.Collections.shuffle(order, random);
            return new Split(message, s.cuts(), order.stream().mapToInt(Integer::intValue).toArray());
        }

        /** Cut into pieces of 1 to {@code most} bytes, sent in order, some twice (retransmissions). */
        static Split inOrder(final byte[] message, final int most, final java.util.Random random)
        {
            return random(message, most, random, 6);
        }

        /** Pieces of 1 to {@code most} bytes in order, each sent again one time in {@code again}. */
        private static Split random(final byte[] message, final int most, final java.util.Random random,
            final int again)
        {
            final java.util.List<Integer> cuts = new java.util.ArrayList<>();
            for (int at = 1 + random.nextInt(most); at < message.length; at += 1 + random.nextInt(most))
            {
                cuts.add(at);
            }
            final java.util.List<Integer> order = new java.util.ArrayList<>();
            for (int i = 0; i <= cuts.size(); i++)
            {
                order.add(i);
                if (random.nextInt(again) == 0)
                {
                    order.add(i);
                }
            }
            return new Split(message, cuts.stream().mapToInt(Integer::intValue).toArray(),
                order.stream().mapToInt(Integer::intValue).toArray());
        }

        /** Each line its own segment. */
        static Split lines(final byte[] message)
        {
            final java.util.List<Integer> cuts = new java.util.ArrayList<>();
            for (int i = 0; i < message.length - 1; i++)
            {
                if (message[i] == '\n')
                {
                    cuts.add(i + 1);
                }
            }
            final int[] order = new int[cuts.size() + 1];
            for (int i = 0; i < order.length; i++)
            {
                order[i] = i;
            }
            return new Split(message, cuts.stream().mapToInt(Integer::intValue).toArray(), order);
        }
    }

    /**
     * A TCP connection from CLIENT to server:port whose messages (each a byte[] or a {@link Split}) alternate sides,
     * each answered by an ACK.
     */
    int tcpSplit(final String server, final int port, final boolean serverFirst, final Object... messages)
        throws IOException
    {
        return conversation(CLIENT, clientPort++, server, port, serverFirst, messages);
    }

    /** UDP datagrams from CLIENT to server:port and back, alternating, starting with the client. */
    void udp(final String server, final int port, final byte[]... messages) throws IOException
    {
        final byte[] s = PacketBuilder.ipv4(server);
        final int from = clientPort++;
        boolean fromClient = true;
        for (final byte[] m : messages)
        {
            b.payload(m);
            if (fromClient)
            {
                b.udp(CLIENT, from, s, port, m.length);
            }
            else
            {
                b.udp(s, port, CLIENT, from, m.length);
            }
            w.write(t, b.frame(), b.length(), 0);
            t += MS;
            fromClient = !fromClient;
        }
        t += 10 * MS;
    }

    @Override
    public void close() throws IOException
    {
        w.close();
        out.close();
    }

    static byte[] ascii(final String s)
    {
        return Payloads.ascii(s);
    }

    static byte[] hex(final String hex)
    {
        final String h = hex.replace(" ", "");
        final byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] zeros(final int n)
    {
        return new byte[n];
    }
}
