package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops during a run and comes back on the same log directory and port: the job recovers
 * by itself (restart strategy from the cluster's configuration), and every play of before and after
 * is counted once, with the vectors' versions going on.
 */
class BrokerRestartITCase {

    private static final String EVENTS = "br-events";
    private static final String VECTORS = "br-vectors";
    private static final int BEFORE = 2_000;
    private static final int AFTER = 2_000;
    private static final Duration DOWN = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(180);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(restarts())
                            .build());

    @Test
    void theJobRecoversByItselfAndLosesNothing(
            @InjectClusterRESTAddress URI rest, @TempDir Path dir) throws Exception {
        int port = freePort();
        Path logDir = dir.resolve("kafka");
        EmbeddedKafka kafka = EmbeddedKafka.builder().port(port).logDir(logDir).start();
        JobClient job = null;
        try {
            Jobs.createTopics(kafka, "br");
            ListenerGenerator generator =
                    new ListenerGenerator(
                            GeneratorConfig.builder().seed(5).users(200).tracks(400).build());
            send(kafka, generator, BEFORE);
            job = Jobs.submit(settings(kafka, dir), null);
            RestMetrics metrics = new RestMetrics(rest.toString(), job.getJobID().toString());
            Set<String> names = Set.of("eventsIn", "playsAccepted", "duplicatePlaysDropped");
            Jobs.awaitMetrics(metrics, names, v -> v.get("playsAccepted") >= BEFORE, WAIT);
            long checkpoints = metrics.completedCheckpoints();
            Jobs.await(() -> completed(metrics) >= checkpoints + 1, "a checkpoint before", WAIT);

            kafka.close();
            Thread.sleep(DOWN.toMillis());
            kafka = EmbeddedKafka.builder().port(port).logDir(logDir).start();
            send(kafka, generator, AFTER);

            // Both counters: right after a restart a subtask may not have reported its total yet.
            Map<String, Double> m =
                    Jobs.awaitMetrics(
                            metrics,
                            names,
                            v ->
                                    v.get("playsAccepted") >= BEFORE + AFTER
                                            && v.get("eventsIn") >= BEFORE + AFTER,
                            WAIT);
            double restarts = metrics.jobMetric("numRestarts");
            assertThat(m.get("eventsIn")).as("%s", m).isEqualTo(BEFORE + AFTER);
            assertThat(m.get("playsAccepted")).isEqualTo(BEFORE + AFTER);
            assertThat(m.get("duplicatePlaysDropped")).isZero();
            assertThat(metrics.jobState()).isEqualTo("RUNNING");

            EmbeddedKafka broker = kafka;
            List<ItemVector> vectors =
                    TopicReader.itemVectors(
                            TopicReader.readUntil(
                                    broker,
                                    VECTORS,
                                    WAIT,
                                    l -> !l.isEmpty() && l.size() > 0 && afterRestart(l)));
            long previous = -1;
            Map<String, List<Float>> byItemVersion = new HashMap<>();
            for (ItemVector v : vectors) {
                assertThat(v.getModelVersion()).isGreaterThanOrEqualTo(previous);
                previous = v.getModelVersion();
                List<Float> before =
                        byItemVersion.putIfAbsent(
                                v.getItemId() + "@" + v.getModelVersion(), v.getVector());
                if (before != null) {
                    assertThat(v.getVector()).isEqualTo(before);
                }
            }
            System.out.printf(
                    "broker restart: down %s; %.0f job restarts; %.0f plays counted once; %d"
                            + " vectors, versions up to %d%n",
                    DOWN, restarts, m.get("eventsIn"), vectors.size(), previous);
        } finally {
            if (job != null) {
                Jobs.cancel(job, WAIT);
            }
            kafka.close();
        }
    }

    /** Vectors emitted after the broker came back are committed. */
    private static boolean afterRestart(List<ConsumerRecord<byte[], byte[]>> records) {
        long now = System.currentTimeMillis();
        return TopicReader.itemVectors(records).stream()
                .anyMatch(v -> v.getEmittedAtMillis().toEpochMilli() > now - 5_000);
    }

    private static void send(EmbeddedKafka kafka, ListenerGenerator generator, int n)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                PlaybackEvent e = generator.next();
                producer.send(
                        new ProducerRecord<>(
                                EVENTS,
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                WireCodec.PLAYBACK_EVENT.encode(e)));
            }
            producer.flush();
        }
    }

    private static long completed(RestMetrics metrics) {
        try {
            return metrics.completedCheckpoints();
        } catch (IOException restarting) {
            return -1;
        }
    }

    private static Map<String, String> settings(EmbeddedKafka kafka, Path dir) {
        Map<String, String> s =
                Jobs.settings(kafka.bootstrapServers(), "br", dir.resolve("checkpoints"));
        return s;
    }

    private static Configuration restarts() {
        Configuration conf = Jobs.restartingAfter(Duration.ofSeconds(2));
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        return conf;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
