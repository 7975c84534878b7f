package dev.deepmatch.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.model.math.Precision;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class JobConfigTest {

    @Test
    void defaultsMatchTheDocs() {
        JobConfig c = JobConfig.fromArgs(new String[0]);
        assertThat(c.eventsTopic()).isEqualTo("playback-events");
        assertThat(c.deadLetterTopic()).isEqualTo("playback-events-dlq");
        assertThat(c.vectorsTopic()).isEqualTo("item-vectors");
        assertThat(c.stateTtl()).isEqualTo(Duration.ofDays(30));
        assertThat(c.emissionInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.windowLength()).isEqualTo(50);
        assertThat(c.modelConfig().maxLen()).isEqualTo(50);
        assertThat(c.modelConfig().precision()).isEqualTo(Precision.FLOAT);
        assertThat(c.trainingEnabled()).isTrue();
    }

    @Test
    void argumentsOverrideFlinkConfigurationWhichOverridesDefaults() {
        Configuration flink = new Configuration();
        flink.setString("deepmatch.window-length", "20");
        flink.setString("deepmatch.batch-size", "64");
        JobConfig c =
                JobConfig.fromArgs(
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
                            "hunter2",
                            "--flink.restart-strategy.type",
                            "fixed-delay"
                        },
                        flink);
        assertThat(c.windowLength()).isEqualTo(20);
        assertThat(c.modelConfig().maxLen()).isEqualTo(20);
        assertThat(c.batchSize()).isEqualTo(32);
        assertThat(c.stateTtl()).isEqualTo(Duration.ofDays(2));
        assertThat(c.modelConfig().hidden()).isEqualTo(32);
        assertThat(c.modelConfig().precision()).isEqualTo(Precision.DOUBLE);
        assertThat(c.trainingEnabled()).isFalse();
        assertThat(c.kafkaProperties())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.key.password", "hunter2");
        assertThat(c.flinkOverrides()).containsEntry("restart-strategy.type", "fixed-delay");
        assertThat(c.toDisplayMap())
                .containsEntry("batch-size", "32")
                .containsEntry("kafka.ssl.key.password", "******");
    }

    @Test
    void badValuesNameTheSettingAndRange() {
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--window-length", "0"}))
                .hasMessageContaining("--window-length")
                .hasMessageContaining("[1, 1000]");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--state-ttl", "forever"}))
                .hasMessageContaining("--state-ttl")
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--hidden", "31"}))
                .hasMessageContaining("hidden");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--precision", "half"}))
                .hasMessageContaining("--precision");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--windw-length", "3"}))
                .hasMessageContaining("unknown setting --windw-length");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        new String[] {
                                            "--checkpoint-interval", "20 min",
                                            "--transaction-timeout", "10 min"
                                        }))
                .hasMessageContaining("--transaction-timeout");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--starting-offsets", "now"}))
                .hasMessageContaining("committed, earliest, latest");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        new String[] {"--batch-size", "32", "--batch-size=64"}))
                .hasMessageContaining("--batch-size is given twice");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"batch-size", "32"}))
                .hasMessageContaining("unexpected argument 'batch-size'");
    }

    @Test
    void aBareSettingMeansTrue() {
        JobConfig c = JobConfig.fromArgs(new String[] {"--training-enabled", "--batch-size", "16"});
        assertThat(c.trainingEnabled()).isTrue();
        assertThat(c.batchSize()).isEqualTo(16);
        assertThat(
                        JobConfig.fromArgs(new String[] {"--full-refresh-on-start"})
                                .fullRefreshOnStart())
                .isTrue();
    }
}
