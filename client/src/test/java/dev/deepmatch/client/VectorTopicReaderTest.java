package dev.deepmatch.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class VectorTopicReaderTest {

    @Test
    void readsCommittedWithoutCommittingOffsets() {
        Properties c = VectorTopicReader.itemVectors().bootstrapServers("h:9092").config();
        assertThat(c)
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("bootstrap.servers", "h:9092")
                .containsEntry("max.poll.records", "5000");
    }

    @Test
    void settingMistakesAreRefusedNamingTheSetting() {
        assertRefused(VectorTopicReader.userVectors(), "'bootstrap.servers' is not set");
        assertRefused(
                reader().property("isolation.level", "read_uncommitted"),
                "'isolation.level' is read_committed, set by the helper");
        assertRefused(
                reader().property("enable.auto.commit", "true"), "'enable.auto.commit' is false");
        assertRefused(
                reader().property("fetch.max.wait", "10"),
                "'fetch.max.wait' is not a Kafka consumer setting");
        assertRefused(
                reader().property("max.poll.records", "0"),
                "Invalid value 0 for configuration max.poll.records");
        assertRefused(reader().topic(""), "the topic is blank");
        assertThatThrownBy(() -> reader().timeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        // repeating what the reader sets is no mistake
        assertThat(reader().property("isolation.level", "read_committed").config())
                .containsEntry("isolation.level", "read_committed");
    }

    @Test
    void decodesVectorsAndReportsTombstonesAsRemovals() throws Exception {
        ItemVector v =
                ItemVector.newBuilder()
                        .setItemId("song-1")
                        .setVector(List.of(0.5f, -1f))
                        .setModelVersion(42)
                        .setEmittedAtMillis(Instant.ofEpochMilli(1000))
                        .build();
        VectorUpdate<ItemVector> put =
                VectorUpdate.item(
                        record("item-vectors", 7, "song-1", WireCodec.ITEM_VECTOR.encode(v)));
        assertThat(put.isRemoval()).isFalse();
        assertThat(put.value()).isEqualTo(v);
        assertThat(put.key()).isEqualTo("song-1");
        assertThat(put.offset()).isEqualTo(7);

        assertThat(VectorUpdate.item(record("item-vectors", 8, "song-1", null)).isRemoval())
                .isTrue();
        VectorUpdate<UserVector> gone = VectorUpdate.user(record("user-vectors", 8, "u-1", null));
        assertThat(gone.isRemoval()).isTrue();
        assertThat(gone.key()).isEqualTo("u-1");
        assertThat(gone.topic()).isEqualTo("user-vectors");

        // an item vector is not a user vector
        assertThatThrownBy(
                        () ->
                                VectorUpdate.user(
                                        record("x", 9, "song-1", WireCodec.ITEM_VECTOR.encode(v))))
                .isInstanceOf(WireCodec.DecodeException.class);
    }

    private static VectorTopicReader.Builder<ItemVector> reader() {
        return VectorTopicReader.itemVectors().bootstrapServers("localhost:9092");
    }

    private static void assertRefused(VectorTopicReader.Builder<?> b, String message) {
        Refusals.assertRefused(b::config, b::build, message);
    }

    private static ConsumerRecord<byte[], byte[]> record(
            String topic, long offset, String key, byte[] value) {
        return new ConsumerRecord<>(topic, 0, offset, key.getBytes(StandardCharsets.UTF_8), value);
    }
}
