package dev.deepmatch.tools.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One real broker for the whole class: starting one costs a few seconds. */
class EmbeddedKafkaITCase {

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
    void createsPlainAndCompactedTopics() throws Exception {
        kafka.createTopic("plain", 3);
        kafka.createCompactedTopic("compacted", 2);
        kafka.createTopic("plain", 3); // existing topic: no error

        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).containsAll(Set.of("plain", "compacted"));
            assertThat(
                            admin.describeTopics(List.of("plain"))
                                    .allTopicNames()
                                    .get()
                                    .get("plain")
                                    .partitions())
                    .hasSize(3);
            ConfigResource compacted = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
            Config config = admin.describeConfigs(List.of(compacted)).all().get().get(compacted);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void rejectsZeroPartitions() {
        assertThatThrownBy(() -> kafka.createTopic("bad", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions");
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() {
        kafka.createTopic("tx", 1);
        Properties producerProps = kafka.clientProperties();
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-test");
        // the broker's maximum: a Flink KafkaSink asks for this much by default
        producerProps.put(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                (int) EmbeddedKafka.MAX_TRANSACTION_TIMEOUT_MS);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(
                        producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "k", "committed"));
            producer.commitTransaction();
        }

        // The commit's markers are written after commitTransaction returns: until then the last
        // stable offset, up to which read_committed reads, may be before the record.
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("tx")) {
                seen.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(seen).isEqualTo(List.of("committed"));
    }

    @Test
    void givenLogDirIsKeptAndTemporaryOneRemoved() throws Exception {
        Path dir = Files.createTempDirectory("kept-kafka-");
        Path temporary;
        try (EmbeddedKafka kept = EmbeddedKafka.builder().logDir(dir).start()) {
            kept.createTopic("t", 1);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    kept.bootstrapServers()),
                            new org.apache.kafka.common.serialization.ByteArraySerializer(),
                            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("t", "v".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            assertThat(kept.recordsIn("t")).isEqualTo(1);
        }
        assertThat(dir.resolve("meta.properties")).exists();
        // a restart on the kept logs finds the record again
        try (EmbeddedKafka again = EmbeddedKafka.builder().logDir(dir).start()) {
            assertThat(again.recordsIn("t")).isEqualTo(1);
        }

        try (EmbeddedKafka other = EmbeddedKafka.start()) {
            temporary = other.logDir();
            assertThat(temporary).isDirectory();
        }
        assertThat(Files.exists(temporary)).isFalse();
    }

    @Test
    void rejectsInvalidPort() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().port(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }
}
