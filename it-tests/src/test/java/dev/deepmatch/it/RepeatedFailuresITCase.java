package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
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
        cluster = Jobs.miniCluster(2, 2, Jobs.restartingAfter(Duration.ofSeconds(1)));
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
        CompletableFuture<Integer> producer =
                Jobs.produce(
                        kafka,
                        EVENTS,
                        GeneratorConfig.builder().seed(17).users(300).tracks(700).build(),
                        RATE,
                        sent -> sent < EVENTS_SENT,
                        items);

        // Whenever the job has made progress since the last restore (two checkpoints), both
        // TaskManagers are lost and two new ones start: every task fails each time, the trainer
        // and the vector sink's open transaction included. (MiniCluster indexes its TaskManagers
        // in start order and never reuses an index.)
        List<String> log = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            long checkpoints0 = Math.max(0, Jobs.completed(metrics));
            Jobs.await(
                    () -> Jobs.completed(metrics) >= checkpoints0 + 2,
                    "two checkpoints before loss " + (kill + 1),
                    WAIT);
            double eventsBefore = Jobs.metric(metrics, "eventsIn");
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
        assertThat(producer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(EVENTS_SENT);

        Map<String, Double> m = Jobs.awaitAllPlaysIn(metrics, EVENTS_SENT, WAIT);
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
        // A poll can end inside a committed transaction: read until a whole refresh at the final
        // version is in (its first record says how many it has).
        List<ItemVector> vectors =
                TopicReader.itemVectors(
                        TopicReader.readUntil(
                                kafka,
                                VECTORS,
                                WAIT,
                                l -> {
                                    List<ItemVector> refreshes =
                                            refreshesAt(TopicReader.itemVectors(l), finalVersion);
                                    return !refreshes.isEmpty()
                                            && refreshes.size()
                                                    >= refreshes.get(0).getRefreshSize();
                                }));
        TopicReader.assertVersionsForwardOneValueEach(vectors);
        // the first refresh at that version (with training over, each interval repeats one)
        List<ItemVector> atFinal = refreshesAt(vectors, finalVersion);
        int size = atFinal.get(0).getRefreshSize();
        List<ItemVector> refresh = atFinal.subList(0, size);
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

    private static List<ItemVector> refreshesAt(List<ItemVector> vectors, double version) {
        return vectors.stream()
                .filter(v -> v.getFullRefresh() && v.getModelVersion() == version)
                .toList();
    }

    private Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), "rf", checkpoints);
        s.put("full-refresh-interval", "10 s");
        return s;
    }
}
