package flowdemux.flow;

import flowdemux.decode.ChecksumMode;
import flowdemux.ports.LikelyServerPorts;

/**
 * Zeek's connection settings (init-bare.zeek, all {@code &redef} there, all options here): timeouts on capture time,
 * the likely server ports, and how checksums are treated. Durations are nanoseconds.
 */
public final class ConnectionConfig
{
    private static final long SECOND = 1_000_000_000L;

    public long tcpInactivity = 300 * SECOND;
    public long udpInactivity = 60 * SECOND;
    /** Zeek's dns_session_timeout: a UDP DNS connection quiet this long less a second ends (0: off). */
    public long dnsSessionTimeout = 10 * SECOND;
    public long icmpInactivity = 60 * SECOND;
    public long otherInactivity = 60 * SECOND;
    public long tcpSynTimeout = 5 * SECOND;
    public long tcpAttemptDelay = 5 * SECOND;
    public long tcpCloseDelay = 5 * SECOND;
    public long tcpSessionTimer = 6 * SECOND;
    public long tcpConnectionLinger = 5 * SECOND;
    /** Zeek's per-service override (base/protocols/conn/inactivity.zeek): FTP, SSH, Telnet, rlogin get an hour. */
    public long longInactivity = 3600 * SECOND;
    public long fragmentTimeout = 300 * SECOND;
    /** Emit an interim record every so long for long connections (0 = off). */
    public long activeTimeout;
    /** Default: offload, so that a capture taken on the user's own host reads right with no option. */
    public ChecksumMode checksums = ChecksumMode.OFFLOAD;
    /**
     * Mixed into every uid: a digest of the input's first packets (or --seed), so that uids stay the same for the
     * same input whatever the worker count, and differ between inputs.
     */
    public long uidSeed;
    /** Community ID v1's seed (--community-id-seed, 0 to 65535; Zeek's CommunityID::seed). */
    public int communityIdSeed;
    /** Whether the packets inside tunnels are read as connections of their own (--decap; Zeek's default). */
    public boolean decapsulate = true;
    public LikelyServerPorts likelyServerPorts = LikelyServerPorts.zeekDefault();
    /** Bytes of each direction of a connection that service detection looks at; 0 turns it off (--no-service). */
    public int serviceBytes = flowdemux.service.ServiceInspector.DEFAULT_BYTES;

    /** Payload bytes of one packet the reader hands to detection at most (ClientHellos go whole), 0 when off. */
    public int packetBytes()
    {
        return Math.min(serviceBytes, flowdemux.service.ServiceInspector.PACKET_BYTES);
    }

    /** Ports whose TCP connections get {@link #longInactivity}. */
    public boolean hasLongInactivity(final int protocol, final int respPort)
    {
        return protocol == 6 && (respPort == 21 || respPort == 22 || respPort == 23 || respPort == 513);
    }

    public static long seconds(final double s)
    {
        return Math.round(s * SECOND);
    }
}
