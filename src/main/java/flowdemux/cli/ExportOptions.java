package flowdemux.cli;

import flowdemux.export.IpfixExporter;
import flowdemux.export.IpfixTarget;
import flowdemux.export.KafkaExporter;
import flowdemux.export.KafkaTarget;
import flowdemux.report.AnalysisResult;
import flowdemux.report.FlowStore;
import flowdemux.report.RecordLine;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * --ipfix and --kafka with their settings, for read and capture: connections also go to an IPFIX collector and to a
 * Kafka topic as they end.
 */
final class ExportOptions
{
    @Option(names = "--kafka", paramLabel = "BROKER:PORT[,...]/TOPIC",
        description = {"also send every connection to a Kafka topic as it ends, one message each: the --format jsonl "
            + "record, keyed by its Community ID (idempotent, acks=all, zstd)"})
    String kafka;

    @Option(names = "--kafka-format", defaultValue = "json", paramLabel = "json|zeek",
        description = {"json (default): the JSON-lines record; zeek: the zeek-kafka plugin's {\"conn\": {...}} with "
            + "Zeek's field names"})
    String kafkaFormat;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
        description = {"a Kafka producer setting (TLS, SASL, batching, ...); repeatable, over --kafka-config; values "
            + "are never printed"})
    List<String> kafkaProperties = new ArrayList<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
        description = "Kafka producer settings from a properties file (as Kafka's own tools take)")
    Path kafkaConfig;

    /** The producer settings of --kafka-config and --kafka-property, read by validate. */
    private Map<String, String> kafkaSettings = Map.of();

    @Option(names = "--ipfix", paramLabel = "[tcp://]HOST:PORT",
        description = {"also export every connection to an IPFIX collector as it ends (UDP; tcp:// for TCP; IPv6 as "
            + "[ADDRESS]:PORT; port 4739 when none is given)"})
    String target;

    @Option(names = "--ipfix-domain", defaultValue = "1", paramLabel = "N",
        description = "IPFIX observation domain id (default 1)")
    long domain;

    @Option(names = "--ipfix-mtu", defaultValue = "1400", paramLabel = "BYTES",
        description = "largest IPFIX message (default 1400, under a path MTU of 1500 with IP and UDP headers)")
    int mtu;

    @Option(names = "--ipfix-pen", defaultValue = "32473", paramLabel = "N",
        description = {"Private Enterprise Number of flowdemux's own elements (conn_state, history, ...); the "
            + "default 32473 is RFC 5612's number for examples, a placeholder"})
    long pen;

    @Option(names = "--ipfix-template-messages", defaultValue = "20", paramLabel = "N",
        description = "over UDP, send the templates again every N messages (default 20)")
    int templateMessages;

    @Option(names = "--ipfix-template-seconds", defaultValue = "30", paramLabel = "S",
        description = "over UDP, send the templates again every S seconds (default 30)")
    double templateSeconds;

    @Option(names = "--ipfix-rate", defaultValue = "0", paramLabel = "N", converter = CountConverter.class,
        description = "send at most N records a second (default 0: as fast as they come); records beyond what the "
            + "queue holds are dropped and counted")
    long rate;

    void validate(final CommandLine cl)
    {
        validateKafka(cl);
        if (target == null)
        {
            return;
        }
        try
        {
            IpfixTarget.parse(target);
        }
        catch (IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (domain < 0 || domain > 0xffffffffL)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-domain must be 0 to 4294967295, not " + domain);
        }
        if (mtu < IpfixExporter.MINIMUM_MTU || mtu > 65_000)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-mtu must be " + IpfixExporter.MINIMUM_MTU
                + " (the templates and a record) to 65000, not " + mtu);
        }
        if (pen < 1 || pen > 0xffffffffL)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-pen must be 1 to 4294967295, not " + pen);
        }
        if (templateMessages < 1)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-template-messages must be at least 1, not "
                + templateMessages);
        }
        if (rate < 0)
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-rate must be 0 or more, not " + rate);
        }
        if (!(templateSeconds > 0))
        {
            throw new CommandLine.ParameterException(cl, "--ipfix-template-seconds must be above 0, not "
                + templateSeconds);
        }
    }

    private void validateKafka(final CommandLine cl)
    {
        if (kafka == null)
        {
            if (kafkaConfig != null || !kafkaProperties.isEmpty())
            {
                throw new CommandLine.ParameterException(cl, "--kafka-property and --kafka-config go with --kafka");
            }
            return;
        }
        try
        {
            KafkaTarget.parse(kafka);
        }
        catch (IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (!"json".equals(kafkaFormat) && !"zeek".equals(kafkaFormat))
        {
            throw new CommandLine.ParameterException(cl, "--kafka-format must be json or zeek, not '" + kafkaFormat
                + "'");
        }
        final Map<String, String> settings = new LinkedHashMap<>();
        if (kafkaConfig != null)
        {
            final Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8))
            {
                file.load(in);
            }
            catch (IOException e)
            {
                throw new CommandLine.ParameterException(cl, "--kafka-config: cannot read " + kafkaConfig + ": "
                    + flowdemux.util.IoErrors.reason(e));
            }
            catch (IllegalArgumentException e)
            {
                throw new CommandLine.ParameterException(cl, "--kafka-config: " + kafkaConfig
                    + " is not a properties file (a malformed \\u escape)");
            }
            for (final String name : file.stringPropertyNames())
            {
                settings.put(name, file.getProperty(name));
            }
        }
        for (final String kv : kafkaProperties)
        {
            final int eq = kv.indexOf('=');
            if (eq <= 0)
            {
                throw new CommandLine.ParameterException(cl, "--kafka-property takes KEY=VALUE, not '"
                    + (eq < 0 ? kv : kv.substring(0, eq) + "=...") + "'");
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        for (final String name : settings.keySet())
        {
            if (!KafkaExporter.knownSetting(name))
            {
                throw new CommandLine.ParameterException(cl, "'" + name + "' is not a Kafka producer setting");
            }
            if (name.equals("bootstrap.servers") || name.endsWith(".serializer"))
            {
                throw new CommandLine.ParameterException(cl, "'" + name + "' is set by flowdemux (the brokers come "
                    + "from --kafka; messages are bytes)");
            }
        }
        kafkaSettings = settings;
    }

    /** The exporters of one run, either of them null when not asked for. */
    record Exporters(IpfixExporter ipfix, KafkaExporter kafka)
    {
        /** Closes exporters that sent nothing (the run could not start). */
        void close()
        {
            ExportOptions.close(ipfix);
            if (kafka != null)
            {
                kafka.close();
            }
        }
    }

    /** What the exporters did, for the report and the exit code. */
    record Exported(AnalysisResult.Export ipfix, AnalysisResult.KafkaExport kafka)
    {
        void into(final AnalysisResult result)
        {
            result.export = ipfix;
            result.kafka = kafka;
        }

        /** Whether every record reached the collector's socket and every Kafka message was acknowledged. */
        boolean complete()
        {
            return ExportOptions.complete(ipfix) && (kafka == null || kafka.complete());
        }
    }

    /**
     * Opens what --ipfix and --kafka ask for and feeds them every store's connections.
     *
     * @param kafkaLine    the message value of each connection (see {@link ReportOptions#kafkaLine})
     * @param waitWhenFull a file read waits for the Kafka producer; a capture never does (it drops and counts)
     * @throws IOException with the line for the user when a collector or the brokers cannot be reached
     */
    Exporters open(final List<FlowStore> stores, final RecordLine kafkaLine, final boolean waitWhenFull)
        throws IOException
    {
        final IpfixExporter ipfix = open(stores);
        if (kafka == null)
        {
            return new Exporters(ipfix, null);
        }
        final KafkaExporter producer;
        try
        {
            // The JSON records carry no version of their own: each message says it in a header.
            final Map<String, String> headers = "json".equals(kafkaFormat)
                ? Map.of("schema_version", String.valueOf(flowdemux.report.JsonReport.SCHEMA_VERSION)) : Map.of();
            producer = KafkaExporter.open(KafkaTarget.parse(kafka), kafkaSettings, kafkaFormat, headers, waitWhenFull);
        }
        catch (IOException e)
        {
            close(ipfix);
            throw e;
        }
        for (final FlowStore store : stores)
        {
            store.read(producer.feed(kafkaLine::append));
        }
        return new Exporters(ipfix, producer);
    }

    /** Sends what is left, closes, and says what happened on standard error. */
    static Exported finish(final Exporters exporters, final PrintWriter err)
    {
        final AnalysisResult.Export ipfix = finish(exporters.ipfix(), err);
        final KafkaExporter k = exporters.kafka();
        if (k == null)
        {
            return new Exported(ipfix, null);
        }
        k.close();
        final AnalysisResult.KafkaExport kafka = new AnalysisResult.KafkaExport(k.target().toString(), k.format(),
            k.sent(), k.acknowledged(), k.failed(), k.dropped(), k.failure());
        err.println("flowdemux: Kafka to " + kafka.describe());
        return new Exported(ipfix, kafka);
    }

    /**
     * Opens the exporter and feeds it every store's connections; null without --ipfix.
     *
     * @throws IOException with the line for the user when the collector cannot be resolved or reached
     */
    private IpfixExporter open(final List<FlowStore> stores) throws IOException
    {
        if (target == null)
        {
            return null;
        }
        final IpfixExporter exporter = IpfixExporter.open(IpfixTarget.parse(target), (int)domain, mtu, (int)pen,
            templateMessages, templateSeconds, rate);
        for (final FlowStore store : stores)
        {
            store.listen(exporter);
        }
        return exporter;
    }

    /** Closes an exporter that sent nothing (the run could not start). */
    private static void close(final IpfixExporter exporter)
    {
        if (exporter != null)
        {
            exporter.close();
        }
    }

    /** Sends what is left, closes, and says what happened on standard error; null without --ipfix. */
    private static AnalysisResult.Export finish(final IpfixExporter exporter, final PrintWriter err)
    {
        if (exporter == null)
        {
            return null;
        }
        exporter.close();
        final AnalysisResult.Export export = new AnalysisResult.Export(exporter.target().toString(), exporter.sent(),
            exporter.messages(), exporter.dropped(), exporter.failure());
        err.println("flowdemux: IPFIX to " + export.describe());
        return export;
    }

    /** Whether every record reached the collector's socket. */
    private static boolean complete(final AnalysisResult.Export export)
    {
        return export == null || (export.dropped() == 0 && export.failure() == null);
    }
}
