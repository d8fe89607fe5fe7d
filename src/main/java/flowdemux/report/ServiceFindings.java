package flowdemux.report;

import flowdemux.ports.Services;
import flowdemux.service.ServiceId;
import flowdemux.service.ServicePorts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The report's Services section: for each server socket, the services its payload showed beside what its port
 * promises, with the disagreements first. A socket is listed when a service was seen on it, or when its port is a
 * well-known one that promises a service and connections with payload both ways showed none.
 */
final class ServiceFindings
{
    /** Sockets listed at most (the flagged ones first); the totals count them all. */
    static final int MAX_LISTED = 1000;

    enum Status
    {
        /** The payload showed what the port promises. */
        MATCH("match"),
        /** The payload showed something other than what the port promises. */
        MISMATCH("mismatch"),
        /** A service on a port that promises none. */
        UNLISTED("other port"),
        /** Payload both ways on a well-known port, and no service recognised in it. */
        UNRECOGNISED("unrecognised");

        final String label;

        Status(final String label)
        {
            this.label = label;
        }

        boolean flagged()
        {
            return this == MISMATCH || this == UNRECOGNISED;
        }
    }

    static final class Row
    {
        final ServerSummary server;
        /** What the payload showed, as Zeek writes it, or null. */
        final String seen;
        /** The port's name in the IANA table, or null. */
        final String portName;
        final Status status;

        Row(final ServerSummary server, final String seen, final String portName, final Status status)
        {
            this.server = server;
            this.seen = seen;
            this.portName = portName;
            this.status = status;
        }

        /** "192.0.2.1:22 tcp: http, port says ssh". */
        String sentence()
        {
            final String socket = TextReport.socket(server.address(), server.port) + " " + server.protocol + ": ";
            if (status == Status.UNRECOGNISED)
            {
                return socket + "no service recognised in " + server.unrecognised + " connection"
                    + (server.unrecognised == 1 ? "" : "s") + " with payload, port says " + portName;
            }
            return socket + seen + (portName != null ? ", port says " + portName : "");
        }
    }

    final List<Row> rows = new ArrayList<>();
    long mismatches;
    long unrecognised;
    /** Sockets that would be listed, including those beyond {@link #MAX_LISTED}. */
    long total;

    ServiceFindings(final Aggregates a, final Services ports)
    {
        final List<Row> all = new ArrayList<>();
        for (final ServerSummary s : a.servers())
        {
            final int promised = ServicePorts.promised(s.protocolNumber, s.port);
            final String portName = ports.name(s.protocol, s.port);
            final Status status;
            if (s.services != 0)
            {
                status = promised == 0 ? Status.UNLISTED
                    : (s.services & promised) != 0 ? Status.MATCH : Status.MISMATCH;
            }
            else if (s.unrecognised > 0 && promised != 0 && s.port < 1024)
            {
                status = Status.UNRECOGNISED;
            }
            else
            {
                continue;
            }
            all.add(new Row(s, ServiceId.names(s.services), portName, status));
            mismatches += status == Status.MISMATCH ? 1 : 0;
            unrecognised += status == Status.UNRECOGNISED ? 1 : 0;
        }
        total = all.size();
        // Flagged first; then as a.servers() orders them (most connections first).
        all.sort(Comparator.comparing((Row r) -> !r.status.flagged()));
        rows.addAll(all.subList(0, Math.min(all.size(), MAX_LISTED)));
    }
}
