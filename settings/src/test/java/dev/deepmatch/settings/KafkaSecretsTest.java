package dev.deepmatch.settings;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecretsTest {

    @Test
    void aLiteralCredentialIsRefusedByNameWithoutEchoingIt() {
        assertThatThrownBy(
                        () ->
                                KafkaSecrets.check(
                                        "kafka.",
                                        Map.of(
                                                "sasl.jaas.config",
                                                "ScramLoginModule required username=\"u\""
                                                        + " password=\"hunter2\";")))
                .isInstanceOf(SettingException.class)
                .hasMessageStartingWith(
                        "--kafka.sasl.jaas.config must be a reference to a Kafka config provider")
                .hasMessageNotContaining("hunter2")
                .extracting(e -> ((SettingException) e).setting())
                .isEqualTo("kafka.sasl.jaas.config");
        for (String name : KafkaSecrets.PROPERTIES) {
            assertThatThrownBy(() -> KafkaSecrets.check("kafka.", Map.of(name, "changeit")))
                    .hasMessageStartingWith("--kafka." + name + " must be a reference");
        }
    }

    @Test
    void providerReferencesAndOtherPropertiesPass() {
        assertThatCode(
                        () ->
                                KafkaSecrets.check(
                                        "kafka.",
                                        Map.of(
                                                "sasl.jaas.config",
                                                "${file:/etc/kafka/creds.properties:jaas}",
                                                "ssl.truststore.password",
                                                " ${env:TRUSTSTORE_PASSWORD} ",
                                                "security.protocol",
                                                "SASL_SSL")))
                .doesNotThrowAnyException();
        // A reference with more around it would still put the rest on the command line.
        assertThatThrownBy(
                        () ->
                                KafkaSecrets.check(
                                        "kafka.",
                                        Map.of("ssl.key.password", "x${env:KEY_PASSWORD}")))
                .isInstanceOf(SettingException.class);
    }
}
