package dev.deepmatch.tools.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertTrue(admin.listTopics().names().get().containsAll(Set.of("plain", "compacted")));
            assertEquals(
                    3,
                    admin.describeTopics(List.of("plain"))
                            .allTopicNames()
                            .get()
                            .get("plain")
                            .partitions()
                            .size());
            ConfigResource compacted = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
            Config config = admin.describeConfigs(List.of(compacted)).all().get().get(compacted);
            assertEquals("compact", config.get("cleanup.policy").value());
        }
    }

    @Test
    void rejectsZeroPartitions() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> kafka.createTopic("bad", 0));
        assertTrue(e.getMessage().contains("partitions"), e.getMessage());
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

        List<String> seen = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("tx")) {
            seen.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("committed"), seen);
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
            assertEquals(1, kept.recordsIn("t"));
        }
        assertTrue(Files.exists(dir.resolve("meta.properties")));

        try (EmbeddedKafka other = EmbeddedKafka.start()) {
            temporary = other.logDir();
            assertTrue(Files.isDirectory(temporary));
        }
        assertFalse(Files.exists(temporary));
    }

    @Test
    void rejectsInvalidPort() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> EmbeddedKafka.builder().port(70000));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
    }
}
