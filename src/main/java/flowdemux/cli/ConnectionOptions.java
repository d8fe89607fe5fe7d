package flowdemux.cli;

import flowdemux.decode.ChecksumMode;
import flowdemux.flow.ConnectionConfig;
import flowdemux.ports.LikelyServerPorts;
import picocli.CommandLine;
import flowdemux.service.ServiceInspector;
import picocli.CommandLine.Option;

/** Zeek's connection settings as options (seconds; defaults are Zeek's), shared by read and capture. */
public final class ConnectionOptions
{
    @Option(names = "--tcp-timeout", paramLabel = "S", defaultValue = "300",
        description = "TCP inactivity timeout once a side is past the handshake (default 300; before that --udp-timeout)")
    double tcpTimeout;

    @Option(names = "--udp-timeout", paramLabel = "S", defaultValue = "60", description = "UDP inactivity timeout (default 60)")
    double udpTimeout;

    @Option(names = "--icmp-timeout", paramLabel = "S", defaultValue = "60", description = "ICMP inactivity timeout (default 60)")
    double icmpTimeout;

    @Option(names = "--other-timeout", paramLabel = "S", defaultValue = "60",
        description = "inactivity timeout of other IP protocols (default 60)")
    double otherTimeout;

    @Option(names = "--long-timeout", paramLabel = "S", defaultValue = "3600",
        description = "inactivity timeout of FTP, SSH, Telnet and rlogin (TCP 21, 22, 23, 513, and any connection "
            + "whose payload showed SSH or FTP; default 3600)")
    double longTimeout;

    @Option(names = "--tcp-attempt-delay", paramLabel = "S", defaultValue = "5",
        description = "an unanswered SYN ends the connection (S0) after this long (default 5)")
    double attemptDelay;

    @Option(names = "--tcp-close-delay", paramLabel = "S", defaultValue = "5",
        description = "a closed or reset connection is ended this long after its last packet (default 5)")
    double closeDelay;

    @Option(names = "--tcp-syn-timeout", paramLabel = "S", defaultValue = "5",
        description = "first check for a quiet half-closed connection (default 5)")
    double synTimeout;

    @Option(names = "--tcp-session-timer", paramLabel = "S", defaultValue = "6",
        description = "period of the check for quiet half-closed connections (default 6)")
    double sessionTimer;

    @Option(names = "--tcp-linger", paramLabel = "S", defaultValue = "5",
        description = "how long a half-closed connection must be quiet to end (default 5)")
    double linger;

    @Option(names = "--frag-timeout", paramLabel = "S", defaultValue = "300",
        description = "an incomplete fragmented datagram is dropped after this long (default 300)")
    double fragmentTimeout;

    @Option(names = "--active-timeout", paramLabel = "S", defaultValue = "0",
        description = "write an interim record of a long connection every S seconds, same uid (default 0: off)")
    double activeTimeout;

    @Option(names = "--checksums", paramLabel = "MODE", completionCandidates = Candidates.ChecksumModes.class,
        description = "offload: verify IPv4/TCP/UDP/ICMP checksums, but take those a sending host leaves for its NIC "
            + "to fill in as good and count them (the default for files); verify: Zeek's behaviour, every checksum "
            + "that does not verify is bad; ignore: verify nothing (Zeek's -C; the default for capture). A packet "
            + "with a bad TCP/UDP checksum is left out of its connection and marked C/c in its history.")
    String checksums;

    @Option(names = "--ignore-checksums", description = "the same as --checksums ignore (Zeek's -C)")
    boolean ignoreChecksums;

    @Option(names = "--likely-server-ports", paramLabel = "LIST", defaultValue = "default",
        description = "ports that mark a connection's responder when its start was not seen: 'default' (Zeek's "
            + "analyzers' ports), 'none', or a list like 80/tcp,53/udp")
    String likelyServerPorts;

    @Option(names = "--no-service", description = "do not look at payload for services: the service column stays "
        + "'-' and the Services section empty")
    boolean noService;

    @Option(names = "--service-bytes", paramLabel = "N", defaultValue = "" + ServiceInspector.DEFAULT_BYTES,
        description = "bytes of each direction of a connection that service detection looks at, in sequence "
            + "order, " + ServiceInspector.MIN_BYTES + "-" + ServiceInspector.MAX_BYTES + " (default "
            + ServiceInspector.DEFAULT_BYTES + ": room for a STARTTLS after a long greeting)")
    int serviceBytes;

    @Option(names = "--decap", paramLabel = "MODE", defaultValue = "all", completionCandidates = Candidates.Decap.class,
        description = "all: read the packets inside VXLAN, Geneve, GTP-U, Teredo, AYIYA, GRE (ERSPAN, PPTP) and IP in "
            + "IP as connections of their own, as Zeek does (the default); none: only the outer packets")
    String decap;

    @Option(names = "--community-id-seed", paramLabel = "N", defaultValue = "0",
        description = "the seed of Community ID v1, 0-65535 (default 0, as everyone's)")
    int communityIdSeed;

    /** @param defaultChecksums the command's own default: offload for files, ignore for live capture */
    ConnectionConfig toConfig(final CommandLine cl, final ChecksumMode defaultChecksums)
    {
        final double[] all = {tcpTimeout, udpTimeout, icmpTimeout, otherTimeout, longTimeout, attemptDelay, closeDelay,
            synTimeout, sessionTimer, linger, fragmentTimeout, activeTimeout};
        for (final double d : all)
        {
            if (!(d >= 0) || d > 1e9)
            {
                throw new CommandLine.ParameterException(cl, "timeouts are seconds from 0 to 1e9, not " + d);
            }
        }
        if (sessionTimer <= 0)
        {
            throw new CommandLine.ParameterException(cl, "--tcp-session-timer must be above 0");
        }
        final ConnectionConfig c = new ConnectionConfig();
        c.tcpInactivity = ConnectionConfig.seconds(tcpTimeout);
        c.udpInactivity = ConnectionConfig.seconds(udpTimeout);
        c.icmpInactivity = ConnectionConfig.seconds(icmpTimeout);
        c.otherInactivity = ConnectionConfig.seconds(otherTimeout);
        c.longInactivity = ConnectionConfig.seconds(longTimeout);
        c.tcpAttemptDelay = ConnectionConfig.seconds(attemptDelay);
        c.tcpCloseDelay = ConnectionConfig.seconds(closeDelay);
        c.tcpSynTimeout = ConnectionConfig.seconds(synTimeout);
        c.tcpSessionTimer = ConnectionConfig.seconds(sessionTimer);
        c.tcpConnectionLinger = ConnectionConfig.seconds(linger);
        c.fragmentTimeout = ConnectionConfig.seconds(fragmentTimeout);
        c.activeTimeout = ConnectionConfig.seconds(activeTimeout);
        c.checksums = checksumMode(cl, defaultChecksums);
        if (serviceBytes < ServiceInspector.MIN_BYTES || serviceBytes > ServiceInspector.MAX_BYTES)
        {
            throw new CommandLine.ParameterException(cl, "--service-bytes must be " + ServiceInspector.MIN_BYTES
                + " to " + ServiceInspector.MAX_BYTES + ", not " + serviceBytes);
        }
        c.serviceBytes = noService ? 0 : serviceBytes;
        if (!"all".equals(decap) && !"none".equals(decap))
        {
            throw new CommandLine.ParameterException(cl, "--decap is all or none, not " + decap);
        }
        c.decapsulate = "all".equals(decap);
        if (communityIdSeed < 0 || communityIdSeed > 0xFFFF)
        {
            throw new CommandLine.ParameterException(cl, "--community-id-seed is 0 to 65535, not " + communityIdSeed);
        }
        c.communityIdSeed = communityIdSeed;
        try
        {
            c.likelyServerPorts = LikelyServerPorts.parse(likelyServerPorts);
        }
        catch (IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(cl, "--likely-server-ports: " + e.getMessage());
        }
        return c;
    }

    private ChecksumMode checksumMode(final CommandLine cl, final ChecksumMode defaultMode)
    {
        if (checksums == null)
        {
            return ignoreChecksums ? ChecksumMode.IGNORE : defaultMode;
        }
        final ChecksumMode mode = ChecksumMode.named(checksums);
        if (mode == null)
        {
            throw new CommandLine.ParameterException(cl, "--checksums must be offload, verify or ignore, not '"
                + checksums + "'");
        }
        if (ignoreChecksums && mode != ChecksumMode.IGNORE)
        {
            throw new CommandLine.ParameterException(cl, "--ignore-checksums contradicts --checksums " + checksums);
        }
        return mode;
    }
}
