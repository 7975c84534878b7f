package dev.deepmatch.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The checks a helper runs on its Kafka settings before it makes a client, each failing with an
 * {@link IllegalArgumentException} whose message names the setting: no stack trace from deep in
 * Kafka's client for a mistake in a service's configuration.
 */
final class ClientSettings {
    private ClientSettings() {}

    /**
     * The helper's defaults, then the caller's settings, then what the helper fixes, checked.
     *
     * @param kind "producer" or "consumer", as the messages say it
     * @param definition Kafka's own definition of the client's settings (names, types, ranges)
     * @param defaults settings the caller may override
     * @param given the caller's settings
     * @param fixed settings the helper sets (name to value to why): the caller may only repeat them
     */
    static Properties merge(
            String kind,
            ConfigDef definition,
            Map<String, String> defaults,
            Map<String, String> given,
            Map<String, Fixed> fixed) {
        for (Map.Entry<String, String> e : given.entrySet()) {
            String name = e.getKey();
            if (!definition.names().contains(name)) {
                throw new IllegalArgumentException(
                        "'" + name + "' is not a Kafka " + kind + " setting");
            }
            Fixed f = fixed.get(name);
            if (f != null && !f.value().equals(e.getValue())) {
                throw new IllegalArgumentException(
                        "'"
                                + name
                                + "' is "
                                + f.value()
                                + ", set by the helper ("
                                + f.why()
                                + "), not "
                                + e.getValue());
            }
        }
        String servers = given.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException(
                    "'"
                            + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
                            + "' is not set: the brokers as host:port[,host:port...]");
        }
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        merged.putAll(given);
        fixed.forEach((name, f) -> merged.put(name, f.value()));
        try {
            definition.parse(merged);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(
                    "invalid Kafka " + kind + " setting: " + e.getMessage(), e);
        }
        Properties props = new Properties();
        props.putAll(merged);
        return props;
    }

    /**
     * The Kafka client {@code make} makes, or an {@link IllegalArgumentException} with Kafka's
     * message when its settings contradict each other (Kafka checks those only then).
     */
    static <C> C create(String kind, Supplier<C> make) {
        try {
            return make.get();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(
                    "invalid Kafka " + kind + " settings: " + e.getMessage(), e);
        }
    }

    /** Strings of a {@link Properties} or any map, names and values as given. */
    static Map<String, String> strings(Map<?, ?> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }

    static String topic(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the topic is blank: give the topic's name");
        }
        return topic;
    }

    /** A setting the helper owns, and why. */
    record Fixed(String value, String why) {}
}
