package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trainers learn, the job stops with a savepoint, and the savepoint restores at one and at
 * three trainers (a MiniCluster of 2 TaskManagers x 2 slots, real broker): each restored job
 * reaches the same model, i.e. the same vector for every item in its full refresh (to float32
 * rounding of the deltas) as the two trainers' last full refresh before the stop, at a newer
 * version, and its trainers agree that they hold every example exactly once.
 */
class TrainerRescaleITCase {

    private static final String PREFIX = "rs";
    private static final int EVENTS = 4_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
        Configuration conf = new Configuration();
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
    void aSavepointOfTwoTrainersRestoresAtOneAndAtThree(
            @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
        JobID first = submit(checkpoints, 2, null);
        produce();
        double examples = awaitQuiet(first, -1);
        int before = kafka.readCommitted(PREFIX + "-vectors").size();
        List<ItemVector> beforeStop = records(0);
        Map<String, List<Float>> trained = lastFullRefresh(beforeStop, 2);
        long trainedVersion = newestRefresh(beforeStop);
        Path savepoint = Jobs.stopWithSavepoint(cluster, first, savepoints);
        assertThat(trained).isNotEmpty();

        int offset = Math.max(before, kafka.readCommitted(PREFIX + "-vectors").size());
        for (int trainers : new int[] {1, 3}) {
            JobID restored = submit(checkpoints, trainers, savepoint);
            assertThat(awaitQuiet(restored, examples))
                    .as("examples after a restore at %d trainers", trainers)
                    .isEqualTo(examples);
            List<ItemVector> afterRestore = records(offset);
            Map<String, List<Float>> again = lastFullRefresh(afterRestore, trainers);
            // two trainers' checkpoint: the restored model takes the next version
            assertThat(newestRefresh(afterRestore)).isGreaterThan(trainedVersion);
            assertThat(again.keySet())
                    .as("catalogue at %d trainers", trainers)
                    .isEqualTo(trained.keySet());
            again.forEach(
                    (item, vector) -> {
                        List<Float> old = trained.get(item);
                        for (int j = 0; j < vector.size(); j++) {
                            assertThat(vector.get(j))
                                    .as("%s[%d] at %d trainers", item, j, trainers)
                                    .isCloseTo(old.get(j), within(1e-4f));
                        }
                    });
            cluster.cancelJob(restored).get();
            offset = kafka.readCommitted(PREFIX + "-vectors").size();
            System.out.printf(
                    "rescale: 2 trainers -> %d: %d items, same vectors, %.0f examples%n",
                    trainers, again.size(), examples);
        }
    }

    private JobID submit(Path checkpoints, int trainers, Path savepoint) throws Exception {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), PREFIX, checkpoints);
        s.put("trainer-parallelism", String.valueOf(trainers));
        s.put("full-refresh-interval", "3 s");
        return cluster.submitJob(Jobs.define(s, savepoint).getStreamGraph()).get().getJobID();
    }

    /**
     * Waits until every play is in, every trainer counts the same examples (and {@code expected} if
     * given) and a full refresh followed; returns the examples.
     */
    private double awaitQuiet(JobID job, double expected) throws Exception {
        RestMetrics metrics = Jobs.metrics(cluster, job);
        Map<String, Double> m =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of("eventsIn", "examplesIn", "pendingExamples"),
                        v -> {
                            double[] counted = Jobs.range(metrics, "examplesCounted");
                            double[] version = Jobs.range(metrics, "modelVersion");
                            return v.get("eventsIn") >= EVENTS
                                    && v.get("pendingExamples") == 0
                                    && counted != null
                                    && counted[0] == counted[1]
                                    && (expected < 0
                                            ? counted[0] == v.get("examplesIn")
                                            : counted[0] == expected)
                                    && version != null
                                    && version[0] == version[1];
                        },
                        WAIT);
        Thread.sleep(4_000); // a full refresh of the quiet model
        return expected < 0 ? m.get("examplesIn") : expected;
    }

    private List<ItemVector> records(int from) throws InterruptedException {
        List<ItemVector> all =
                TopicReader.itemVectors(
                        TopicReader.readUntil(kafka, PREFIX + "-vectors", WAIT, l -> true));
        return all.subList(Math.min(from, all.size()), all.size());
    }

    private static long newestRefresh(List<ItemVector> vectors) {
        return vectors.stream()
                .filter(ItemVector::getFullRefresh)
                .mapToLong(ItemVector::getModelVersion)
                .max()
                .orElse(-1);
    }

    /** Item -> vector in the last full refresh at the newest version of full refreshes. */
    private static Map<String, List<Float>> lastFullRefresh(List<ItemVector> vectors, int parts) {
        long version = newestRefresh(vectors);
        Map<String, List<Float>> out = new HashMap<>();
        for (ItemVector v : vectors) {
            if (v.getFullRefresh() && v.getModelVersion() == version) {
                out.put(v.getItemId(), v.getVector());
            }
        }
        return out;
    }

    private void produce() throws Exception {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(31).users(200).tracks(300).build());
        try (KafkaProducer<byte[], byte[]> producer = Jobs.producer(kafka)) {
            for (int i = 0; i < EVENTS; i++) {
                Jobs.send(producer, PREFIX + "-events", generator.next());
            }
            producer.flush();
        }
    }
}
