package dev.deepmatch.job;

import static dev.deepmatch.job.JobSettings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.model.math.Precision;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.settings.UsageException;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class JobConfigTest {

    @Test
    void defaultsAreTheDeclaredOnes() {
        JobConfig c = JobConfig.fromArgs();
        assertThat(c.get(EVENTS_TOPIC)).isEqualTo("playback-events");
        assertThat(c.get(DEAD_LETTER_TOPIC)).isEqualTo("playback-events-dlq");
        assertThat(c.get(VECTORS_TOPIC)).isEqualTo("item-vectors");
        assertThat(c.get(STATE_TTL)).isEqualTo(Duration.ofDays(30));
        assertThat(c.get(EMISSION_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.modelConfig().windowLength()).isEqualTo(50);
        assertThat(c.modelRuntime().precision()).isEqualTo(Precision.FLOAT);
        assertThat(c.get(TRAINING_ENABLED)).isTrue();
        assertThat(c.checkpointDir()).isNull();
    }

    @Test
    void argumentsOverrideFlinkConfigurationWhichOverridesDefaults() throws UsageException {
        Configuration flink = new Configuration();
        flink.setString("deepmatch.window-length", "20");
        flink.setString("deepmatch.batch-size", "64");
        JobConfig c =
                JobConfig.parse(
                        new String[] {
                            "--batch-size",
                            "32",
                            "--state-ttl=2 d",
                            "--hidden",
                            "32",
                            "--precision",
                            "double",
                            "--training-enabled",
                            "false",
                            "--kafka.security.protocol",
                            "SSL",
                            "--kafka.ssl.key.password",
                            "${env:SSL_KEY_PASSWORD}",
                            "--flink.restart-strategy.type",
                            "fixed-delay"
                        },
                        flink);
        assertThat(c.modelConfig().windowLength()).isEqualTo(20);
        assertThat(c.get(PrequentialSettings.BATCH_SIZE)).isEqualTo(32);
        assertThat(c.trainerSettings().batchSize()).isEqualTo(32);
        assertThat(c.get(STATE_TTL)).isEqualTo(Duration.ofDays(2));
        assertThat(c.modelConfig().hidden()).isEqualTo(32);
        assertThat(c.modelRuntime().precision()).isEqualTo(Precision.DOUBLE);
        assertThat(c.trainerSettings().trainingEnabled()).isFalse();
        assertThat(c.kafkaProperties())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.key.password", "${env:SSL_KEY_PASSWORD}");
        assertThat(c.flinkOverrides()).containsEntry("restart-strategy.type", "fixed-delay");
        assertThat(c.toDisplayMap())
                .containsEntry("batch-size", "32")
                .containsEntry("window-length", "20")
                .containsEntry("state-ttl", "2 d")
                .containsEntry("kafka.ssl.key.password", "******");
    }

    @Test
    void aConfigurationEntryThatIsNoSettingIsNamed() {
        Configuration flink = new Configuration();
        flink.setString("deepmatch.windw-length", "20");
        assertThatThrownBy(() -> JobConfig.parse(new String[0], flink))
                .hasMessage("unknown setting --windw-length; did you mean --window-length?");
    }

    @Test
    void badValuesNameTheSettingTheValueAndTheRange() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--window-length", "0"))
                .hasMessage("--window-length must be an integer in [1, 1000], got '0'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--state-ttl", "forever"))
                .hasMessage(
                        "--state-ttl must be a duration in [1 min, 3650 d] (written like '500 ms',"
                                + " '10 s', '5 min', '2 h', '30 d'), got 'forever'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--hidden", "31"))
                .hasMessage("--hidden (31) must be a multiple of --heads (2)");
        assertThatThrownBy(() -> JobConfig.fromArgs("--precision", "half"))
                .hasMessage("--precision must be one of double, float, got 'half'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--windw-length", "3"))
                .hasMessageStartingWith("unknown setting --windw-length");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        "--checkpoint-interval", "20 min",
                                        "--transaction-timeout", "10 min"))
                .hasMessage(
                        "--transaction-timeout must exceed --checkpoint-interval (20 min), got"
                                + " '10 min'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--full-refresh-interval", "1 s"))
                .hasMessage(
                        "--full-refresh-interval must be at least --emission-interval (10 s), got"
                                + " '1 s'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--parallelism", "8", "--max-parallelism", "4"))
                .hasMessage("--parallelism must be at most --max-parallelism (4), got '8'");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        "--dead-letter-max-bytes", "600000",
                                        "--kafka.max.request.size", "600000"))
                .hasMessageStartingWith(
                        "--dead-letter-max-bytes must leave room in the dead-letter producer's"
                                + " max.request.size (600000 bytes)");
        assertThatThrownBy(() -> JobConfig.fromArgs("--dead-letter-max-bytes", "1040000"))
                .as("against Kafka's default of 1 MiB")
                .hasMessageContaining("1048576 bytes");
        assertThat(
                        JobConfig.fromArgs(
                                        "--dead-letter-max-bytes", "1000000",
                                        "--kafka.max.request.size", "2097152")
                                .get(DEAD_LETTER_MAX_BYTES))
                .isEqualTo(1_000_000);
        assertThatThrownBy(() -> JobConfig.fromArgs("--starting-offsets", "now"))
                .hasMessage(
                        "--starting-offsets must be one of committed, earliest, latest, got 'now'");
        assertThatThrownBy(() -> JobConfig.fromArgs("--batch-size", "32", "--batch-size=64"))
                .hasMessage("--batch-size is given twice");
        assertThatThrownBy(() -> JobConfig.fromArgs("batch-size", "32"))
                .hasMessageStartingWith("unexpected argument 'batch-size'");
    }

    @Test
    void aBareBooleanSettingMeansTrue() {
        JobConfig c = JobConfig.fromArgs("--training-enabled", "--batch-size", "16");
        assertThat(c.get(TRAINING_ENABLED)).isTrue();
        assertThat(c.get(PrequentialSettings.BATCH_SIZE)).isEqualTo(16);
        assertThat(JobConfig.fromArgs("--full-refresh-on-start").get(FULL_REFRESH_ON_START))
                .isTrue();
    }

    @Test
    void theUsageListsEverySettingOnce() {
        String usage = JobConfig.COMMAND.usage();
        for (var s : JobConfig.declared()) {
            assertThat(usage).containsOnlyOnce("--" + s.name() + " ");
        }
        assertThat(usage).contains("--kafka.<name> V").contains("--flink.<name> V");
    }

    /** A credential as a program argument would show in ps and the REST API: refused. */
    @Test
    void aKafkaSecretMustBeAConfigProviderReference() throws Exception {
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        new String[] {
                                            "--kafka.sasl.jaas.config",
                                            "org.apache.kafka.common.security.scram.ScramLoginModule"
                                                    + " required username=\"u\" password=\"p\";"
                                        }))
                .hasMessageStartingWith(
                        "--kafka.sasl.jaas.config must be a reference to a Kafka"
                                + " config provider")
                .satisfies(
                        e ->
                                org.assertj.core.api.Assertions.assertThat(e.getMessage())
                                        .doesNotContain("password=\"p\""));
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        new String[] {
                                            "--kafka.ssl.truststore.password", "changeit"
                                        }))
                .hasMessageStartingWith("--kafka.ssl.truststore.password must be a reference");
        JobConfig ok =
                JobConfig.fromArgs(
                        new String[] {
                            "--kafka.sasl.jaas.config", "${file:/etc/kafka/creds.properties:jaas}",
                            "--kafka.ssl.truststore.password", "${env:TRUSTSTORE_PASSWORD}"
                        });
        org.assertj.core.api.Assertions.assertThat(ok.kafkaProperties())
                .containsEntry("sasl.jaas.config", "${file:/etc/kafka/creds.properties:jaas}");
    }
}
