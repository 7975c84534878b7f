package dev.deepmatch.client;

import dev.deepmatch.client.ClientSettings.Fixed;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends plays to the learner's events topic as a device would: keyed by user id (a listener's plays
 * stay in order on one partition), the value in the job's wire format ({@link
 * WireCodec#PLAYBACK_EVENT}), with the settings of {@link #DEFAULTS} (idempotent, {@code acks=all},
 * lz4, a 5 ms linger) unless the service overrides them.
 *
 * <p>The job is the judge of a play: it sends one it refuses (blank or over-long ids, control
 * characters in ids, a rate outside [0, 1], an event time too far ahead of its clock) to the
 * dead-letter topic with the reason (docs/OPERATIONS.md). This helper checks nothing of the play
 * beyond what encoding needs (no null field that the schema does not allow).
 *
 * <p>Thread-safe, like the Kafka producer inside it.
 */
public final class PlaybackEventProducer implements AutoCloseable {

    /** The events topic's default name, the job's {@code --events-topic}. */
    public static final String DEFAULT_TOPIC = "playback-events";

    /**
     * The producer settings the helper starts from; any of them may be overridden with {@link
     * Builder#property}. Idempotence with {@code acks=all}: a retried send never duplicates or
     * reorders a play. lz4: cheap on a device's CPU. A 5 ms linger and 64 KiB batches: a few
     * milliseconds more per play for far fewer requests under load.
     */
    public static final Map<String, String> DEFAULTS =
            orderedMap(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                    ProducerConfig.LINGER_MS_CONFIG, "5",
                    ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));

    private static final Map<String, Fixed> FIXED =
            Map.of(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    new Fixed(ByteArraySerializer.class.getName(), "keys are UTF-8 user ids"),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    new Fixed(ByteArraySerializer.class.getName(), "values are WireCodec bytes"));

    private final Producer<byte[], byte[]> producer;
    private final String topic;

    private PlaybackEventProducer(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends through a producer the caller made (e.g. Kafka's {@code MockProducer} in a test); the
     * helper's settings are then the caller's business.
     */
    public static PlaybackEventProducer over(Producer<byte[], byte[]> producer, String topic) {
        return new PlaybackEventProducer(
                Objects.requireNonNull(producer, "producer"), ClientSettings.topic(topic));
    }

    public String topic() {
        return topic;
    }

    /** Sends one play; the future completes when the brokers have it. */
    public Future<RecordMetadata> send(PlaybackEvent event) {
        return send(event, null);
    }

    /**
     * Sends one play; the callback (may be null) runs on the producer's I/O thread when the brokers
     * have it or the send failed.
     *
     * @throws NullPointerException for a null play, or a null in a field the schema requires
     */
    public Future<RecordMetadata> send(PlaybackEvent event, Callback callback) {
        Objects.requireNonNull(event, "event");
        byte[] value = WireCodec.PLAYBACK_EVENT.encode(event);
        byte[] key = event.getUserId().getBytes(StandardCharsets.UTF_8);
        return producer.send(new ProducerRecord<>(topic, key, value), callback);
    }

    /** Blocks until every play sent so far is acknowledged or failed. */
    public void flush() {
        producer.flush();
    }

    /** Sends what is pending (waiting as long as it takes) and releases the producer. */
    @Override
    public void close() {
        producer.close();
    }

    /** Sends what is pending for at most {@code timeout} and releases the producer. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** Settings of a {@link PlaybackEventProducer}. */
    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private String topic = DEFAULT_TOPIC;

        private Builder() {}

        /** The brokers, {@code host:port[,host:port...]}: Kafka's {@code bootstrap.servers}. */
        public Builder bootstrapServers(String servers) {
            return property(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        }

        /** The events topic; {@value #DEFAULT_TOPIC} unless set. */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Any Kafka producer setting (security, client id, or one of {@link #DEFAULTS}). */
        public Builder property(String name, String value) {
            properties.put(
                    Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** Every entry as {@link #property}, e.g. a service's {@link Properties}. */
        public Builder properties(Map<?, ?> settings) {
            ClientSettings.strings(settings).forEach(this::property);
            return this;
        }

        /**
         * The Kafka producer settings {@link #build} uses: {@link #DEFAULTS}, then the caller's,
         * then the serializers.
         *
         * @throws IllegalArgumentException naming the setting: an unknown name, a value Kafka
         *     refuses, no bootstrap servers, a serializer other than the helper's
         */
        public Properties config() {
            ClientSettings.topic(topic);
            return ClientSettings.merge(
                    "producer", ProducerConfig.configDef(), DEFAULTS, properties, FIXED);
        }

        /**
         * A producer with {@link #config}. Connects to the brokers only when the first play is
         * sent.
         *
         * @throws IllegalArgumentException naming the setting, for anything {@link #config} refuses
         *     and for settings that contradict each other (e.g. {@code acks=1} with idempotence)
         */
        public PlaybackEventProducer build() {
            Properties config = config();
            return new PlaybackEventProducer(
                    ClientSettings.create(
                            "producer",
                            () ->
                                    new KafkaProducer<>(
                                            config,
                                            new ByteArraySerializer(),
                                            new ByteArraySerializer())),
                    topic);
        }
    }

    private static Map<String, String> orderedMap(String... entries) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < entries.length; i += 2) {
            m.put(entries[i], entries[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
