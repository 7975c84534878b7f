package dev.deepmatch.job.codec;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.job.codec.SingleObjectCodec.DecodeException;
import dev.deepmatch.job.codec.SingleObjectCodec.Failure;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaybackEventCodecTest {

    @Test
    void roundTripsEveryField() throws Exception {
        PlaybackEvent event = play("e1", "u1", "track-9", 1_700_000_000_123L, 0.25);
        event.setDeviceId("phone");
        assertThat(PlaybackEventCodec.decode(PlaybackEventCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void peeksTheEventTimeWithoutDecoding() {
        byte[] bytes = PlaybackEventCodec.encode(play("e-long-id", "user", "item", 987_654_321L));
        assertThat(PlaybackEventCodec.peekEventTime(bytes)).isEqualTo(987_654_321L);
    }

    @Test
    void peekGivesMinValueForAnythingDecodeRejects() {
        byte[] good = PlaybackEventCodec.encode(play("e", "u", "i", 5_000L));
        assertThat(PlaybackEventCodec.peekEventTime(Arrays.copyOf(good, 12)))
                .isEqualTo(Long.MIN_VALUE);
        assertThat(PlaybackEventCodec.peekEventTime(new byte[] {1, 2, 3}))
                .isEqualTo(Long.MIN_VALUE);
        assertThat(PlaybackEventCodec.peekEventTime(otherSchema())).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void tellsAnUnknownSchemaFromGarbage() {
        assertThatThrownBy(() -> PlaybackEventCodec.decode(otherSchema()))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNKNOWN_SCHEMA));
        assertThatThrownBy(() -> PlaybackEventCodec.decode("not avro".getBytes()))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNDECODABLE));
        byte[] good = PlaybackEventCodec.encode(play("e", "u", "i", 5_000L));
        assertThatThrownBy(() -> PlaybackEventCodec.decode(Arrays.copyOf(good, good.length - 4)))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNDECODABLE));
    }

    @Test
    void itemVectorsRoundTrip() throws Exception {
        ItemVector v =
                ItemVector.newBuilder()
                        .setItemId("t1")
                        .setVector(List.of(0.5f, -1f))
                        .setModelVersion(7)
                        .setEmittedAtMillis(Instant.ofEpochMilli(1234))
                        .setFullRefresh(true)
                        .setRefreshSize(3)
                        .build();
        assertThat(ItemVectorCodec.decode(ItemVectorCodec.encode(v))).isEqualTo(v);
    }

    /** A valid single-object record of another schema. */
    private static byte[] otherSchema() {
        return ItemVectorCodec.encode(
                ItemVector.newBuilder()
                        .setItemId("t1")
                        .setVector(List.of(0.5f))
                        .setModelVersion(1)
                        .setEmittedAtMillis(Instant.EPOCH)
                        .build());
    }
}
