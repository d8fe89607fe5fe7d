package flowdemux.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The servers the live tests talk to on loopback: a tiny HTTP-like TCP server and a UDP echo. */
final class LoopbackPeers
{
    private LoopbackPeers()
    {
    }

    /** Answers each connection's request with a short response, closes its side, and reads to the client's close. */
    static void serve(final ServerSocket server)
    {
        while (!server.isClosed())
        {
            try (Socket s = server.accept())
            {
                final InputStream in = s.getInputStream();
                in.read(new byte[256]);
                final OutputStream out = s.getOutputStream();
                out.write("HTTP/1.0 200 OK\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.shutdownOutput();
                in.readAllBytes();
            }
            catch (IOException e)
            {
                return;
            }
        }
    }

    /** Answers every datagram with one byte, until the socket is closed. */
    static void echo(final DatagramSocket socket)
    {
        final DatagramPacket p = new DatagramPacket(new byte[64], 64);
        while (!socket.isClosed())
        {
            try
            {
                socket.receive(p);
                socket.send(new DatagramPacket(new byte[] {9}, 1, p.getSocketAddress()));
            }
            catch (IOException e)
            {
                return;
            }
        }
    }

    static Thread daemon(final Runnable r)
    {
        final Thread t = new Thread(r, "test-loopback-peer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits until a capture's standard error says {@code text} (it has started), at most 10 s. */
    static void waitFor(final java.io.StringWriter err, final String text) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!err.toString().contains(text))
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("capture did not start: " + err);
            }
            Thread.sleep(20);
        }
    }
}
