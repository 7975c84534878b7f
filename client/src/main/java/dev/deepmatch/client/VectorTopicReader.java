package dev.deepmatch.client;

import dev.deepmatch.client.ClientSettings.Fixed;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one of the job's vector topics ({@code item-vectors} or {@code user-vectors}) from its
 * beginning, {@code read_committed}: the job writes them in Kafka transactions, one per checkpoint,
 * and a vector of a transaction that was aborted (a failure before the checkpoint completed) must
 * never be served. The topics are compacted, so reading them from the beginning gives the latest
 * vector of every key; a service that restarts reads them again. No consumer group, no offset
 * commits.
 *
 * <p>Each {@link #poll} returns the records as {@link VectorUpdate}s: a vector, or a removal for a
 * tombstone. A record whose value does not decode is skipped and counted ({@link #undecodable()}).
 * One thread, like Kafka's consumer.
 */
public final class VectorTopicReader<T> implements AutoCloseable {

    /** The item vectors topic's default name, the job's {@code --vectors-topic}. */
    public static final String ITEM_VECTORS_TOPIC = "item-vectors";

    /** The user vectors topic's default name, the job's {@code --user-vectors-topic}. */
    public static final String USER_VECTORS_TOPIC = "user-vectors";

    /** Consumer settings the reader starts from; the caller may override them. */
    public static final Map<String, String> DEFAULTS =
            Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");

    private static final Map<String, Fixed> FIXED =
            Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    new Fixed(
                            "read_committed",
                            "the job writes in transactions: an aborted vector must never show"),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    new Fixed("false", "the reader reads from the beginning and commits nothing"),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    new Fixed(ByteArrayDeserializer.class.getName(), "keys are UTF-8 ids"),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    new Fixed(ByteArrayDeserializer.class.getName(), "values are WireCodec bytes"));

    /** Decodes one record of the topic. */
    private interface Decoder<T> {
        VectorUpdate<T> decode(ConsumerRecord<byte[], byte[]> record)
                throws WireCodec.DecodeException;
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Decoder<T> decoder;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> endsAtStart;
    private long undecodable;
    private String lastProblem;

    private VectorTopicReader(
            Consumer<byte[], byte[]> consumer,
            Decoder<T> decoder,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> endsAtStart) {
        this.consumer = consumer;
        this.decoder = decoder;
        this.partitions = partitions;
        this.endsAtStart = endsAtStart;
    }

    /** A reader of {@link ItemVector}s, from {@value #ITEM_VECTORS_TOPIC} unless set. */
    public static Builder<ItemVector> itemVectors() {
        return new Builder<>(ITEM_VECTORS_TOPIC, VectorUpdate::item);
    }

    /** A reader of {@link UserVector}s, from {@value #USER_VECTORS_TOPIC} unless set. */
    public static Builder<UserVector> userVectors() {
        return new Builder<>(USER_VECTORS_TOPIC, VectorUpdate::user);
    }

    /**
     * The records that arrived within {@code timeout}, in offset order per partition; an empty list
     * when none did.
     */
    public List<VectorUpdate<T>> poll(Duration timeout) {
        List<VectorUpdate<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            try {
                out.add(decoder.decode(r));
            } catch (WireCodec.DecodeException e) {
                undecodable++;
                lastProblem =
                        r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage();
            }
        }
        return out;
    }

    /**
     * Whether everything committed on the topic when the reader started has been read: from then on
     * the reader holds the topic's state as of its start, and follows it.
     */
    public boolean caughtUp() {
        for (TopicPartition p : partitions) {
            if (consumer.position(p) < endsAtStart.get(p)) {
                return false;
            }
        }
        return true;
    }

    /** Records skipped because their value is not a vector of the topic's type. */
    public long undecodable() {
        return undecodable;
    }

    /** Where and why the last undecodable record was skipped; null if none was. */
    public String lastProblem() {
        return lastProblem;
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** Settings of a {@link VectorTopicReader}. */
    public static final class Builder<T> {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Decoder<T> decoder;
        private String topic;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(String topic, Decoder<T> decoder) {
            this.topic = topic;
            this.decoder = decoder;
        }

        /** The brokers, {@code host:port[,host:port...]}: Kafka's {@code bootstrap.servers}. */
        public Builder<T> bootstrapServers(String servers) {
            return property(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        }

        public Builder<T> topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Any Kafka consumer setting (security, client id, fetch sizes, ...). */
        public Builder<T> property(String name, String value) {
            properties.put(
                    Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** Every entry as {@link #property}, e.g. a service's {@link Properties}. */
        public Builder<T> properties(Map<?, ?> settings) {
            ClientSettings.strings(settings).forEach(this::property);
            return this;
        }

        /** How long {@link #build} waits for the brokers to describe the topic; 30 s. */
        public Builder<T> timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The Kafka consumer settings {@link #build} uses: {@link #DEFAULTS}, then the caller's,
         * then {@code isolation.level=read_committed}, no auto commit, the deserializers.
         *
         * @throws IllegalArgumentException naming the setting: an unknown name, a value Kafka
         *     refuses, no bootstrap servers, another isolation level, auto commit
         */
        public Properties config() {
            ClientSettings.topic(topic);
            return ClientSettings.merge(
                    "consumer", ConsumerConfig.configDef(), DEFAULTS, properties, FIXED);
        }

        /**
         * A reader positioned at the beginning of every partition of the topic.
         *
         * @throws IllegalArgumentException naming the setting, for anything {@link #config}
         *     refuses, or when the topic does not exist
         * @throws org.apache.kafka.common.errors.TimeoutException when no broker answered within
         *     the timeout
         */
        public VectorTopicReader<T> build() {
            Properties config = config();
            KafkaConsumer<byte[], byte[]> consumer =
                    ClientSettings.create(
                            "consumer",
                            () ->
                                    new KafkaConsumer<>(
                                            config,
                                            new ByteArrayDeserializer(),
                                            new ByteArrayDeserializer()));
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException(
                            "topic '" + topic + "': no such topic on the brokers");
                }
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo p : infos) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                // read_committed: the end offsets are the last stable offsets
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
                return new VectorTopicReader<>(consumer, decoder, List.copyOf(partitions), ends);
            } catch (RuntimeException e) {
                consumer.close(Duration.ZERO);
                throw e;
            }
        }
    }
}
