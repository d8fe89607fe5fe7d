package flowdemux.host;

/**
 * A process that holds a socket: its pid, name (/proc/PID/comm), user (its real uid's name) and cgroup (the v2 path,
 * which names the systemd unit or the container; "-" when none is known).
 */
public record Program(int pid, String name, String user, String cgroup)
{
}
