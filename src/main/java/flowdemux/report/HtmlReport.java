package flowdemux.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * One self-contained HTML page: the JSON report (the same numbers, not a second computation) in a
 * {@code <script type="application/json">} block, drawn in the browser with uPlot (about 50 KB, inlined from its
 * webjar: a small, maintained chart library with time axes, zoom and log scales; no network needed to open the file).
 */
public final class HtmlReport implements ReportFormat
{
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    /**
     * What the page lists, so that it stays quick on a million connections (127 MB of servers and clients uncapped):
     * the ports and servers with the most connections, and a server's first clients; the totals are said.
     */
    static final int MAX_PORTS = 2_000;
    static final int MAX_SERVERS = 1_000;
    static final int MAX_CLIENTS = 20;

    private final JsonReport json;

    HtmlReport(final JsonReport json)
    {
        this.json = json;
    }

    @Override
    public void write(final AnalysisResult result, final Writer out) throws IOException
    {
        final StringWriter data = new StringWriter();
        json.write(result, data);
        final String page = resource("flowdemux/report/report.html");
        final int css = page.indexOf("/*UPLOT_CSS*/");
        final int js = page.indexOf("/*UPLOT_JS*/");
        final int at = page.indexOf("/*DATA*/");
        out.write(page, 0, css);
        out.write(resource(UPLOT + "uPlot.min.css"));
        out.write(page, css + 13, js - css - 13);
        out.write(inScript(resource(UPLOT + "uPlot.iife.min.js")));
        out.write(page, js + 12, at - js - 12);
        // '<' only occurs inside JSON strings, where \u003c means the same: no "</script" or "<!--" can end or bend
        // the block, whatever a file name or a packet says.
        out.write(data.toString().replace("<", "\\u003c"));
        out.write(page, at + 8, page.length() - at - 8);
    }

    /**
     * Script text that cannot close its element. The licence comment keeps its notice but not its link: the page
     * names no URL at all, so that nothing in it can make a viewer reach the network.
     */
    private static String inScript(final String js)
    {
        return js.replace("</script", "<\\/script").replace("https://github.com/", "github.com/");
    }

    private static String resource(final String name)
    {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
