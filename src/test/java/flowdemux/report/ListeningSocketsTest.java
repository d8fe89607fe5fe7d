package flowdemux.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.decode.DecodedPacket;
import flowdemux.flow.FlowRecord;
import flowdemux.host.Listener;
import flowdemux.host.Program;
import flowdemux.host.Sockets;
import flowdemux.ports.Services;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sockets list's words: ranges, service names, this-host-only, the reverse-proxy pattern, what captures saw. */
class ListeningSocketsTest
{
    private static final long V4 = 0x0000_FFFF_0000_0000L;
    private static final long HOST = V4 | 0x0A000005L; // 10.0.0.5
    private static final long[] ADDRESSES = {0, HOST};

    private static Listener tcp(final long lo, final int port, final String program)
    {
        return new Listener(Sockets.TCP, 0, lo, port, 0, "root", List.of(new Program(port, program, "root", "/")));
    }

    private static ServerSummary server(final int port, final long clientLo, final int connections)
    {
        final ServerSummary s = new ServerSummary(0, HOST, port, DecodedPacket.PROTO_TCP, "tcp");
        final FlowRecord r = FlowRecord.reusable();
        r.protocol = DecodedPacket.PROTO_TCP;
        r.origLo = clientLo;
        r.origPort = 40000;
        r.respHi = 0;
        r.respLo = HOST;
        r.respPort = port;
        r.history = "ShADadFf";
        r.origPackets = 5;
        r.respPackets = 5;
        for (int i = 0; i < connections; i++)
        {
            s.add(r);
        }
        return s;
    }

    private static JsonNode json(final ListeningSockets view) throws Exception
    {
        final StringWriter w = new StringWriter();
        view.json(w);
        final JsonNode all = new ObjectMapper().readTree(w.toString());
        final java.util.Map<Integer, JsonNode> byPort = new java.util.TreeMap<>();
        for (final JsonNode s : all.get("sockets"))
        {
            byPort.put(s.get("port").asInt(), s);
        }
        return new ObjectMapper().valueToTree(byPort);
    }

    @Test
    void aLoopbackOrLocallyReachedHighPortBesideAPublicWebPortIsLikelyProxied() throws Exception
    {
        final List<Listener> listeners = List.of(tcp(V4, 443, "nginx"), tcp(V4 | 0x7F000001L, 8080, "app"),
            tcp(V4, 3000, "node"), tcp(V4, 9000, "other"),
            new Listener(Sockets.UDP, 0, 0, 5353, 0, "root", List.of()));
        final List<ServerSummary> servers = List.of(server(3000, V4 | 0x7F000001L, 4), server(3000, HOST, 1),
            server(443, V4 | 0xC0000209L, 2), server(9000, V4 | 0xC0000209L, 1));
        final JsonNode seen = json(new ListeningSockets(listeners, Services.standard(), servers, ADDRESSES));
        assertTrue(seen.get("8080").get("this_host_only").asBoolean());
        assertTrue(seen.get("8080").get("reverse_proxy_likely").asBoolean(), "bound to loopback, 443 public");
        assertEquals(0, seen.get("8080").get("connections_seen").asInt());
        assertTrue(seen.get("3000").get("reached_from_this_host_only").asBoolean());
        assertEquals(5, seen.get("3000").get("connections_seen").asInt());
        assertTrue(seen.get("3000").get("reverse_proxy_likely").asBoolean(), "only local clients reached it");
        assertFalse(seen.get("9000").get("reverse_proxy_likely").asBoolean(), "a remote client reached it");
        assertFalse(seen.get("443").get("reverse_proxy_likely").asBoolean(), "well-known");
        assertEquals("https", seen.get("443").get("service").asText());
        assertEquals("well-known", seen.get("443").get("range").asText());
        assertEquals("registered", seen.get("3000").get("range").asText());
        assertFalse(seen.get("5353").get("reverse_proxy_likely").asBoolean());
        assertEquals("udp", seen.get("5353").get("proto").asText());

        // Without the captures, 3000 is only a public high port; without the public web port, nothing is proxied.
        final JsonNode plain = json(new ListeningSockets(listeners, Services.standard()));
        assertFalse(plain.get("3000").get("reverse_proxy_likely").asBoolean());
        assertFalse(plain.get("3000").has("connections_seen"));
        final JsonNode alone = json(new ListeningSockets(listeners.subList(1, 5), Services.standard(), servers,
            ADDRESSES));
        assertFalse(alone.get("8080").get("reverse_proxy_likely").asBoolean());
        assertFalse(alone.get("3000").get("reverse_proxy_likely").asBoolean());

        final StringWriter text = new StringWriter();
        new ListeningSockets(listeners, Services.standard(), servers, ADDRESSES).text(new PrintWriter(text));
        assertTrue(text.toString().contains("127.0.0.1:8080") && text.toString().contains("app[8080]  (this host only; "
            + "likely behind a reverse proxy)"), text.toString());
        assertTrue(text.toString().contains("(no traffic)"), text.toString());
    }
}
