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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TaskManagers lost again and again while plays stream in (a MiniCluster of 2 TaskManagers x 2
 * slots; the restart strategy from the cluster's configuration, as in production). After the first
 * loss the job runs on one TaskManager, so each later loss takes every task with it: the source,
 * the window operator, the trainer and the vector sink's open transaction. Afterwards:
 *
 * <ul>
 *   <li>every play produced is counted exactly once by the window operator (accepted + late =
 *       produced, no duplicate dropped): the counters are part of the checkpoint, so a play
 *       replayed after a restore that had been counted before it would show as one too many, one
 *       lost as one too few;
 *   <li>on the vectors topic, read {@code read_committed}: model versions never go backwards in
 *       topic order (a restored model that started over, or vectors of an aborted attempt, would
 *       make them), and each (item, version) has one vector (an aborted attempt's vector next to
 *       the retrained one would give two);
 *   <li>a full refresh at the final version holds every catalogue item exactly once.
 * </ul>
 */
class RepeatedFailuresITCase {

    private static final String EVENTS = "rf-events";
    private static final String VECTORS = "rf-vectors";
    private static final int EVENTS_SENT = 9_000;
    private static final int RATE = 200;
    private static final int KILLS = 4;
    private static final Duration WAIT = Duration.ofSeconds(180);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, "rf");
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        cluster = Jobs.miniCluster(2, 2, conf);
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
    void nothingLostNothingDoubledThroughRepeatedTaskManagerLosses(@TempDir Path checkpoints)
            throws Exception {
        JobID job =
                cluster.submitJob(Jobs.define(settings(checkpoints), null).getStreamGraph())
                        .get()
                        .getJobID();
        RestMetrics metrics =
                new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());

        Set<String> items = new HashSet<>();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> produce(items, producerFailure), "rf-producer");
        producer.start();

        // Whenever the job has made progress since the last restore (two checkpoints), both
        // TaskManagers are lost and two new ones start: every task fails each time, the trainer
        // and the vector sink's open transaction included. (MiniCluster indexes its TaskManagers
        // in start order and never reuses an index.)
        List<String> log = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            long checkpoints0 = Math.max(0, completed(metrics));
            Jobs.await(
                    () -> completed(metrics) >= checkpoints0 + 2,
                    "two checkpoints before loss " + (kill + 1),
                    WAIT);
            double eventsBefore = metric(metrics, "eventsIn");
            cluster.terminateTaskManager(2 * kill).get();
            cluster.terminateTaskManager(2 * kill + 1).get();
            log.add("lost both TaskManagers at eventsIn=" + eventsBefore);
            cluster.startTaskManager();
            cluster.startTaskManager();
            int restartsSoFar = kill + 1;
            Jobs.await(
                    () -> Jobs.jobMetric(metrics, "numRestarts") >= restartsSoFar,
                    "restart " + restartsSoFar,
                    WAIT);
        }
        producer.join(WAIT.toMillis());
        assertThat(producerFailure.get()).isNull();

        Map<String, Double> m =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of(
                                "eventsIn",
                                "playsAccepted",
                                "latePlaysDropped",
                                "duplicatePlaysDropped",
                                "pendingExamples",
                                "modelVersion"),
                        v ->
                                v.get("eventsIn") >= EVENTS_SENT
                                        && v.get("playsAccepted") + v.get("latePlaysDropped")
                                                >= EVENTS_SENT
                                        && v.get("pendingExamples") == 0,
                        WAIT);
        double restarts = metrics.jobMetric("numRestarts");
        assertThat(restarts).as("restarts after %s", log).isEqualTo(KILLS);
        // what local prints when the job restarts: the newest failure, named
        String failure = metrics.latestFailure();
        assertThat(failure).as("newest failure").contains("The TaskExecutor is shutting down");
        assertThat(m.get("eventsIn")).as("plays read, counted once: %s", m).isEqualTo(EVENTS_SENT);
        assertThat(m.get("playsAccepted") + m.get("latePlaysDropped"))
                .as("plays in the windows: %s", m)
                .isEqualTo(EVENTS_SENT);
        assertThat(m.get("duplicatePlaysDropped")).as("plays seen twice by the windows").isZero();

        // the refresh at the end covers the whole catalogue at the final version
        double finalVersion = m.get("modelVersion");
        List<ItemVector> vectors =
                TopicReader.itemVectors(
                        TopicReader.readUntil(
                                kafka,
                                VECTORS,
                                WAIT,
                                l ->
                                        TopicReader.itemVectors(l).stream()
                                                .anyMatch(
                                                        v ->
                                                                v.getFullRefresh()
                                                                        && v.getModelVersion()
                                                                                == finalVersion)));
        long previous = -1;
        Map<String, List<Float>> byItemVersion = new HashMap<>();
        for (ItemVector v : vectors) {
            assertThat(v.getModelVersion())
                    .as("version after %s in topic order", previous)
                    .isGreaterThanOrEqualTo(previous);
            previous = v.getModelVersion();
            List<Float> before =
                    byItemVersion.putIfAbsent(
                            v.getItemId() + "@" + v.getModelVersion(), v.getVector());
            if (before != null) {
                assertThat(v.getVector())
                        .as("two vectors for %s at version %d", v.getItemId(), v.getModelVersion())
                        .isEqualTo(before);
            }
        }
        // the last refresh at that version (with training over, each interval repeats one)
        List<ItemVector> atFinal =
                vectors.stream()
                        .filter(v -> v.getFullRefresh() && v.getModelVersion() == finalVersion)
                        .toList();
        int size = atFinal.get(atFinal.size() - 1).getRefreshSize();
        List<ItemVector> refresh = atFinal.subList(atFinal.size() - size, atFinal.size());
        Set<String> refreshed = new HashSet<>();
        refresh.forEach(v -> refreshed.add(v.getItemId()));
        assertThat(refreshed).as("items twice in the refresh").hasSize(refresh.size());
        assertThat(refreshed).as("catalogue = items played").isEqualTo(items);
        System.out.printf(
                "repeated failures: %s; %.0f restarts (last: %s); %.0f plays counted once; %d vectors"
                        + " committed, versions up to %.0f; final refresh of %d items%n",
                log,
                restarts,
                failure,
                m.get("eventsIn"),
                vectors.size(),
                finalVersion,
                refresh.size());
        cluster.cancelJob(job).get();
    }

    private void produce(Set<String> items, AtomicReference<Throwable> failure) {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(17).users(300).tracks(700).build());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < EVENTS_SENT; i++) {
                PlaybackEvent e = generator.next();
                synchronized (items) {
                    items.add(e.getItemId());
                }
                producer.send(
                        new ProducerRecord<>(
                                EVENTS,
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                WireCodec.PLAYBACK_EVENT.encode(e)));
                long due = start + (long) (i * 1e9 / RATE);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static long completed(RestMetrics metrics) {
        try {
            return metrics.completedCheckpoints();
        } catch (IOException restarting) {
            return -1;
        }
    }

    private static double metric(RestMetrics metrics, String name) {
        try {
            return metrics.fetch(Set.of(name)).getOrDefault(name, Double.NaN);
        } catch (IOException restarting) {
            return Double.NaN;
        }
    }

    private Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), "rf", checkpoints);
        s.put("full-refresh-interval", "10 s");
        return s;
    }
}
