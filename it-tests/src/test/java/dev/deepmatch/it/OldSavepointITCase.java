package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import dev.deepmatch.tools.savepoint.SavepointUpgradeMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint of the single-trainer release (test resource {@code
 * savepoints/release-0.2-one-trainer}), upgraded by {@code bin/learner upgrade-savepoint}, restores
 * at two trainers: both hold the released model (its catalogue and version) and go on learning new
 * plays together.
 */
class OldSavepointITCase {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int NEW_PLAYS = 2_500;

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, "old");
        Configuration conf = new Configuration();
        cluster = Jobs.miniCluster(1, 4, conf);
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aSingleTrainerSavepointRestoresAtTwoTrainersOnceUpgraded(@TempDir Path dir)
            throws Exception {
        Path released = dir.resolve("released");
        Files.createDirectories(released);
        try (var in =
                getClass().getResourceAsStream("/savepoints/release-0.2-one-trainer/_metadata")) {
            Files.copy(in, released.resolve("_metadata"));
        }
        Path upgraded = dir.resolve("upgraded");
        assertThat(
                        SavepointUpgradeMain.run(
                                new String[] {
                                    "--savepoint", released.toString(), "--to", upgraded.toString()
                                }))
                .isZero();

        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), "old", dir.resolve("cp"));
        s.put("transactional-id-prefix", "old-release");
        s.put("trainer-parallelism", "2");
        JobID job = cluster.submitJob(Jobs.define(s, upgraded).getStreamGraph()).get().getJobID();
        RestMetrics metrics =
                new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());
        Map<String, Double> restored =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of("catalogueSize", "modelVersion", "examplesIn"),
                        v -> v.get("catalogueSize") > 0,
                        WAIT);
        double[] catalogue = Jobs.range(metrics, "catalogueSize");
        assertThat(catalogue[0])
                .as("both trainers hold the released catalogue")
                .isEqualTo(catalogue[1]);
        double releasedVersion = restored.get("modelVersion");
        assertThat(releasedVersion).as("the released model's version").isPositive();
        double examplesBefore = restored.get("examplesIn");

        produce();
        Map<String, Double> after =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of("examplesIn", "pendingExamples", "modelVersion"),
                        v -> {
                            double[] counted = Jobs.range(metrics, "examplesCounted");
                            return v.get("examplesIn") > examplesBefore
                                    && v.get("pendingExamples") == 0
                                    && counted != null
                                    && counted[0] == counted[1]
                                    && counted[0] == v.get("examplesIn");
                        },
                        WAIT);
        assertThat(after.get("modelVersion")).isGreaterThan(releasedVersion);
        System.out.printf(
                "old savepoint: catalogue %.0f at version %.0f restored at 2 trainers; %.0f"
                        + " examples later version %.0f, counts %s%n",
                catalogue[0],
                releasedVersion,
                after.get("examplesIn"),
                after.get("modelVersion"),
                java.util.Arrays.toString(Jobs.range(metrics, "examplesCounted")));
        cluster.cancelJob(job).get();
    }

    private void produce() throws Exception {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(43).users(100).tracks(150).build());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < NEW_PLAYS; i++) {
                PlaybackEvent e = generator.next();
                producer.send(
                        new ProducerRecord<>(
                                "old-events",
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                WireCodec.PLAYBACK_EVENT.encode(e)));
            }
            producer.flush();
        }
    }
}
