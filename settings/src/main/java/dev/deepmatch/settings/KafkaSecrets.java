package dev.deepmatch.settings;

import java.util.List;
import java.util.Map;

/**
 * The one rule for Kafka credentials on a command line: program arguments show in {@code ps}, the
 * Flink REST API and job manifests, so a credential may only be a reference to a Kafka config
 * provider ({@code ${file:/path:key}}, {@code ${env:NAME}}), resolved by the clients where they
 * run. Every command that passes {@code --kafka.*} through to a client checks it.
 */
public final class KafkaSecrets {

    /** Kafka client properties that hold a credential. */
    public static final List<String> PROPERTIES =
            List.of(
                    "sasl.jaas.config",
                    "ssl.key.password",
                    "ssl.keystore.password",
                    "ssl.truststore.password",
                    "ssl.keystore.key",
                    "sasl.oauthbearer.client.credentials.client.secret");

    private KafkaSecrets() {}

    /**
     * Refuses a credential given as itself.
     *
     * @param prefix how the properties are spelled on the command line, e.g. {@code kafka.}
     * @param properties the passed-through properties, without the prefix
     * @throws SettingException naming the first property that holds a literal secret
     */
    public static void check(String prefix, Map<String, String> properties) {
        for (String name : PROPERTIES) {
            String value = properties.get(name);
            if (value != null && !isReference(value)) {
                throw new SettingException(
                        prefix + name,
                        "--"
                                + prefix
                                + name
                                + " must be a reference to a Kafka config provider such as"
                                + " '${file:/etc/kafka/credentials.properties:jaas}' or"
                                + " '${env:KAFKA_JAAS}' (with --"
                                + prefix
                                + "config.providers), not the secret itself: program arguments"
                                + " show in ps, the Flink REST API and job manifests");
            }
        }
    }

    /** A whole value of the form {@code ${provider:...}}. */
    static boolean isReference(String value) {
        return value.strip().matches("\\$\\{[^}]+\\}");
    }
}
