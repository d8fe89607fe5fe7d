package flowdemux.export;

import java.util.List;

/** Where --kafka sends: the bootstrap brokers (HOST:PORT, IPv6 as [ADDRESS]:PORT) and the topic. */
public record KafkaTarget(List<String> bootstrap, String topic)
{
    /** Kafka's own limit on a topic name, and its characters. */
    private static final int MAX_TOPIC = 249;

    /**
     * Parses {@code BOOTSTRAP[,BOOTSTRAP...]/TOPIC}.
     *
     * @throws IllegalArgumentException with the line for the user
     */
    public static KafkaTarget parse(final String text)
    {
        final int slash = text.lastIndexOf('/');
        if (slash <= 0 || slash == text.length() - 1)
        {
            throw new IllegalArgumentException("--kafka takes BROKER:PORT[,BROKER:PORT...]/TOPIC, not '" + text + "'");
        }
        final String topic = text.substring(slash + 1);
        if (topic.length() > MAX_TOPIC || topic.equals(".") || topic.equals("..") || !topic.matches("[A-Za-z0-9._-]+"))
        {
            throw new IllegalArgumentException("--kafka: '" + topic + "' is not a Kafka topic name (letters, digits, "
                + "'.', '_' and '-', at most " + MAX_TOPIC + ")");
        }
        final List<String> brokers = List.of(text.substring(0, slash).split(",", -1));
        for (final String broker : brokers)
        {
            final int colon = broker.lastIndexOf(':');
            final String host = colon < 0 ? "" : broker.substring(0, colon);
            final String port = colon < 0 ? "" : broker.substring(colon + 1);
            if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65_535 || (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))))
            {
                throw new IllegalArgumentException("--kafka: '" + broker + "' is not a broker's HOST:PORT (IPv6 as "
                    + "[ADDRESS]:PORT)");
            }
        }
        return new KafkaTarget(brokers, topic);
    }

    /** Kafka's bootstrap.servers. */
    public String bootstrapServers()
    {
        return String.join(",", bootstrap);
    }

    @Override
    public String toString()
    {
        return bootstrapServers() + "/" + topic;
    }
}
