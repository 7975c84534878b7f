package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job end to end against a real (embedded) Kafka broker on a Flink MiniCluster with two slots:
 * events and malformed records in, dead letters and versioned item vectors out (read as an index
 * builder would, read_committed), checkpoints completing, and a restart from the latest checkpoint
 * that continues the model instead of starting over.
 */
class LearnerJobITCase {

    private static final String EVENTS = "playback-events";
    private static final String DEAD_LETTERS = "playback-events-dlq";
    private static final String VECTORS = "item-vectors";
    private static final int FIRST_RUN_EVENTS = 3_000;
    private static final int SECOND_RUN_EVENTS = 500;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(fastMetrics())
                            .build());

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(EVENTS, 2);
        kafka.createTopic(DEAD_LETTERS, 1);
        kafka.createCompactedTopic(VECTORS, 1);
        kafka.createCompactedTopic(
                dev.deepmatch.job.JobSettings.USER_VECTORS_TOPIC.defaultValue(), 1);
        kafka.createTopic(dev.deepmatch.job.JobSettings.DELTAS_TOPIC.defaultValue(), 1);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void learnsCheckpointsAndResumesTheModelAfterARestart(
            @InjectClusterRESTAddress URI rest, @TempDir Path checkpoints) throws Exception {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(11).users(300).tracks(800).build());
        Set<String> itemsPlayed = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, generator, FIRST_RUN_EVENTS, itemsPlayed);
            sendMalformed(producer);
        }

        // ---- first run ------------------------------------------------------------------
        JobClient first = Jobs.submit(settings(checkpoints), null);
        RestMetrics firstMetrics = new RestMetrics(rest.toString(), first.getJobID().toString());

        List<DeadLetter> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TopicReader.readUntil(kafka, DEAD_LETTERS, WAIT, l -> l.size() >= 7)) {
            deadLetters.add(WireCodec.DEAD_LETTER.decode(r.value()));
        }
        DeadLetter huge =
                deadLetters.stream()
                        .filter(d -> d.getOriginalValueSize() == HUGE_RECORD_BYTES)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no dead letter of the huge record"));
        assertThat(huge.getReason()).isEqualTo("UNDECODABLE");
        assertThat(huge.getTruncated()).isTrue();
        assertThat(huge.getOriginalValue().remaining()).isEqualTo(512 << 10);
        Map<String, DeadLetter> byReason = new HashMap<>();
        deadLetters.stream().filter(d -> d != huge).forEach(d -> byReason.put(d.getReason(), d));
        assertThat(byReason.keySet())
                .as("dead letters: %s", deadLetters)
                .isEqualTo(
                        Set.of(
                                "UNDECODABLE",
                                "EMPTY_RECORD",
                                "UNKNOWN_SCHEMA",
                                "RATE_OUT_OF_RANGE",
                                "EMPTY_USER_ID",
                                "FUTURE_EVENT_TIME"));
        DeadLetter garbage = byReason.get("UNDECODABLE");
        assertThat(garbage.getSourceTopic()).isEqualTo(EVENTS);
        assertThat(garbage.getSourceOffset()).isGreaterThanOrEqualTo(0);
        assertThat(StandardCharsets.UTF_8.decode(garbage.getOriginalValue()).toString())
                .isEqualTo("not avro at all");

        // every event through the trainer, and the vectors it changed committed
        Map<String, Double> m =
                awaitMetrics(
                        firstMetrics,
                        v ->
                                v.getOrDefault("eventsIn", 0.0) >= FIRST_RUN_EVENTS + 7
                                        && v.getOrDefault("pendingExamples", 1.0) == 0
                                        && v.getOrDefault("examplesIn", -1.0)
                                                .equals(v.get("examplesOut")));
        assertThat(m.get("invalidEventsTotal")).as("invalid events counted: %s", m).isEqualTo(7.0);
        // The record of 1,048,450 bytes (under the broker's limit) once put the job into a restart
        // loop: its dead letter did not fit the producer's request. Now it is cut, and says so.
        assertThat(firstMetrics.jobMetric("numRestarts")).as("restarts").isZero();
        List<ItemVector> committed =
                vectors(
                        TopicReader.readUntil(
                                kafka,
                                VECTORS,
                                WAIT,
                                l -> maxVersion(decode(l)) >= m.get("modelVersion")));
        long versionBefore = maxVersion(committed);
        assertThat(versionBefore)
                .as("no trained vectors committed: %s", committed.size())
                .isGreaterThan(0);
        for (ItemVector v : committed) {
            assertThat(itemsPlayed).as("unknown item %s", v.getItemId()).contains(v.getItemId());
            assertThat(v.getVector()).as("vector width (hidden + successor-dim)").hasSize(64 + 64);
        }

        long checkpointsBefore = firstMetrics.completedCheckpoints();
        Jobs.await(
                () -> {
                    try {
                        return firstMetrics.completedCheckpoints() >= checkpointsBefore + 2;
                    } catch (IOException e) {
                        return false;
                    }
                },
                "two more checkpoints after everything was trained",
                WAIT);
        Jobs.cancel(first, WAIT);
        Path latest = latestCheckpoint(checkpoints.resolve(first.getJobID().toString()));

        // ---- second run, restored from the latest checkpoint ------------------------------
        long restartMillis = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            send(producer, generator, SECOND_RUN_EVENTS, itemsPlayed);
        }
        JobClient second = Jobs.submit(settings(checkpoints), latest);
        try {
            RestMetrics secondMetrics =
                    new RestMetrics(rest.toString(), second.getJobID().toString());
            Map<String, Double> m2 =
                    awaitMetrics(
                            secondMetrics,
                            v ->
                                    v.getOrDefault("eventsIn", 0.0)
                                                    >= FIRST_RUN_EVENTS + 7 + SECOND_RUN_EVENTS
                                            && v.getOrDefault("pendingExamples", 1.0) == 0);
            // The counters continue from the checkpoint, and the source resumed at its offsets:
            // only the new events were read on top.
            assertThat(m2.get("eventsIn"))
                    .as("events counted after restore")
                    .isEqualTo((double) FIRST_RUN_EVENTS + 7 + SECOND_RUN_EVENTS);
            assertThat(m2.get("invalidEventsTotal")).isEqualTo(7.0);
            assertThat(m2.get("positivesRanked"))
                    .as("positives ranked since the start: POS@N since the start continues")
                    .isGreaterThan(m.get("positivesRanked"));
            assertThat(m2.get("modelVersion"))
                    .as(
                            "model version after restore %s <= %s",
                            m2.get("modelVersion"), versionBefore)
                    .isNotNaN()
                    .isGreaterThan(versionBefore);

            // the full refresh after the restore: every catalogue item exactly once
            List<ItemVector> afterRestart =
                    vectors(
                                    TopicReader.readUntil(
                                            kafka,
                                            VECTORS,
                                            WAIT,
                                            l ->
                                                    decode(l).stream()
                                                            .anyMatch(
                                                                    v ->
                                                                            v.getFullRefresh()
                                                                                    && v.getEmittedAtMillis()
                                                                                                    .toEpochMilli()
                                                                                            >= restartMillis)))
                            .stream()
                            .filter(v -> v.getEmittedAtMillis().toEpochMilli() >= restartMillis)
                            .toList();
            ItemVector refreshRecord =
                    afterRestart.stream().filter(ItemVector::getFullRefresh).findFirst().get();
            long refreshVersion = refreshRecord.getModelVersion();
            assertThat(refreshVersion)
                    .as(
                            "refresh after restore at version %s, before the restart %s: the model"
                                    + " started over",
                            refreshVersion, versionBefore)
                    .isGreaterThanOrEqualTo(versionBefore);
            List<String> refreshed =
                    afterRestart.stream()
                            .filter(
                                    v ->
                                            v.getFullRefresh()
                                                    && v.getModelVersion() == refreshVersion)
                            .map(ItemVector::getItemId)
                            .toList();
            assertThat(refreshed).as("records in refresh").hasSize(refreshRecord.getRefreshSize());
            assertThat(new HashSet<>(refreshed))
                    .as("duplicates in refresh")
                    .hasSize(refreshed.size());
            Set<String> trainedBefore = new HashSet<>();
            committed.forEach(v -> trainedBefore.add(v.getItemId()));
            assertThat(refreshed)
                    .as("the refresh misses items the first run had emitted")
                    .containsAll(trainedBefore);
            System.out.printf(
                    "first run: %d dead letters, committed vectors up to version %d, restored from"
                            + " %s; second run: %.0f events counted since the start, full refresh of %d items at"
                            + " version %d, model version now %.0f%n",
                    deadLetters.size(),
                    versionBefore,
                    latest.getFileName(),
                    m2.get("eventsIn"),
                    refreshed.size(),
                    refreshVersion,
                    m2.get("modelVersion"));
            for (ItemVector v : afterRestart) {
                assertThat(v.getModelVersion())
                        .as("vector from a fresh model: %s", v)
                        .isGreaterThanOrEqualTo(versionBefore);
            }
        } finally {
            Jobs.cancel(second, WAIT);
        }
    }

    private static Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap-servers", kafka.bootstrapServers());
        s.put("events-topic", EVENTS);
        s.put("dead-letter-topic", DEAD_LETTERS);
        s.put("vectors-topic", VECTORS);
        s.put("starting-offsets", "committed");
        s.put("checkpoint-interval", "1 s");
        s.put("checkpoint-dir", checkpoints.toUri().toString());
        s.put("emission-interval", "1 s");
        s.put("batch-size", "64");
        s.put("batch-max-delay", "200 ms");
        s.put("parallelism", "2");
        s.put("transactional-id-prefix", "it-learner");
        return s;
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            ListenerGenerator generator,
            int n,
            Set<String> itemsPlayed)
            throws Exception {
        for (int i = 0; i < n; i++) {
            PlaybackEvent e = generator.next();
            itemsPlayed.add(e.getItemId());
            producer.send(record(e.getUserId(), WireCodec.PLAYBACK_EVENT.encode(e)));
        }
        producer.flush();
    }

    /** One record for each way a device (or a bug) can break the contract. */
    private static void sendMalformed(KafkaProducer<byte[], byte[]> producer) throws Exception {
        PlaybackEvent valid =
                PlaybackEvent.newBuilder()
                        .setEventId("bad-1")
                        .setUserId("u1")
                        .setItemId("t1")
                        .setEventTimeMillis(Instant.parse("2026-01-01T00:00:00Z"))
                        .setPlayRate(0.5)
                        .build();
        producer.send(record("x", "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        byte[] huge = new byte[HUGE_RECORD_BYTES];
        new java.util.Random(5).nextBytes(huge);
        producer.send(record("x", huge)).get();
        producer.send(record("x", new byte[0])).get();
        byte[] otherSchema = WireCodec.PLAYBACK_EVENT.encode(valid);
        otherSchema[5] ^= 0x5A; // same layout, a fingerprint this job does not know
        producer.send(record("x", otherSchema)).get();
        PlaybackEvent rate = PlaybackEvent.newBuilder(valid).setEventId("bad-2").build();
        rate.setPlayRate(1.5);
        producer.send(record("u1", WireCodec.PLAYBACK_EVENT.encode(rate))).get();
        PlaybackEvent noUser = PlaybackEvent.newBuilder(valid).setEventId("bad-3").build();
        noUser.setUserId("");
        producer.send(record("", WireCodec.PLAYBACK_EVENT.encode(noUser))).get();
        PlaybackEvent future = PlaybackEvent.newBuilder(valid).setEventId("bad-4").build();
        future.setEventTimeMillis(Instant.now().plus(Duration.ofDays(2)));
        producer.send(record("u1", WireCodec.PLAYBACK_EVENT.encode(future))).get();
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>(EVENTS, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Just under the broker's default message.max.bytes (1,048,588). */
    private static final int HUGE_RECORD_BYTES = 1_048_450;

    private static KafkaProducer<byte[], byte[]> producer() {
        java.util.Properties props = kafka.clientProperties();
        props.put("max.request.size", String.valueOf(2 << 20));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Map<String, Double> awaitMetrics(
            RestMetrics metrics, java.util.function.Predicate<Map<String, Double>> done)
            throws Exception {
        return Jobs.awaitMetrics(
                metrics,
                Set.of(
                        "eventsIn",
                        "invalidEventsTotal",
                        "examplesIn",
                        "examplesOut",
                        "pendingExamples",
                        "modelVersion",
                        "positivesRanked"),
                done,
                WAIT);
    }

    private static Path latestCheckpoint(Path jobDir) throws IOException {
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(
                            (a, b) ->
                                    Long.compare(
                                            Long.parseLong(a.getFileName().toString().substring(4)),
                                            Long.parseLong(
                                                    b.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDir));
        }
    }

    private static List<ItemVector> vectors(List<ConsumerRecord<byte[], byte[]>> records) {
        return decode(records);
    }

    private static List<ItemVector> decode(List<ConsumerRecord<byte[], byte[]>> records) {
        List<ItemVector> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                out.add(WireCodec.ITEM_VECTOR.decode(r.value()));
            } catch (Exception e) {
                throw new AssertionError("undecodable vector record at offset " + r.offset(), e);
            }
        }
        return out;
    }

    private static long maxVersion(List<ItemVector> vectors) {
        return vectors.stream().mapToLong(ItemVector::getModelVersion).max().orElse(-1);
    }

    private static Configuration fastMetrics() {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        return conf;
    }
}
