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

    Dialogues(final Path file) throws IOException
    {
        out = Files.newOutputStream(file);
        w = new PcapWriter(out, 1, false);
    }

    /** A TCP connection from CLIENT to server:port: handshake, the messages alternating sides, close. */
    int tcp(final String server, final int port, final boolean serverFirst, final byte[]... messages) throws IOException
    {
        return tcp(CLIENT, clientPort++, server, port, serverFirst, messages);
    }

    int tcp(final byte[] client, final int fromPort, final String server, final int port, final boolean serverFirst,
        final byte[]... messages) throws IOException
    {
        final TcpConversation c = new TcpConversation(w, 0, client, fromPort, PacketBuilder.ipv4(server), port, 1000,
            90_000);
        c.handshake(t, MS);
        t += 3 * MS;
        boolean fromClient = !serverFirst;
        for (final byte[] m : messages)
        {
            if (m != null)
            {
                c.data(t, fromClient, m);
                t += MS;
                c.ack(t, !fromClient);
                t += MS;
            }
            fromClient = !fromClient;
        }
        c.close(t, MS);
        t += 10 * MS;
        return fromPort;
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
