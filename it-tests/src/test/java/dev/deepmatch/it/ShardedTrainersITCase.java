package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.train.TrainerSettings;
import dev.deepmatch.model.ItemSharding;
import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trainers share one model through the exchange topic while trainer 1 fails again and again
 * mid-stream (an exception injected into its example input; a MiniCluster of 2 TaskManagers x 2
 * slots, restarts from the cluster's configuration). Afterwards:
 *
 * <ol>
 *   <li>every trainer's sampler counts add up to exactly the examples all trainers received ({@code
 *       examplesCounted} = sum of {@code examplesIn}, on each trainer). Each example adds 1 to its
 *       target's count once, on the trainer that learned it, and reaches the other replica only as
 *       a delta: a delta lost (or one skipped after a restore although the restored state lacked
 *       it) leaves a replica below the total, a delta applied twice (an own one taken back, one of
 *       an aborted attempt, or one the restored state already held) above it. The examples
 *       themselves are counted exactly once (window state and counters are in the checkpoint), so
 *       the total is what both must reach;
 *   <li>the last full refresh of each trainer holds exactly the items of the shards it owns, once
 *       each, and together the refreshes cover the catalogue (every item played);
 *   <li>per owner, versions on the vectors topic never go backwards in topic order: the model
 *       version continues from the checkpoint;
 *   <li>read {@code read_committed}, the exchange topic holds each delta part once and every delta
 *       complete, and the vectors topic one vector per (item, version): nothing of an aborted
 *       attempt is visible.
 * </ol>
 */
class ShardedTrainersITCase {

    private static final String PREFIX = "st";
    private static final int TRAINERS = 2;
    private static final int EVENTS_SENT = 12_000;
    private static final int RATE = 300;
    private static final int FAILURES = 3;
    private static final int FAIL_AFTER_EXAMPLES = 1_200;
    private static final Duration WAIT = Duration.ofSeconds(180);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    /** Trainer 1 fails at its {@value #FAIL_AFTER_EXAMPLES}th example of each early attempt. */
    static final class FailingTrainer extends TrainerOperator {
        private static final long serialVersionUID = 1L;
        private transient int seen;

        FailingTrainer(TrainerSettings settings) {
            super(settings);
        }

        @Override
        public void processElement1(StreamRecord<TrainingExample> element) throws Exception {
            var task = getRuntimeContext().getTaskInfo();
            if (task.getIndexOfThisSubtask() == 1
                    && task.getAttemptNumber() < FAILURES
                    && ++seen == FAIL_AFTER_EXAMPLES) {
                throw new IllegalStateException(
                        "injected failure of trainer 1, attempt " + task.getAttemptNumber());
            }
            super.processElement1(element);
        }
    }

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
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
    void trainersStayConsistentThroughRepeatedTrainerFailures(@TempDir Path checkpoints)
            throws Exception {
        JobID job =
                cluster.submitJob(
                                Jobs.define(
                                                settings(checkpoints),
                                                null,
                                                config ->
                                                        LearnerJob.Parts.kafka(config)
                                                                .withTrainer(
                                                                        new FailingTrainer(
                                                                                config
                                                                                        .trainerSettings())))
                                        .getStreamGraph())
                        .get()
                        .getJobID();
        RestMetrics metrics =
                new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());

        Set<String> items = new HashSet<>();
        assertThat(
                        Jobs.produce(
                                        kafka,
                                        PREFIX + "-events",
                                        GeneratorConfig.builder()
                                                .seed(23)
                                                .users(400)
                                                .tracks(900)
                                                .build(),
                                        RATE,
                                        sent -> sent < EVENTS_SENT,
                                        items)
                                .get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(EVENTS_SENT);

        // Training is over once every example is in and both replicas hold the same version.
        Map<String, Double> m =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of("eventsIn", "playsAccepted", "examplesIn", "pendingExamples"),
                        v -> {
                            double[] version = Jobs.range(metrics, "modelVersion");
                            double[] counted = Jobs.range(metrics, "examplesCounted");
                            return v.get("eventsIn") >= EVENTS_SENT
                                    && v.get("pendingExamples") == 0
                                    && version != null
                                    && version[0] == version[1]
                                    && counted != null
                                    && counted[0] == v.get("examplesIn")
                                    && counted[1] == v.get("examplesIn");
                        },
                        WAIT);
        double restarts = metrics.jobMetric("numRestarts");
        String failure = metrics.latestFailure();
        assertThat(restarts).as("restarts").isEqualTo(FAILURES);
        assertThat(failure).contains("injected failure of trainer 1");
        assertThat(m.get("eventsIn")).as("plays read, counted once").isEqualTo(EVENTS_SENT);
        double examples = m.get("examplesIn");
        double[] counted = Jobs.range(metrics, "examplesCounted");
        assertThat(counted)
                .as("sampler counts of each trainer")
                .containsExactly(examples, examples);
        double[] version = Jobs.range(metrics, "modelVersion");
        long finalVersion = (long) version[1];
        double[] owned = Jobs.range(metrics, "shardsOwned");
        assertThat(owned).containsExactly(64.0, 64.0);

        // (2) the last full refresh of each owner at the final version: its shards' items, once
        ItemSharding sharding = new ItemSharding(ModelSettings.ITEM_SHARDS.defaultValue());
        List<ItemVector> vectors =
                TopicReader.itemVectors(
                        TopicReader.readUntil(
                                kafka,
                                PREFIX + "-vectors",
                                WAIT,
                                l ->
                                        refreshed(
                                                                TopicReader.itemVectors(l),
                                                                finalVersion,
                                                                sharding)
                                                        .size()
                                                == TRAINERS));
        Map<Integer, Set<String>> refreshes = refreshed(vectors, finalVersion, sharding);
        assertThat(refreshes).as("a full refresh from each trainer").hasSize(TRAINERS);
        Set<String> all = new HashSet<>();
        refreshes.forEach(
                (owner, ids) -> {
                    assertThat(ids)
                            .as("trainer %d publishes only its own items", owner)
                            .allMatch(id -> sharding.ownerOfItem(id, TRAINERS) == owner);
                    assertThat(all).as("items in two refreshes").doesNotContainAnyElementsOf(ids);
                    all.addAll(ids);
                });
        assertThat(all).as("catalogue = items played").isEqualTo(items);

        // (3) per owner, versions never go backwards; (4) one vector per (item, version)
        long[] previous = new long[TRAINERS];
        Map<String, List<Float>> byItemVersion = new HashMap<>();
        for (ItemVector v : vectors) {
            int owner = sharding.ownerOfItem(v.getItemId(), TRAINERS);
            assertThat(v.getModelVersion())
                    .as("trainer %d's version after %d", owner, previous[owner])
                    .isGreaterThanOrEqualTo(previous[owner]);
            previous[owner] = v.getModelVersion();
            List<Float> before =
                    byItemVersion.putIfAbsent(
                            v.getItemId() + "@" + v.getModelVersion(), v.getVector());
            if (before != null) {
                assertThat(v.getVector())
                        .as("two vectors for %s at version %d", v.getItemId(), v.getModelVersion())
                        .isEqualTo(before);
            }
        }

        // (4) the exchange topic: each stream numbered without gaps, every delta but its last
        // complete; what rolled-back attempts sent beyond their checkpoint was seen and dropped
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(PREFIX + "-deltas");
        Map<String, Map<Long, Set<Integer>>> streams = new HashMap<>();
        Map<String, Integer> partsOf = new HashMap<>();
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ModelDelta d = WireCodec.MODEL_DELTA.decode(r.value());
            bytes += r.value().length;
            String stream = d.getLineage() + "/" + d.getAttempt() + "/" + d.getSender();
            streams.computeIfAbsent(stream, k -> new HashMap<>())
                    .computeIfAbsent(d.getSeq(), k -> new HashSet<>())
                    .add(d.getPart());
            partsOf.put(stream + "#" + d.getSeq(), d.getParts());
        }
        assertThat(streams.size())
                .as("streams of %d attempts x %d trainers", FAILURES + 1, TRAINERS)
                .isEqualTo((FAILURES + 1) * TRAINERS);
        streams.forEach(
                (stream, deltas) -> {
                    long last =
                            deltas.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
                    assertThat(deltas).as("seqs of %s", stream).hasSize((int) last + 1);
                    deltas.forEach(
                            (seq, got) -> {
                                if (seq < last) {
                                    assertThat(got)
                                            .as("parts of %s#%d", stream, seq)
                                            .hasSize(partsOf.get(stream + "#" + seq));
                                }
                            });
                });
        double discarded = metrics.fetch(Set.of("deltasDiscarded")).get("deltasDiscarded");
        assertThat(discarded).as("deltas of rolled-back attempts dropped").isPositive();
        System.out.printf(
                "sharded trainers: %.0f restarts (last: %s); %.0f examples, counted by each trainer"
                        + " %s; final version %d; refreshes %s; %d delta streams (%d bytes), %.0f"
                        + " delta parts dropped%n",
                restarts,
                failure,
                examples,
                java.util.Arrays.toString(counted),
                finalVersion,
                refreshes.entrySet().stream()
                        .map(e -> e.getKey() + ":" + e.getValue().size())
                        .toList(),
                streams.size(),
                bytes,
                discarded);
        cluster.cancelJob(job).get();
    }

    /**
     * Owner -> the items of its last full refresh at {@code version} (the last {@code refreshSize}
     * full-refresh vectors of its items at that version), for owners with a complete one.
     */
    private static Map<Integer, Set<String>> refreshed(
            List<ItemVector> vectors, long version, ItemSharding sharding) {
        Map<Integer, List<ItemVector>> byOwner = new HashMap<>();
        for (ItemVector v : vectors) {
            if (v.getFullRefresh() && v.getModelVersion() == version) {
                byOwner.computeIfAbsent(
                                sharding.ownerOfItem(v.getItemId(), TRAINERS),
                                k -> new ArrayList<>())
                        .add(v);
            }
        }
        Map<Integer, Set<String>> out = new HashMap<>();
        byOwner.forEach(
                (owner, list) -> {
                    int size = list.get(list.size() - 1).getRefreshSize();
                    if (list.size() >= size) {
                        Set<String> ids = new HashSet<>();
                        list.subList(list.size() - size, list.size())
                                .forEach(v -> ids.add(v.getItemId()));
                        assertThat(ids)
                                .as("items twice in trainer %d's refresh", owner)
                                .hasSize(size);
                        out.put(owner, ids);
                    }
                });
        return out;
    }

    private Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), PREFIX, checkpoints);
        s.put("trainer-parallelism", String.valueOf(TRAINERS));
        s.put("full-refresh-interval", "5 s");
        return s;
    }
}
