package dev.deepmatch.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class PlaybackEventProducerTest {

    @Test
    void defaultsAreIdempotentAllAcksCompressedAndLingering() {
        Properties c = PlaybackEventProducer.builder().bootstrapServers("h:9092").config();
        assertThat(c)
                .containsEntry("bootstrap.servers", "h:9092")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("acks", "all")
                .containsEntry("compression.type", "lz4")
                .containsEntry("linger.ms", "5")
                .containsEntry("batch.size", "65536")
                .containsEntry("key.serializer", ByteArraySerializer.class.getName())
                .containsEntry("value.serializer", ByteArraySerializer.class.getName());
        assertThat(c.keySet()).as("%s", c).hasSize(8);
    }

    @Test
    void aServiceOverridesADefaultAndAddsItsOwnSettings() {
        Properties c =
                PlaybackEventProducer.builder()
                        .properties(
                                Map.of(
                                        "bootstrap.servers", "a:1,b:2",
                                        "linger.ms", "50",
                                        "compression.type", "zstd",
                                        "client.id", "player-api"))
                        .config();
        assertThat(c)
                .containsEntry("bootstrap.servers", "a:1,b:2")
                .containsEntry("linger.ms", "50")
                .containsEntry("compression.type", "zstd")
                .containsEntry("client.id", "player-api")
                .containsEntry("acks", "all");
    }

    @Test
    void settingMistakesAreRefusedNamingTheSetting() {
        assertRefused(PlaybackEventProducer.builder(), "'bootstrap.servers' is not set");
        assertRefused(
                builder().property("linger.msec", "5"),
                "'linger.msec' is not a Kafka producer setting");
        assertRefused(
                builder().property("linger.ms", "soon"),
                "Invalid value soon for configuration linger.ms");
        assertRefused(
                builder().property("compression.type", "rar"),
                "Invalid value rar for configuration compression.type");
        assertRefused(builder().property("acks", "2"), "Invalid value 2 for configuration acks");
        assertRefused(
                builder().property("value.serializer", "org.example.JsonSerializer"),
                "'value.serializer' is " + ByteArraySerializer.class.getName());
        assertRefused(builder().topic(" "), "the topic is blank");
    }

    @Test
    void settingsThatContradictEachOtherAreRefusedWhenBuilding() {
        // acks=1 is a valid value, only not with idempotence: Kafka's producer finds that out
        PlaybackEventProducer.Builder b = builder().property("acks", "1");
        assertThat(b.config()).containsEntry("acks", "1");
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid Kafka producer settings")
                .hasMessageContaining("acks");
    }

    @Test
    void sendsThePlayKeyedByUserInTheWireFormat() throws Exception {
        MockProducer<byte[], byte[]> kafka =
                new MockProducer<>(
                        true, null, new ByteArraySerializer(), new ByteArraySerializer());
        PlaybackEvent play = play("u-7", "song-3");
        try (PlaybackEventProducer producer = PlaybackEventProducer.over(kafka, "plays")) {
            assertThat(producer.send(play).get().topic()).isEqualTo("plays");
        }
        List<ProducerRecord<byte[], byte[]>> sent = kafka.history();
        assertThat(sent).hasSize(1);
        assertThat(new String(sent.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("u-7");
        assertThat(WireCodec.PLAYBACK_EVENT.decode(sent.get(0).value())).isEqualTo(play);
        assertThat(kafka.closed()).isTrue();
    }

    @Test
    void aPlayWithoutAUserIsNotSent() {
        MockProducer<byte[], byte[]> kafka =
                new MockProducer<>(
                        true, null, new ByteArraySerializer(), new ByteArraySerializer());
        PlaybackEvent play = play("u", "song");
        play.setUserId(null);
        PlaybackEventProducer producer = PlaybackEventProducer.over(kafka, "plays");
        assertThatThrownBy(() -> producer.send(play))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("userId");
        assertThat(kafka.history()).isEmpty();
    }

    private static PlaybackEventProducer.Builder builder() {
        return PlaybackEventProducer.builder().bootstrapServers("localhost:9092");
    }

    private static void assertRefused(PlaybackEventProducer.Builder b, String message) {
        Refusals.assertRefused(b::config, b::build, message);
    }

    static PlaybackEvent play(String user, String item) {
        return PlaybackEvent.newBuilder()
                .setEventId(user + "/" + item)
                .setUserId(user)
                .setItemId(item)
                .setEventTimeMillis(Instant.ofEpochMilli(1_700_000_000_000L))
                .setPlayRate(0.75)
                .setIntent(IntentType.RECOMMENDATION)
                .build();
    }
}
