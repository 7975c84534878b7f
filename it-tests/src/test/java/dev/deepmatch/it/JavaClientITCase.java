package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.client.PlaybackEventProducer;
import dev.deepmatch.client.VectorTopicReader;
import dev.deepmatch.client.VectorUpdate;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.tools.local.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client jar ({@code client}) against a real broker: its producer's plays arrive keyed by
 * listener in the job's wire format, from an idempotent producer; its reader sees exactly the
 * committed vectors of a transactional writer like the job (never those of an aborted transaction)
 * and a tombstone as a removal.
 */
class JavaClientITCase {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void playsArriveKeyedByListenerDecodableAndFromAnIdempotentProducer() throws Exception {
        String topic = "client-plays";
        kafka.createTopic(topic, 3);
        Map<String, PlaybackEvent> sent = new LinkedHashMap<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (PlaybackEventProducer producer =
                PlaybackEventProducer.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topic(topic)
                        .property(ProducerConfig.CLIENT_ID_CONFIG, "java-client-it")
                        .build()) {
            for (int i = 0; i < 400; i++) {
                PlaybackEvent e =
                        PlaybackEvent.newBuilder()
                                .setEventId("e-" + i)
                                .setUserId("listener-" + (i % 23))
                                .setItemId("track-" + (i * 7 % 101))
                                .setEventTimeMillis(Instant.ofEpochMilli(1_700_000_000_000L + i))
                                .setPlayRate((i % 11) / 10.0)
                                .setIntent(IntentType.AUTOPLAY)
                                .setAppVersion("4.2.1")
                                .build();
                sent.put(e.getEventId(), e);
                acks.add(producer.send(e));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> ack : acks) {
            assertThat(ack.get(10, TimeUnit.SECONDS).topic()).isEqualTo(topic);
        }

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted(topic);
        assertThat(records).hasSize(sent.size());
        Map<String, Integer> partitionOfListener = new LinkedHashMap<>();
        Map<String, Integer> lastOfListener = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PlaybackEvent e = WireCodec.PLAYBACK_EVENT.decode(r.value());
            assertThat(e).isEqualTo(sent.get(e.getEventId()));
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getUserId());
            assertThat(partitionOfListener.computeIfAbsent(e.getUserId(), u -> r.partition()))
                    .as("all plays of %s on one partition", e.getUserId())
                    .isEqualTo(r.partition());
            int n = Integer.parseInt(e.getEventId().substring(2));
            Integer before = lastOfListener.put(e.getUserId(), n);
            assertThat(before == null || before < n)
                    .as("%s's plays in the order sent: %s after %s", e.getUserId(), n, before)
                    .isTrue();
        }

        // The broker keeps producer state only for idempotent (or transactional) producers.
        List<TopicPartition> partitions =
                List.of(0, 1, 2).stream().map(p -> new TopicPartition(topic, p)).toList();
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, PartitionProducerState> producers =
                    admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS);
            for (TopicPartition p : partitions) {
                assertThat(producers.get(p).activeProducers())
                        .as("an idempotent producer wrote %s", p)
                        .hasSize(1);
            }
        }
    }

    @Test
    void theReaderSeesExactlyTheCommittedVectorsAndTombstonesAsRemovals() throws Exception {
        String topic = "client-item-vectors";
        kafka.createCompactedTopic(topic, 2);
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "like-the-job");
        try (KafkaProducer<byte[], byte[]> job =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            job.initTransactions();
            job.beginTransaction();
            for (String item : List.of("song-1", "song-2", "song-3")) {
                job.send(vector(topic, item, 1));
            }
            job.commitTransaction();
            job.beginTransaction();
            job.send(vector(topic, "song-aborted", 2));
            job.send(vector(topic, "song-1", 2));
            job.flush();
            job.abortTransaction();
            job.beginTransaction();
            job.send(new ProducerRecord<>(topic, "song-2".getBytes(StandardCharsets.UTF_8), null));
            job.commitTransaction();
        }

        List<VectorUpdate<ItemVector>> seen = readToEnd(VectorTopicReader.itemVectors(), topic);

        List<String> vectors = new ArrayList<>();
        List<String> removals = new ArrayList<>();
        for (VectorUpdate<ItemVector> u : seen) {
            if (u.isRemoval()) {
                removals.add(u.key());
            } else {
                assertThat(u.value().getItemId()).isEqualTo(u.key());
                assertThat(u.value().getModelVersion())
                        .as("a vector of the aborted transaction: %s", u.value())
                        .isEqualTo(1);
                vectors.add(u.key());
            }
        }
        assertThat(vectors).containsExactlyInAnyOrder("song-1", "song-2", "song-3");
        assertThat(removals).containsExactly("song-2");
    }

    @Test
    void userVectorsDecodeAndTheirTombstonesAreRemovals() throws Exception {
        String topic = "client-user-vectors";
        kafka.createCompactedTopic(topic, 1);
        UserVector u =
                UserVector.newBuilder()
                        .setUserId("listener-1")
                        .setVector(List.of(0.25f, -0.5f, 1f))
                        .setModelVersion(7)
                        .setEmittedAtMillis(Instant.ofEpochMilli(2_000))
                        .setRecentItems(List.of("song-1"))
                        .setRecentRates(List.of(0.9f))
                        .setLastPlayMillis(Instant.ofEpochMilli(1_000))
                        .build();
        try (KafkaProducer<byte[], byte[]> writer =
                new KafkaProducer<>(
                        kafka.clientProperties(),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            byte[] key = "listener-1".getBytes(StandardCharsets.UTF_8);
            writer.send(new ProducerRecord<>(topic, key, WireCodec.USER_VECTOR.encode(u)));
            writer.send(new ProducerRecord<>(topic, key, null));
        }
        List<VectorUpdate<UserVector>> seen = readToEnd(VectorTopicReader.userVectors(), topic);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).value()).isEqualTo(u);
        assertThat(seen.get(1).isRemoval()).isTrue();
        assertThat(seen.get(1).key()).isEqualTo("listener-1");
    }

    /** What the reader reads of a topic until it caught up, and for half a second more. */
    private static <T> List<VectorUpdate<T>> readToEnd(
            VectorTopicReader.Builder<T> settings, String topic) {
        List<VectorUpdate<T>> seen = new ArrayList<>();
        try (VectorTopicReader<T> reader =
                settings.bootstrapServers(kafka.bootstrapServers()).topic(topic).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!reader.caughtUp() && System.nanoTime() < deadline) {
                seen.addAll(reader.poll(Duration.ofMillis(200)));
            }
            // anything beyond what was committed would show up now
            seen.addAll(reader.poll(Duration.ofMillis(500)));
            assertThat(reader.caughtUp()).as("read %s to its end within 30 s", topic).isTrue();
            assertThat(reader.undecodable()).as("%s", reader.lastProblem()).isZero();
        }
        return seen;
    }

    private static ProducerRecord<byte[], byte[]> vector(String topic, String item, long version) {
        ItemVector v =
                ItemVector.newBuilder()
                        .setItemId(item)
                        .setVector(List.of(0.1f * version, -0.2f, 0.3f))
                        .setModelVersion(version)
                        .setEmittedAtMillis(Instant.ofEpochMilli(1_000 * version))
                        .build();
        return new ProducerRecord<>(
                topic, item.getBytes(StandardCharsets.UTF_8), WireCodec.ITEM_VECTOR.encode(v));
    }
}
