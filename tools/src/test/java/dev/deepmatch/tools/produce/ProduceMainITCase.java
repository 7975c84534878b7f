package dev.deepmatch.tools.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.tools.local.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProduceMainITCase {

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
    void generatorEventsArriveKeyedByUserInTheJobsEncoding() throws Exception {
        kafka.createTopic("generated", 2);
        ProduceMain.run(
                new String[] {
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--events-topic",
                    "generated",
                    "--generator",
                    "--generator-seed",
                    "3",
                    "--users",
                    "50",
                    "--rate",
                    "0",
                    "--max-events",
                    "300",
                    "--kafka.client.id",
                    "produce-test"
                });

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted("generated");
        assertThat(records).hasSize(300);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PlaybackEvent e = WireCodec.PLAYBACK_EVENT.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getUserId());
            assertThat(e.getUserId()).as("%s", e.getUserId()).matches("u\\d+");
        }
    }

    @Test
    void replaysACsvFileSkippingItsBadRow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plays.csv");
        Files.writeString(
                file,
                """
                user,item,ts,rate,intent
                alice,song-1,1000,0.9,EXACT_TRACK
                alice,song-2,2000,1.7,AUTOPLAY
                bob,song-1,3000,0.1,RECOMMENDATION
                """);
        kafka.createTopic("replayed", 1);
        ProduceMain.run(
                new String[] {
                    "--bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--events-topic",
                    "replayed",
                    "--events",
                    file.toString(),
                    "--format",
                    "csv"
                });

        List<PlaybackEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("replayed")) {
            events.add(WireCodec.PLAYBACK_EVENT.decode(r.value()));
        }
        assertThat(events).as("the row with rate 1.7 must be skipped: %s", events).hasSize(2);
        assertThat(events.get(0).getItemId()).isEqualTo("song-1");
        assertThat(events.get(0).getEventTimeMillis().toEpochMilli()).isEqualTo(1000);
        assertThat(events.get(0).getIntent()).isEqualTo(IntentType.EXACT_TRACK);
        assertThat(events.get(1).getUserId()).isEqualTo("bob");
        assertThat(events.get(1).getPlayRate()).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void badCommandLinesAreRejectedByName() {
        assertRejected("unknown setting --nope", "--nope", "1");
        assertRejected("not both", "--generator", "--events", "f");
        assertRejected("--format needs --events FILE", "--format", "csv");
        assertRejected("--events f is not a readable file", "--events", "f");
        assertRejected("--rate must be a number of at least 0, got '-5'", "--rate", "-5");
        assertRejected(
                "--kafka.acks.typo is not a Kafka producer setting", "--kafka.acks.typo", "1");
        assertRejected("--event-time must be one of source, now", "--event-time", "later");
        // values the client's producer refuses, named before anything is sent
        assertRejected(
                "Invalid value soon for configuration linger.ms", "--kafka.linger.ms", "soon");
        assertRejected(
                "'value.serializer' is org.apache.kafka.common.serialization.ByteArraySerializer",
                "--kafka.value.serializer",
                "org.apache.kafka.common.serialization.StringSerializer");
        // A credential as itself would show in ps: only a config provider's reference.
        assertRejected(
                "--kafka.sasl.jaas.config must be a reference to a Kafka config provider",
                "--kafka.sasl.jaas.config",
                "ScramLoginModule required username=\"u\" password=\"p\";");
    }

    @Test
    void settingsThatContradictEachOtherEndWithAMessage() throws Exception {
        // acks=1 is a valid value, only not with the client's idempotence
        assertThat(
                        ProduceMain.run(
                                new String[] {
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--generator",
                                    "--max-events",
                                    "1",
                                    "--kafka.acks",
                                    "1"
                                }))
                .isEqualTo(2);
    }

    @Test
    void passesKafkaSettingsThrough() throws UsageException {
        ProduceMain.Options o =
                ProduceMain.Options.parse(
                        new String[] {
                            "--bootstrap-servers", "h:1",
                            "--kafka.security.protocol", "SASL_SSL",
                            "--kafka.sasl.mechanism=PLAIN"
                        });
        assertThat(o.producerProperties().get("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(o.producerProperties().get("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(o.producerProperties().get("bootstrap.servers")).isEqualTo("h:1");
        assertThat(o.settings().get(dev.deepmatch.job.JobSettings.EVENTS_TOPIC))
                .isEqualTo("playback-events");
        assertThat(dev.deepmatch.sources.SourceSettings.rate(o.settings())).isEqualTo(1000.0);
    }

    private static void assertRejected(String expectedInMessage, String... argv) {
        assertThatThrownBy(() -> ProduceMain.Options.parse(argv))
                .isInstanceOf(UsageException.class)
                .as("message should name %s", expectedInMessage)
                .hasMessageContaining(expectedInMessage);
    }
}
