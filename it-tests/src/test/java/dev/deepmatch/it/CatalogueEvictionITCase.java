package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.client.VectorUpdate;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue's eviction end to end, with two trainers: tracks played only ten minutes (event
 * time) before the newest plays, with {@code item-eviction-after} at one minute, leave the model,
 * and a {@code read_committed} reader of the vectors topic sees each of them removed by exactly one
 * tombstone (from its owner), after which the topic holds no vector of it; the tracks still played
 * stay.
 */
class CatalogueEvictionITCase {

    private static final String PREFIX = "ev";
    private static final int LISTENERS = 24;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
        cluster = Jobs.miniCluster(1, 2, new org.apache.flink.configuration.Configuration());
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
    void tracksUnplayedForTheEvictionTimeAreDeletedFromTheVectorsTopicOnce(
            @TempDir Path checkpoints) throws Exception {
        Map<String, String> settings = Jobs.settings(kafka.bootstrapServers(), PREFIX, checkpoints);
        settings.put("trainer-parallelism", "2");
        settings.put("item-eviction-after", "1 min");
        settings.put("batch-size", "8");
        JobID job =
                cluster.submitJob(Jobs.define(settings, null).getStreamGraph()).get().getJobID();
        RestMetrics metrics =
                new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());

        long now = System.currentTimeMillis();
        Set<String> old = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = Jobs.producer(kafka)) {
            for (int u = 0; u < LISTENERS; u++) {
                old.add("old-a" + u);
                old.add("old-b" + u);
                send(producer, "early" + u, "old-a" + u, now - 600_000 + 1_000L * u);
                send(producer, "early" + u, "old-b" + u, now - 600_000 + 1_000L * u + 500);
            }
            producer.flush();
            Jobs.awaitAllPlaysIn(metrics, 2 * LISTENERS, WAIT);
            // Vectors of the old tracks are on the topic before they are evicted.
            TopicReader.readUntil(
                    kafka, PREFIX + "-vectors", WAIT, l -> latest(l).keySet().containsAll(old));

            for (int u = 0; u < LISTENERS; u++) {
                send(producer, "late" + u, "new-a" + u, now + 1_000L * u);
                send(producer, "late" + u, "new-b" + u, now + 1_000L * u + 500);
            }
            producer.flush();
        }
        Jobs.awaitAllPlaysIn(metrics, 4 * LISTENERS, WAIT);

        List<ConsumerRecord<byte[], byte[]>> records =
                TopicReader.readUntil(
                        kafka,
                        PREFIX + "-vectors",
                        WAIT,
                        l ->
                                tombstones(l).keySet().containsAll(old)
                                        && kept(latest(l)) >= 2 * LISTENERS);
        Map<String, Integer> tombstones = tombstones(records);
        assertThat(tombstones.keySet()).as("tracks deleted").isEqualTo(old);
        assertThat(tombstones.values()).as("tombstones per track").containsOnly(1);
        Map<String, VectorUpdate<?>> latest = latest(records);
        for (String id : old) {
            assertThat(latest.get(id).isRemoval()).as("%s is gone from the topic", id).isTrue();
        }
        assertThat(kept(latest))
                .as("tracks still played keep their vectors")
                .isEqualTo(2L * LISTENERS);
        Map<String, Double> m =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of("itemsEvicted", "catalogueSize"),
                        v -> v.get("itemsEvicted") >= old.size(),
                        WAIT);
        assertThat(m.get("itemsEvicted"))
                .as("evictions counted once, by the owners")
                .isEqualTo(old.size());
        assertThat(Jobs.range(metrics, "catalogueSize"))
                .as("each trainer's catalogue")
                .containsExactly(2.0 * LISTENERS, 2.0 * LISTENERS);
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String user, String track, long at) {
        Jobs.send(
                producer,
                PREFIX + "-events",
                PlaybackEvent.newBuilder()
                        .setEventId(user + "-" + track)
                        .setUserId(user)
                        .setItemId(track)
                        .setEventTimeMillis(Instant.ofEpochMilli(at))
                        .setPlayRate(1.0)
                        .build());
    }

    private static long kept(Map<String, VectorUpdate<?>> latest) {
        return latest.entrySet().stream()
                .filter(e -> e.getKey().startsWith("new-") && !e.getValue().isRemoval())
                .count();
    }

    private static Map<String, Integer> tombstones(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) {
                out.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
        }
        return out;
    }

    /** The latest record of each key, in topic order, as an index builder reads it. */
    private static Map<String, VectorUpdate<?>> latest(
            List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, VectorUpdate<?>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                out.put(new String(r.key(), StandardCharsets.UTF_8), VectorUpdate.item(r));
            } catch (WireCodec.DecodeException e) {
                throw new AssertionError("undecodable vector at offset " + r.offset(), e);
            }
        }
        return out;
    }
}
