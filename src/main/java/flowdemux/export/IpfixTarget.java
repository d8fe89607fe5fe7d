package flowdemux.export;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Where IPFIX goes: {@code HOST:PORT} (UDP), {@code udp://HOST:PORT} or {@code tcp://HOST:PORT}; IPv6 in brackets. */
public record IpfixTarget(String host, int port, boolean tcp)
{
    /** IANA's IPFIX port, when none is given. */
    public static final int DEFAULT_PORT = 4739;

    /**
     * @throws IllegalArgumentException with a line for the user when the text is not a target
     */
    public static IpfixTarget parse(final String text)
    {
        String rest = text.trim();
        boolean tcp = false;
        if (rest.startsWith("tcp://"))
        {
            tcp = true;
            rest = rest.substring(6);
        }
        else if (rest.startsWith("udp://"))
        {
            rest = rest.substring(6);
        }
        else if (rest.contains("://"))
        {
            throw new IllegalArgumentException("--ipfix takes udp:// or tcp://, not " + text);
        }
        String host;
        String port = null;
        if (rest.startsWith("["))
        {
            final int close = rest.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException("--ipfix " + text + ": an IPv6 address in [ ] has no ]");
            }
            host = rest.substring(1, close);
            if (close + 1 < rest.length())
            {
                if (rest.charAt(close + 1) != ':')
                {
                    throw new IllegalArgumentException("--ipfix " + text + ": expected :PORT after ]");
                }
                port = rest.substring(close + 2);
            }
        }
        else
        {
            final int colon = rest.lastIndexOf(':');
            if (colon >= 0 && rest.indexOf(':') != colon)
            {
                throw new IllegalArgumentException("--ipfix " + text + ": write an IPv6 collector as [ADDRESS]:PORT");
            }
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? null : rest.substring(colon + 1);
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("--ipfix " + text + ": no host");
        }
        int number = DEFAULT_PORT;
        if (port != null)
        {
            try
            {
                number = Integer.parseInt(port);
            }
            catch (NumberFormatException e)
            {
                number = -1;
            }
            if (number < 1 || number > 65535)
            {
                throw new IllegalArgumentException("--ipfix " + text + ": the port must be 1 to 65535");
            }
        }
        return new IpfixTarget(host, number, tcp);
    }

    /** @throws UnknownHostException when the name does not resolve */
    InetSocketAddress resolve() throws UnknownHostException
    {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Override
    public String toString()
    {
        return (tcp ? "tcp://" : "udp://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
