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
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand malformed records of every kind a device or a bug produces, interleaved at random
 * with good plays, against the job with training on. Every record is accounted for: each bad one is
 * on the dead-letter topic once, with the reason its kind allows and its original bytes, and the
 * letter decodes; each good one is counted as accepted, late or a duplicate; the job never
 * restarts.
 */
class FuzzITCase {

    private static final String EVENTS = "fuzz-events";
    private static final String DEAD_LETTERS = "fuzz-events-dlq";
    private static final int GOOD = 2_000;
    private static final int BAD = 10_000;
    private static final int ONE_MB_RECORDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(180);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, "fuzz");
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One record sent: its bytes and the dead-letter reasons it may get (none: a good play). */
    private record Sent(byte[] key, byte[] value, Set<String> reasons) {}

    @Test
    void everyRecordIsAccountedForAndTheJobNeverRestarts(
            @InjectClusterRESTAddress URI rest, @TempDir Path checkpoints) throws Exception {
        Random rnd = new Random(20261202);
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(3).users(200).tracks(500).build());
        // Bad records at random places between the good plays, which keep their order.
        List<Sent> plan = new ArrayList<>();
        int good = 0;
        int bad = 0;
        while (good < GOOD || bad < BAD) {
            if (rnd.nextInt(GOOD - good + BAD - bad) < BAD - bad) {
                plan.add(malformed(rnd, bad < ONE_MB_RECORDS ? -1 : bad));
                bad++;
            } else {
                PlaybackEvent e = generator.next();
                byte[] key = rnd.nextInt(20) == 0 ? null : utf8(e.getUserId());
                plan.add(new Sent(key, WireCodec.PLAYBACK_EVENT.encode(e), Set.of()));
                good++;
            }
        }

        Map<String, Sent> byPosition = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Sent s : plan) {
                acks.add(producer.send(new ProducerRecord<>(EVENTS, s.key(), s.value())));
            }
            producer.flush();
            for (int i = 0; i < plan.size(); i++) {
                RecordMetadata m = acks.get(i).get();
                byPosition.put(m.partition() + "/" + m.offset(), plan.get(i));
            }
        }

        JobClient job = Jobs.submit(settings(checkpoints), null);
        try {
            RestMetrics metrics = new RestMetrics(rest.toString(), job.getJobID().toString());
            Set<String> names =
                    Set.of(
                            "eventsIn",
                            "invalidEventsTotal",
                            "playsAccepted",
                            "latePlaysDropped",
                            "duplicatePlaysDropped");
            Map<String, Double> m =
                    Jobs.awaitMetrics(
                            metrics,
                            names,
                            v ->
                                    v.get("eventsIn") >= GOOD + BAD
                                            && v.get("playsAccepted")
                                                            + v.get("latePlaysDropped")
                                                            + v.get("duplicatePlaysDropped")
                                                    >= GOOD,
                            WAIT);
            assertThat(m.get("eventsIn")).isEqualTo(GOOD + BAD);
            assertThat(m.get("invalidEventsTotal")).isEqualTo(BAD);
            assertThat(
                            m.get("playsAccepted")
                                    + m.get("latePlaysDropped")
                                    + m.get("duplicatePlaysDropped"))
                    .as("good plays counted: %s", m)
                    .isEqualTo(GOOD);

            List<ConsumerRecord<byte[], byte[]>> letters =
                    TopicReader.readUntil(kafka, DEAD_LETTERS, WAIT, l -> l.size() >= BAD);
            assertThat(letters).hasSize(BAD);
            Map<String, Integer> reasons = new TreeMap<>();
            Map<String, DeadLetter> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                DeadLetter d = WireCodec.DEAD_LETTER.decode(r.value());
                String position = d.getSourcePartition() + "/" + d.getSourceOffset();
                assertThat(seen.put(position, d)).as("two letters for %s", position).isNull();
                Sent s = byPosition.get(position);
                assertThat(s).as("a letter for no record sent: %s", position).isNotNull();
                assertThat(s.reasons())
                        .as("reason of %s (a good play?): %s", position, d.getDetail())
                        .contains(d.getReason());
                assertThat(bytes(d.getOriginalValue()))
                        .as("original bytes of %s", position)
                        .isEqualTo(
                                s.value() == null
                                        ? null
                                        : Arrays.copyOf(
                                                s.value(), Math.min(s.value().length, 512 << 10)));
                assertThat(d.getTruncated())
                        .isEqualTo(s.value() != null && s.value().length > 512 << 10);
                assertThat(bytes(d.getOriginalKey())).isEqualTo(s.key());
                reasons.merge(d.getReason(), 1, Integer::sum);
            }
            assertThat(metrics.jobMetric("numRestarts")).as("restarts").isZero();
            System.out.printf(
                    "fuzz: %d good and %d bad records; dead letters by reason %s; %s%n",
                    GOOD, BAD, reasons, m);
        } finally {
            Jobs.cancel(job, WAIT);
        }
    }

    /** A bad record of a kind picked at random; {@code i < 0}: a payload of one megabyte. */
    private static Sent malformed(Random rnd, int i) {
        byte[] key = rnd.nextInt(10) == 0 ? null : utf8("fuzz-" + rnd.nextInt(300));
        if (i < 0) {
            byte[] big = new byte[1_000_000];
            rnd.nextBytes(big);
            return new Sent(key, big, Set.of("UNDECODABLE", "UNKNOWN_SCHEMA"));
        }
        PlaybackEvent base =
                PlaybackEvent.newBuilder()
                        .setEventId("fuzz-" + i)
                        .setUserId("fuzz-user-" + rnd.nextInt(300))
                        .setItemId("fuzz-track-" + rnd.nextInt(1000))
                        .setEventTimeMillis(Instant.now().minusSeconds(rnd.nextInt(3600)))
                        .setPlayRate(rnd.nextDouble())
                        .build();
        byte[] good = WireCodec.PLAYBACK_EVENT.encode(base);
        switch (rnd.nextInt(14)) {
            case 0:
                return new Sent(
                        key,
                        Arrays.copyOf(good, 1 + rnd.nextInt(good.length - 1)),
                        Set.of("UNDECODABLE"));
            case 1:
                byte[] random = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(random);
                return new Sent(key, random, Set.of("UNDECODABLE", "UNKNOWN_SCHEMA"));
            case 2:
                return new Sent(key, foreign(i), Set.of("UNKNOWN_SCHEMA"));
            case 3:
                return new Sent(
                        key,
                        utf8("{\"userId\":\"u" + i + "\",\"itemId\":\"t1\",\"playRate\":0.5}"),
                        Set.of("UNDECODABLE"));
            case 4:
                return new Sent(
                        key, rnd.nextBoolean() ? new byte[0] : null, Set.of("EMPTY_RECORD"));
            case 5:
                double[] rates = {
                    Double.NaN, -0.01, 1.0001, 1e308, -1e308, Double.NEGATIVE_INFINITY
                };
                base.setPlayRate(rates[rnd.nextInt(rates.length)]);
                return encoded(key, base, "RATE_OUT_OF_RANGE");
            case 6:
                String blank = rnd.nextBoolean() ? "" : " \t ";
                return switch (rnd.nextInt(3)) {
                    case 0 -> {
                        base.setEventId(blank);
                        yield encoded(key, base, "EMPTY_EVENT_ID");
                    }
                    case 1 -> {
                        base.setUserId(blank);
                        yield encoded(key, base, "EMPTY_USER_ID");
                    }
                    default -> {
                        base.setItemId(blank);
                        yield encoded(key, base, "EMPTY_ITEM_ID");
                    }
                };
            case 7:
                String tenKb = "x".repeat(10_240);
                if (rnd.nextBoolean()) {
                    base.setItemId(tenKb);
                } else {
                    base.setUserId(tenKb);
                }
                return encoded(key, base, "ID_TOO_LONG");
            case 8:
                char[] controls = {'\u0000', '\n', '\r', '\u001b', '\u007f', '\u0085'};
                base.setItemId("track" + controls[rnd.nextInt(controls.length)] + i);
                return encoded(key, base, "CONTROL_CHARACTER_IN_ID");
            case 9:
                base.setEventTimeMillis(
                        rnd.nextBoolean()
                                ? Instant.now().plus(Duration.ofDays(1 + rnd.nextInt(10_000)))
                                : Instant.ofEpochMilli(Long.MAX_VALUE / 2));
                return encoded(key, base, "FUTURE_EVENT_TIME");
            case 10:
                byte[] trailing = Arrays.copyOf(good, good.length + 1 + rnd.nextInt(16));
                return new Sent(key, trailing, Set.of("UNDECODABLE"));
            case 11:
                byte[] flipped = good.clone();
                flipped[2 + rnd.nextInt(8)] ^= (byte) (1 + rnd.nextInt(255));
                return new Sent(key, flipped, Set.of("UNKNOWN_SCHEMA"));
            case 12:
                byte[] marker = {(byte) 0xC3, 0x01};
                return new Sent(key, marker, Set.of("UNDECODABLE"));
            default:
                // A body whose string length prefix claims far more bytes than there are.
                byte[] lying = Arrays.copyOf(good, good.length);
                lying[10] = (byte) 0xfe;
                lying[11] = (byte) 0xff;
                lying[12] = (byte) 0xff;
                lying[13] = (byte) 0x7f;
                return new Sent(key, lying, Set.of("UNDECODABLE"));
        }
    }

    private static Sent encoded(byte[] key, PlaybackEvent e, String reason) {
        return new Sent(key, WireCodec.PLAYBACK_EVENT.encode(e), Set.of(reason));
    }

    private static byte[] foreign(int i) {
        return WireCodec.ITEM_VECTOR.encode(
                ItemVector.newBuilder()
                        .setItemId("t" + i)
                        .setVector(List.of(1f, 2f))
                        .setModelVersion(i)
                        .setEmittedAtMillis(Instant.EPOCH)
                        .build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static Map<String, String> settings(Path checkpoints) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), "fuzz", checkpoints);
        s.put("checkpoint-interval", "2 s");
        return s;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        java.util.Properties props = kafka.clientProperties();
        props.put("max.request.size", String.valueOf(2 << 20));
        props.put("linger.ms", "20");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
