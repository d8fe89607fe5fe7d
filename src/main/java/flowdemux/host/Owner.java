package flowdemux.host;

/**
 * Who owns one local endpoint of a connection, as the lookup found it: a program, or why none can be named. Never a
 * guess: a socket that was gone before the lookup is {@link Kind#ENDED} or {@link Kind#NO_SOCKET}, not the next
 * program on that port.
 */
public record Owner(Kind kind, Program program, String user, boolean viaListener)
{
    public enum Kind
    {
        /** The socket's holder. */
        PROGRAM("program"),
        /** The socket was there but closed (TIME_WAIT, or its process ended) before it could be looked up. */
        ENDED("ended before lookup"),
        /**
         * A local address, and no socket of this namespace had the endpoint during the lookup's retries: closed and
         * gone before the first look (a client that exits within milliseconds), or nothing listening (REJ).
         */
        NO_SOCKET("no socket at lookup"),
        /** The address belongs to a network namespace beside this one (a veth or bridge to a container). */
        OTHER_NAMESPACE("other namespace"),
        /** A socket of {@link #user}'s whose process this user may not read (/proc/PID/fd of another user). */
        NO_ACCESS("no access");

        public final String text;

        Kind(final String text)
        {
            this.text = text;
        }
    }

    public static Owner of(final Program p, final boolean viaListener)
    {
        return new Owner(Kind.PROGRAM, p, p.user(), viaListener);
    }

    public static Owner none(final Kind kind, final String user)
    {
        return new Owner(kind, null, user, false);
    }

    public int pid()
    {
        return program == null ? -1 : program.pid();
    }

    public String name()
    {
        return program == null ? null : program.name();
    }

    public String cgroup()
    {
        return program == null ? null : program.cgroup();
    }

    /** "nginx[812]", or the reason there is none ("ended before lookup"). */
    public String label()
    {
        return program != null ? program.name() + "[" + program.pid() + "]" : kind.text;
    }
}
