package flowdemux.synth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic traffic for tests and benchmarks: {@code concurrency} connections in flight at once,
 * interleaved packet by packet, until {@code flows} connections have been written. The mix: full TCP connections
 * (handshake, requests and responses of realistic sizes, FIN close) to common server ports, DNS over UDP, refused
 * connections (SYN answered by RST), half-open ones (an unanswered SYN), a share of them over IPv6. The same seed
 * gives the same bytes.
 */
public final class TrafficGenerator
{
    /** Kinds of connection, with the share of each in the mix (percent). */
    public enum Kind
    {
        TCP_FULL(70), DNS(15), REFUSED(8), HALF_OPEN(7);

        final int percent;

        Kind(final int percent)
        {
            this.percent = percent;
        }
    }

    private static final int[] SERVER_PORTS = {443, 443, 443, 443, 80, 80, 22, 3306, 5432, 6379, 8080, 25, 993, 27017};
    private static final long STEP_NANOS = 2_000;
    private static final int MSS = 1448;

    private final SplittableRandom random;
    private final int concurrency;
    private final long flows;
    private final int ipv6Percent;
    private final PacketBuilder builder = new PacketBuilder();

    // Summary of what was written.
    public final long[] byKind = new long[Kind.values().length];
    public final long[] byServerPort = new long[65536];
    public long packets;
    public long bytes;

    /**
     * Each connection's first request and response begin with its protocol's real first bytes (a TLS ClientHello with
     * a server name, an HTTP request, SSH banners, an SMTP greeting, a DNS query...), chosen by server port, so that
     * service detection has real work; otherwise payloads are filler.
     */
    private boolean protocolPayloads;

    public TrafficGenerator protocolPayloads(final boolean on)
    {
        this.protocolPayloads = on;
        return this;
    }

    public TrafficGenerator(final long seed, final long flows, final int concurrency, final int ipv6Percent)
    {
        this.random = new SplittableRandom(seed);
        this.flows = flows;
        this.concurrency = Math.max(1, concurrency);
        this.ipv6Percent = ipv6Percent;
    }

    /** One connection in flight: which packet comes next. */
    private final class Conn
    {
        Kind kind;
        byte[] client;
        byte[] server;
        int clientPort;
        int serverPort;
        long clientSeq;
        long serverSeq;
        int step;
        /** The protocol's first bytes have been sent both ways. */
        boolean spoke;
        int exchanges;
        int responseLeft;

        void start(final long n)
        {
            final int roll = random.nextInt(100);
            kind = roll < Kind.TCP_FULL.percent ? Kind.TCP_FULL
                : roll < Kind.TCP_FULL.percent + Kind.DNS.percent ? Kind.DNS
                : roll < 100 - Kind.HALF_OPEN.percent ? Kind.REFUSED : Kind.HALF_OPEN;
            final boolean v6 = random.nextInt(100) < ipv6Percent;
            // Clients spread over 10.0.0.0/8 (or 2001:db8::/64), servers over 1024 addresses.
            final long c = 0x0A00_0000L | (n * 2654435761L & 0x00FF_FFFFL);
            final long s = 0xC633_6400L | random.nextInt(1024);
            client = v6 ? PacketBuilder.ipv6(0x2001_0db8_0000_0000L, c) : v4(c);
            server = v6 ? PacketBuilder.ipv6(0x2001_0db8_0001_0000L, s) : v4(s);
            clientPort = 32768 + (int)(n % 28232);
            serverPort = kind == Kind.DNS ? 53 : SERVER_PORTS[random.nextInt(SERVER_PORTS.length)];
            clientSeq = random.nextLong() & 0xFFFF_FFFFL;
            serverSeq = random.nextLong() & 0xFFFF_FFFFL;
            step = 0;
            spoke = false;
            exchanges = 1 + random.nextInt(4);
            byKind[kind.ordinal()]++;
            byServerPort[serverPort]++;
        }

        /** Writes the next packet; returns false when the connection is over. */
        boolean next(final CaptureWriter w, final long ts) throws IOException
        {
            switch (kind)
            {
                case DNS:
                    if (step++ == 0)
                    {
                        if (protocolPayloads)
                        {
                            final byte[] q = Payloads.dnsQuery(clientPort, "host" + (clientPort % 1000) + ".example.com");
                            builder.payload(q).udp(client, clientPort, server, 53, q.length);
                            emit(w, ts);
                            return true;
                        }
                        builder.udp(client, clientPort, server, 53, 30 + random.nextInt(20));
                        emit(w, ts);
                        return true;
                    }
                    if (protocolPayloads)
                    {
                        final byte[] r = Payloads.dnsResponse(clientPort, "host" + (clientPort % 1000) + ".example.com",
                            new byte[] {10, 0, 0, 1});
                        builder.payload(r).udp(server, 53, client, clientPort, r.length);
                    }
                    else
                    {
                        builder.udp(server, 53, client, clientPort, 60 + random.nextInt(200));
                    }
                    emit(w, ts);
                    return false;
                case HALF_OPEN:
                    tcp(w, ts, true, 0x02, 0);
                    return false;
                case REFUSED:
                    if (step++ == 0)
                    {
                        tcp(w, ts, true, 0x02, 0);
                        return true;
                    }
                    tcp(w, ts, false, 0x14, 0);
                    return false;
                default:
                    return full(w, ts);
            }
        }

        private boolean full(final CaptureWriter w, final long ts) throws IOException
        {
            switch (step)
            {
                case 0:
                    step = 1;
                    tcp(w, ts, true, 0x02, 0);
                    return true;
                case 1:
                    step = 2;
                    tcp(w, ts, false, 0x12, 0);
                    return true;
                case 2:
                    step = 3;
                    tcp(w, ts, true, 0x10, 0);
                    return true;
                case 3:
                    // A request, then a response of a few segments.
                    if (protocolPayloads && !spoke)
                    {
                        final byte[] request = firstBytes(true);
                        builder.payload(request);
                        tcp(w, ts, true, 0x18, Math.max(request.length, 80 + random.nextInt(400)));
                    }
                    else
                    {
                        tcp(w, ts, true, 0x18, 80 + random.nextInt(400));
                    }
                    responseLeft = 1 + random.nextInt(6);
                    step = 4;
                    return true;
                case 4:
                    // Mostly small responses, some full segments: about 240 bytes a packet on average.
                    final int size = random.nextInt(10) < 2 ? MSS : 40 + random.nextInt(400);
                    if (protocolPayloads && !spoke)
                    {
                        final byte[] response = firstBytes(false);
                        builder.payload(response);
                        spoke = true;
                        tcp(w, ts, false, 0x18, Math.max(response.length, size));
                    }
                    else
                    {
                        tcp(w, ts, false, 0x18, size);
                    }
                    if (--responseLeft == 0)
                    {
                        step = 5;
                    }
                    return true;
                case 5:
                    tcp(w, ts, true, 0x10, 0);
                    step = --exchanges > 0 ? 3 : 6;
                    return true;
                case 6:
                    step = 7;
                    tcp(w, ts, true, 0x11, 0);
                    return true;
                case 7:
                    step = 8;
                    tcp(w, ts, false, 0x11, 0);
                    return true;
                default:
                    tcp(w, ts, true, 0x10, 0);
                    return false;
            }
        }

        /** The first bytes of the client's request or the server's response, by the server's port. */
        private byte[] firstBytes(final boolean client)
        {
            final String host = "www" + (clientPort % 997) + ".example.com";
            switch (serverPort)
            {
                case 443:
                case 993:
                    return client ? Payloads.tlsClientHello(host, new String[] {"h2", "http/1.1"}, 300)
                        : Payloads.tlsServerHello();
                case 80:
                case 8080:
                    return client ? Payloads.httpRequest("GET", host, "Mozilla/5.0", 200) : Payloads.httpResponse(400);
                case 22:
                    return Payloads.ascii(client ? "SSH-2.0-OpenSSH_9.6\r\n" : "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n");
                case 25:
                    return Payloads.ascii(client ? "EHLO client.example.com\r\n" : "220 mail.example.com ESMTP\r\n");
                case 6379:
                    return Payloads.ascii(client ? "*1\r\n$4\r\nPING\r\n" : "+PONG\r\n");
                default:
                    return new byte[0];
            }
        }

        private void tcp(final CaptureWriter w, final long ts, final boolean fromClient, final int flags, final int len)
            throws IOException
        {
            final boolean syn = (flags & 0x02) != 0;
            final boolean fin = (flags & 0x01) != 0;
            final boolean ack = (flags & 0x10) != 0;
            final byte[] options = syn ? PacketBuilder.synOptions(1460, 7) : null;
            if (fromClient)
            {
                builder.tcp(client, clientPort, server, serverPort, clientSeq, ack ? serverSeq : 0, flags, 64_240,
                    options, len);
                clientSeq = (clientSeq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) & 0xFFFF_FFFFL;
            }
            else
            {
                builder.tcp(server, serverPort, client, clientPort, serverSeq, ack ? clientSeq : 0, flags, 65_160,
                    options, len);
                serverSeq = (serverSeq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) & 0xFFFF_FFFFL;
            }
            emit(w, ts);
        }

        private void emit(final CaptureWriter w, final long ts) throws IOException
        {
            w.write(ts, builder.frame(), builder.length(), 0);
            packets++;
            bytes += builder.length();
        }
    }

    private static byte[] v4(final long a)
    {
        return new byte[] {(byte)(a >>> 24), (byte)(a >>> 16), (byte)(a >>> 8), (byte)a};
    }

    /** The start time of the captures made by {@link #pcap}: 2023-11-14 22:13:20 UTC. */
    public static final long START_NANOS = 1_700_000_000_000_000_000L;

    /** A generated capture in memory, as a nanosecond pcap of Ethernet frames (tests and benchmarks). */
    public static byte[] pcap(final long seed, final long flows, final int concurrency, final int ipv6Percent)
        throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out, 1, true))
        {
            new TrafficGenerator(seed, flows, concurrency, ipv6Percent).write(w, START_NANOS);
        }
        return out.toByteArray();
    }

    /** Writes the traffic, starting at {@code startNanos}. */
    public void write(final CaptureWriter w, final long startNanos) throws IOException
    {
        final Conn[] live = new Conn[(int)Math.min(concurrency, Math.max(1, flows))];
        long started = 0;
        for (int i = 0; i < live.length; i++)
        {
            live[i] = new Conn();
            live[i].start(started++);
        }
        final boolean[] done = new boolean[live.length];
        int active = live.length;
        long ts = startNanos;
        int i = 0;
        while (active > 0)
        {
            if (!done[i])
            {
                ts += STEP_NANOS;
                if (!live[i].next(w, ts))
                {
                    if (started < flows)
                    {
                        live[i].start(started++);
                    }
                    else
                    {
                        done[i] = true;
                        active--;
                    }
                }
            }
            i = i + 1 == live.length ? 0 : i + 1;
        }
        Arrays.fill(done, true);
    }
}
