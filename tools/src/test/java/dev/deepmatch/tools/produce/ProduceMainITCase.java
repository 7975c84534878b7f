package dev.deepmatch.tools.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(300, records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PlaybackEvent e = WireCodec.PLAYBACK_EVENT.decode(r.value());
            assertEquals(e.getUserId(), new String(r.key(), StandardCharsets.UTF_8));
            assertTrue(e.getUserId().matches("u\\d+"), e.getUserId());
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
        assertEquals(2, events.size(), "the row with rate 1.7 must be skipped: " + events);
        assertEquals("song-1", events.get(0).getItemId());
        assertEquals(1000, events.get(0).getEventTimeMillis().toEpochMilli());
        assertEquals(IntentType.EXACT_TRACK, events.get(0).getIntent());
        assertEquals("bob", events.get(1).getUserId());
        assertEquals(0.1, events.get(1).getPlayRate(), 1e-12);
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
        assertEquals("SASL_SSL", o.producerProperties().get("security.protocol"));
        assertEquals("PLAIN", o.producerProperties().get("sasl.mechanism"));
        assertEquals("h:1", o.producerProperties().get("bootstrap.servers"));
        assertEquals(
                "playback-events", o.settings().get(dev.deepmatch.job.JobSettings.EVENTS_TOPIC));
        assertEquals(1000, dev.deepmatch.sources.SourceSettings.rate(o.settings()));
    }

    private static void assertRejected(String expectedInMessage, String... argv) {
        UsageException e =
                assertThrows(UsageException.class, () -> ProduceMain.Options.parse(argv));
        assertTrue(
                e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should name " + expectedInMessage);
    }
}
