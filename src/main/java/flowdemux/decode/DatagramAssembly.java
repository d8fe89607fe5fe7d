package flowdemux.decode;

/**
 * The bytes of fragmented IPv4 datagrams that may carry a tunnel (UDP, GRE, IP in IP), put back together so the
 * tunnel can be read, as Zeek reassembles outer fragments before its tunnel analyzers run. Counting fragments is
 * flow.FragmentReassembly's; this keeps bytes, and only for those protocols: at most {@link #SLOTS} datagrams at
 * once, each in a buffer reused for the next (the oldest goes when a new one needs room). A first fragment that shows
 * UDP on no tunnel's port lets its datagram go.
 */
public final class DatagramAssembly
{
    static final int SLOTS = 32;
    private static final int MAX_DATAGRAM = 65_535;

    private final byte[][] buffers = new byte[SLOTS][];
    private final long[] keySrc = new long[SLOTS];
    private final long[] keyDst = new long[SLOTS];
    private final long[] keyIdProto = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final long[] age = new long[SLOTS];
    private final int[] headerLength = new int[SLOTS];
    private long clock;
    private final byte[] assembled = new byte[MAX_DATAGRAM];

    /** Whether fragments of {@code p}'s protocol are kept. */
    static boolean candidate(final DecodedPacket p)
    {
        return p.ipVersion == 4 && (p.protocol == DecodedPacket.PROTO_UDP || p.protocol == Encapsulation.PROTO_GRE
            || p.protocol == Encapsulation.PROTO_IPIP || p.protocol == Encapsulation.PROTO_IPV6);
    }

    /** Keeps the bytes of fragment {@code p} (decoded from {@code b}); nothing for a protocol that carries no tunnel. */
    public void add(final byte[] b, final DecodedPacket p)
    {
        if (!p.fragment || !candidate(p))
        {
            return;
        }
        if (!p.laterFragment && p.protocol == DecodedPacket.PROTO_UDP && p.hasPorts
            && Tunnel.ofUdpPorts(p.srcPort, p.dstPort) == Tunnel.NONE)
        {
            drop(p); // a UDP datagram on no tunnel's port (the Teredo relays on any port are not followed here)
            return;
        }
        int slot = find(p);
        if (slot < 0)
        {
            slot = oldestOrFree();
            used[slot] = true;
            keySrc[slot] = p.srcLo;
            keyDst[slot] = p.dstLo;
            keyIdProto[slot] = p.fragmentId << 8 | p.protocol;
            headerLength[slot] = -1;
            if (buffers[slot] == null)
            {
                buffers[slot] = new byte[60 + MAX_DATAGRAM];
            }
        }
        age[slot] = ++clock;
        final byte[] buf = buffers[slot];
        final int ip = p.ipOffset;
        if (!p.laterFragment)
        {
            System.arraycopy(b, ip, buf, 0, p.ipHeaderLength);
            headerLength[slot] = p.ipHeaderLength;
        }
        final int n = Math.min(p.ipTotalLength - p.ipHeaderLength, b.length - (ip + p.ipHeaderLength));
        final int at = 60 + p.fragmentOffset;
        if (n > 0 && at + n <= buf.length)
        {
            System.arraycopy(b, ip + p.ipHeaderLength, buf, at, n);
        }
    }

    /**
     * The datagram {@code p} completed (flow.FragmentReassembly says so: {@code p} holds its total length), whole in
     * {@link #bytes}, its header without fragment fields and with its checksum: its length, or 0 if its bytes were
     * not kept.
     */
    public int complete(final DecodedPacket p)
    {
        final int slot = find(p);
        if (slot < 0 || headerLength[slot] < 0)
        {
            if (slot >= 0)
            {
                used[slot] = false;
            }
            return 0;
        }
        used[slot] = false;
        final byte[] buf = buffers[slot];
        final int h = headerLength[slot];
        final int payload = p.ipTotalLength - p.ipHeaderLength;
        if (payload < 0 || h + payload > assembled.length)
        {
            return 0;
        }
        System.arraycopy(buf, 0, assembled, 0, h);
        System.arraycopy(buf, 60, assembled, h, payload);
        final int total = h + payload;
        assembled[2] = (byte)(total >>> 8);
        assembled[3] = (byte)total;
        assembled[6] = 0;
        assembled[7] = 0;
        assembled[10] = 0;
        assembled[11] = 0;
        final int sum = Checksums.fold(Checksums.sum(assembled, 0, h, 0));
        final int checksum = ~sum & 0xFFFF;
        assembled[10] = (byte)(checksum >>> 8);
        assembled[11] = (byte)checksum;
        return total;
    }

    /** The last datagram {@link #complete} put together (valid until the next). */
    public byte[] bytes()
    {
        return assembled;
    }

    private void drop(final DecodedPacket p)
    {
        final int slot = find(p);
        if (slot >= 0)
        {
            used[slot] = false;
        }
    }

    private int find(final DecodedPacket p)
    {
        final long idProto = p.fragmentId << 8 | p.protocol;
        for (int i = 0; i < SLOTS; i++)
        {
            if (used[i] && keyIdProto[i] == idProto && keySrc[i] == p.srcLo && keyDst[i] == p.dstLo)
            {
                return i;
            }
        }
        return -1;
    }

    private int oldestOrFree()
    {
        int oldest = 0;
        for (int i = 0; i < SLOTS; i++)
        {
            if (!used[i])
            {
                return i;
            }
            if (age[i] < age[oldest])
            {
                oldest = i;
            }
        }
        return oldest;
    }
}
