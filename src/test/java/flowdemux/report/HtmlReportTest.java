package flowdemux.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import flowdemux.Cli;
import flowdemux.Corpus;
import flowdemux.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report in a real browser: headless Chromium (installed by .ci/run) opens the page offline and prints the
 * document after its scripts ran. For a sample, a corpus capture and a generated 100,000-connection capture: no script
 * error, every chart drew (its canvas has pixels of more than one color, as the page reads them back), and the numbers
 * in the page equal those of {@code --format json} for the same input; sorting a column and the filter box change the
 * rows as they should (driven through the page's #sort and #filter, the same functions a click and a keystroke call);
 * a file name that is markup shows as text.
 */
class HtmlReportTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePagesOfThreeCapturesDrawAndAgreeWithTheJsonReport(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path generated = tmp.resolve("gen.pcap");
        assertEquals(0, Cli.run("generate", "--flows", "100000", "--concurrency", "5000", "-o", generated.toString(),
            "--summary", tmp.resolve("gen.json").toString()).exitCode);
        final List<Path> inputs = new ArrayList<>(List.of(Path.of("samples/three-tabs.pcap"), generated));
        final Path corpus = Corpus.root().resolve("zeek/communityid-icmp6.pcap");
        if (Files.exists(corpus))
        {
            inputs.add(corpus);
        }
        for (final Path input : inputs)
        {
            final Path html = tmp.resolve(input.getFileName() + ".html");
            final Cli page = Cli.run("read", input.toString(), "--format", "html", "-o", html.toString());
            assertEquals(0, page.exitCode, page.err);
            final String text = Files.readString(html);
            assertFalse(text.contains("http://") || text.contains("https://"), "no URL in the page");
            final JsonNode json = JSON.readTree(Cli.run("read", input.toString(), "--format", "json").out);

            final String dom = dom(chromium, html, "");
            assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"), input + ": script errors");
            assertTrue(dom.contains("data-ready=\"1\""), input + ": the page finished");
            if (json.get("top_flows").size() > 0)
            {
                // The top flow's extract and follow lines, ready to copy.
                final String uid = json.get("top_flows").get(0).get("uid").asText();
                assertTrue(between(dom, "<pre class=\"mono\" id=\"flow-commands\">", "</pre>").equals("analyzer extract "
                    + input + " --uid " + uid + " -w " + uid + ".pcap\nanalyzer follow " + input + " --uid " + uid),
                    input + ": " + between(dom, "id=\"flow-commands\">", "</pre>"));
            }
            // Every chart with data drew; the others say there is none.
            int expected = capture(json).get("packets").asLong() > 0 ? 2 : 0;
            expected += json.get("ports").size() > 0 ? 2 : 0;
            for (final JsonNode d : json.get("distributions"))
            {
                expected += d.get("count").asLong() > 0 ? 1 : 0;
            }
            final int drawn = count(dom, "data-drawn=\"yes\"");
            assertEquals(0, count(dom, "data-drawn=\"no\""), input + ": a chart with data did not draw");
            assertEquals(expected, drawn, input + ": charts drawn");
            assertTrue(drawn >= 5, input + ": " + drawn);

            final JsonNode capture = json.get("capture");
            assertEquals(String.format(Locale.US, "%,d", capture.get("packets").asLong()), fact(dom, "packets"));
            assertEquals(String.format(Locale.US, "%,d", capture.get("flow_table").get("connections").asLong()),
                fact(dom, "connections"));
            final List<List<String>> ports = rows(dom, "ports");
            assertEquals(json.get("ports").size(), ports.size(), input + ": port rows");
            if (!ports.isEmpty())
            {
                final JsonNode top = json.get("ports").get(0);
                assertEquals(List.of(top.get("port").asText(), top.get("protocol").asText()), ports.get(0).subList(0, 2));
                assertEquals(String.format(Locale.US, "%,d", top.get("connections").asLong()), ports.get(0).get(4));
                assertEquals(String.format(Locale.US, "%,d", top.get("packets").asLong()), ports.get(0).get(12));
            }
            assertEquals(json.get("top_flows").size(), rows(dom, "flows").size());
            final List<List<String>> servers = rows(dom, "servers");
            // A hundred rows are drawn at first (a button draws more); the page holds the 1,000 busiest servers.
            assertEquals(Math.min(100, json.get("servers").size()), servers.size(), input + ": server rows");
            if (json.get("servers").size() > 1000)
            {
                assertTrue(dom.contains(String.format(Locale.US, "This page holds the 1,000 with the most connections of %,d",
                    json.get("servers").size())), input + ": the servers note");
            }
            if (!servers.isEmpty())
            {
                final JsonNode first = json.get("servers").get(0);
                assertEquals(List.of(first.get("address").asText(), first.get("port").asText()),
                    servers.get(0).subList(0, 2));
            }
            System.out.printf("html: %s: %d charts drawn, %d port rows, %d servers, page %,d bytes%n",
                input.getFileName(), drawn, ports.size(), json.get("servers").size(), text.length());
        }
    }

    @Test
    void sortingAndTheFilterChangeTheRows(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path html = tmp.resolve("mixed.html");
        assertEquals(0, Cli.run("read", "samples/mixed.pcapng", "--format", "html", "-o", html.toString()).exitCode);
        final JsonNode json = JSON.readTree(Cli.run("read", "samples/mixed.pcapng", "--format", "json").out);

        final List<Integer> ascending = new ArrayList<>();
        for (final List<String> r : rows(dom(chromium, html, "#sort=ports:port:asc"), "ports"))
        {
            ascending.add(Integer.parseInt(r.get(0)));
        }
        final List<Integer> expected = new ArrayList<>();
        json.get("ports").forEach(p -> expected.add(p.get("port").asInt()));
        expected.sort(null);
        assertEquals(expected, ascending, "ports by port number, ascending");
        final List<List<String>> descending = rows(dom(chromium, html, "#sort=ports:port:desc"), "ports");
        assertEquals(String.valueOf(expected.get(expected.size() - 1)), descending.get(0).get(0));

        // The filter keeps the rows that have the text in a cell, in every table.
        final String filtered = dom(chromium, html, "#filter=2001:db8");
        final List<List<String>> flows = rows(filtered, "flows");
        long ipv6 = 0;
        for (final JsonNode f : json.get("top_flows"))
        {
            ipv6 += f.get("orig_h").asText().contains("2001:db8") ? 1 : 0;
        }
        assertEquals(ipv6, flows.size());
        assertTrue(ipv6 > 0 && ipv6 < json.get("top_flows").size());
        for (final String table : new String[] {"ports", "servers", "flows"})
        {
            for (final List<String> r : rows(filtered, table))
            {
                assertTrue(String.join(" ", r).contains("2001:db8"), table + " row " + r);
            }
        }
        assertEquals(0, rows(filtered, "ports").size(), "no port row names that address");
    }

    @Test
    void aFileNameThatIsMarkupShowsAsText(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path evil = tmp.resolve("<img src=x onerror=alert(1)>.pcap");
        Files.copy(Path.of("samples/three-tabs.pcap"), evil);
        final Path html = tmp.resolve("evil.html");
        assertEquals(0, Cli.run("read", evil.toString(), "--format", "html", "-o", html.toString()).exitCode);
        final String page = Files.readString(html);
        assertFalse(page.contains("<img"), "the name is not markup in the file");
        final String dom = dom(chromium, html, "");
        assertFalse(dom.contains("<img"), "nor in the document the browser built");
        assertTrue(dom.contains("&lt;img src=x onerror=alert(1)&gt;.pcap"), "the name shows as text");
        assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"));
    }

    @Test
    void theServicesTableFlagsAMismatchAndPayloadTextStaysText(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path pcap = tmp.resolve("services.pcap");
        final String host = "<img src=x onerror=alert(1)>";
        try (java.io.OutputStream out = Files.newOutputStream(pcap);
            flowdemux.synth.PcapWriter w = new flowdemux.synth.PcapWriter(out, 1, false))
        {
            final byte[] client = flowdemux.synth.PacketBuilder.ipv4("10.1.0.1");
            final long t0 = 1_700_000_000L * 1_000_000_000L;
            final flowdemux.synth.TcpConversation web = new flowdemux.synth.TcpConversation(w, 0, client, 30_000,
                flowdemux.synth.PacketBuilder.ipv4("10.2.0.41"), 22, 1000, 9000);
            web.handshake(t0, 1_000_000L);
            web.data(t0 + 5_000_000L, true, flowdemux.synth.Payloads.httpRequest("GET", host, "curl", 120));
            web.data(t0 + 6_000_000L, false, flowdemux.synth.Payloads.httpResponse(300));
            web.close(t0 + 9_000_000L, 1_000_000L);
            final flowdemux.synth.TcpConversation tls = new flowdemux.synth.TcpConversation(w, 0, client, 30_001,
                flowdemux.synth.PacketBuilder.ipv4("10.2.0.42"), 443, 1000, 9000);
            tls.handshake(t0 + 20_000_000L, 1_000_000L);
            tls.data(t0 + 25_000_000L, true, flowdemux.synth.Payloads.tlsClientHello("a.test", new String[0], 200));
            tls.data(t0 + 26_000_000L, false, flowdemux.synth.Payloads.tlsServerHello());
            tls.close(t0 + 29_000_000L, 1_000_000L);
        }
        final Path html = tmp.resolve("services.html");
        assertEquals(0, Cli.run("read", pcap.toString(), "--format", "html", "-o", html.toString()).exitCode);
        final String dom = dom(chromium, html, "");
        assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"), "script errors");
        final List<List<String>> services = rows(dom, "services");
        assertEquals(2, services.size(), services.toString());
        assertEquals(List.of("mismatch", "10.2.0.41", "22", "tcp", "http", "ssh"), services.get(0).subList(0, 6));
        assertEquals(List.of("match", "10.2.0.42", "443", "tcp", "ssl", "https"), services.get(1).subList(0, 6));
        assertTrue(dom.contains("1 server socket where payload and port disagree."), "summary");
        // The Host header the client sent is in a tooltip as text: no element was made of it.
        assertFalse(dom.contains("<img src=\"x\""), "no element from payload");
        assertTrue(rows(dom, "flows").stream().anyMatch(r -> r.contains("http")), "the flow's service shows");
    }

    @Test
    void aVxlanMirrorShowsItsTunnelsAndTheConnectionsInside(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path pcap = tmp.resolve("mirror.pcap");
        final Path html = tmp.resolve("mirror.html");
        assertEquals(0, Cli.run("generate", "--flows", "30", "--concurrency", "3", "--encap", "vxlan", "-o",
            pcap.toString(), "--summary", tmp.resolve("s.json").toString()).exitCode);
        assertEquals(0, Cli.run("read", pcap.toString(), "--format", "html", "-o", html.toString()).exitCode);
        final String dom = dom(chromium, html, "");
        assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"), "script errors");
        assertFalse(between(dom, "<div id=\"encapsulation-section\"", ">").contains("hidden"), "the section shows");
        assertTrue(dom.contains("Packets inside tunnels: vxlan "), "its summary");
        final List<List<String>> flows = rows(dom, "flows");
        assertTrue(flows.stream().anyMatch(r -> r.contains("vxlan 42")), "an inner connection names VNI 42: " + flows);
        assertTrue(flows.stream().anyMatch(r -> r.contains("vxlan") && r.contains("-")), "the tunnel's own flows too");
        // A capture without tunnels keeps the section hidden.
        final Path plain = tmp.resolve("plain.html");
        assertEquals(0, Cli.run("read", "samples/three-tabs.pcap", "--format", "html", "-o", plain.toString()).exitCode);
        assertTrue(between(dom(chromium, plain, ""), "<div id=\"encapsulation-section\"", ">").contains("hidden"));
    }

    @Test
    void tlsClientsAreGroupedByJa4WithTheServerNamesTheyAskedFor(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path capture = flowdemux.Corpus.root().resolve("ja4/tls-sni.pcapng");
        final Path html = tmp.resolve("tls.html");
        assertEquals(0, Cli.run("read", capture.toString(), "--format", "html", "-o", html.toString()).exitCode);
        final JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            Cli.run("read", capture.toString(), "--format", "json").out).path("tls_clients");
        final String dom = dom(chromium, html, "");
        assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"), "script errors");
        assertFalse(between(dom, "<div id=\"tls-section\"", ">").contains("hidden"), "the section shows");
        final List<List<String>> rows = rows(dom, "tls");
        assertEquals(json.path("fingerprints").size(), rows.size(), "a row per fingerprint");
        for (final JsonNode f : json.path("fingerprints"))
        {
            assertTrue(rows.stream().anyMatch(r -> r.get(0).equals(f.path("ja4").asText())
                && r.get(1).equals(f.path("connections").asText())
                && r.get(3).startsWith(f.path("server_names").get(0).path("name").asText())), f + " in " + rows);
        }
        final Path plain = tmp.resolve("plain.html");
        assertEquals(0, Cli.run("read", flowdemux.Corpus.root().resolve("zeek/communityid-udp.pcap").toString(),
            "--format", "html", "-o", plain.toString()).exitCode);
        assertTrue(between(dom(chromium, plain, ""), "<div id=\"tls-section\"", ">").contains("hidden"),
            "no TLS client, no section");
    }

    @Test
    void aCaptureOnItsOwnHostShowsItsProgramsAndSockets(@TempDir final Path tmp) throws Exception
    {
        final String chromium = Tools.require("chromium", "chromium");
        final Path html = tmp.resolve("host.html");
        assertEquals(0, Cli.run("read", JsonReportTest.hostCapture(tmp).toString(), "--format", "html", "-o",
            html.toString()).exitCode);
        final String dom = dom(chromium, html, "");
        assertEquals("", between(dom, "<pre id=\"errors\">", "</pre>"), "script errors");
        assertFalse(between(dom, "<div id=\"processes-section\"", ">").contains("hidden"), "the section shows");
        final List<List<String>> programs = rows(dom, "processes");
        assertTrue(programs.stream().anyMatch(r -> r.get(0).equals("dnsd") && r.get(1).equals("300")), programs.toString());
        assertTrue(programs.stream().anyMatch(r -> r.get(0).equals("dig") && r.get(2).equals("alice")), programs.toString());
        assertTrue(dom.contains("1 no access") && dom.contains("1 ended before lookup"), "the unnamed, by why");
        final List<List<String>> idle = rows(dom, "idle");
        assertTrue(idle.stream().anyMatch(r -> r.get(1).equals("2222") && r.get(4).equals("dnsd[300]")), idle.toString());
        assertTrue(rows(dom, "servers").stream().anyMatch(r -> r.contains("listening: dnsd[300]")), "on this host");
        assertTrue(rows(dom, "flows").stream().anyMatch(r -> r.contains("dig[400] \u2192 dnsd[300]")), "each flow's programs");
        final Path plain = tmp.resolve("plain.html");
        assertEquals(0, Cli.run("read", "samples/three-tabs.pcap", "--format", "html", "-o", plain.toString()).exitCode);
        assertTrue(between(dom(chromium, plain, ""), "<div id=\"processes-section\"", ">").contains("hidden"),
            "a capture from elsewhere: no section");
    }

    /** The document after the page's scripts ran (and five seconds of virtual time). */
    private static String dom(final String chromium, final Path html, final String hash) throws Exception
    {
        final Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--window-size=1280,2000", "--virtual-time-budget=5000", "--dump-dom", html.toUri() + hash)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(dom.contains("</html>"), "chromium printed the document");
        return dom;
    }

    private static JsonNode capture(final JsonNode json)
    {
        return json.get("capture");
    }

    private static int count(final String text, final String what)
    {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1))
        {
            n++;
        }
        return n;
    }

    private static String fact(final String dom, final String name)
    {
        final Matcher m = Pattern.compile("data-fact=\"" + name + "\"><span>[^<]*</span><b>([^<]*)</b>").matcher(dom);
        assertTrue(m.find(), "fact " + name);
        return m.group(1);
    }

    /** The cells of each body row of a table, as text. */
    private static List<List<String>> rows(final String dom, final String table)
    {
        final String body = between(dom, "<table id=\"" + table + "\">", "</table>");
        final List<List<String>> rows = new ArrayList<>();
        final Matcher row = Pattern.compile("<tr(?: data-uid=\"[^\"]*\")?>(.*?)</tr>", Pattern.DOTALL).matcher(between(body, "<tbody>", "</tbody>"));
        while (row.find())
        {
            final List<String> cells = new ArrayList<>();
            final Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group(1));
            while (cell.find())
            {
                cells.add(cell.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
            }
            rows.add(cells);
        }
        return rows;
    }

    private static String between(final String text, final String from, final String to)
    {
        final int a = text.indexOf(from);
        if (a < 0)
        {
            return "";
        }
        final int b = text.indexOf(to, a + from.length());
        return b < 0 ? "" : text.substring(a + from.length(), b);
    }
}
