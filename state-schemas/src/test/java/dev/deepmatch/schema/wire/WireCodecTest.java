package dev.deepmatch.schema.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec.DecodeException;
import dev.deepmatch.schema.wire.WireCodec.Failure;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    private static PlaybackEvent play() {
        return new PlaybackEvent(
                "e1",
                "u1",
                "track-9",
                Instant.ofEpochMilli(1_700_000_000_123L),
                0.25,
                IntentType.AUTOPLAY,
                "phone");
    }

    @Test
    void roundTripsEveryField() throws Exception {
        PlaybackEvent event = play();
        assertThat(WireCodec.PLAYBACK_EVENT.decode(WireCodec.PLAYBACK_EVENT.encode(event)))
                .isEqualTo(event);
    }

    /** The bytes are Avro's own single-object encoding: any Avro library reads and writes them. */
    @Test
    void theBytesAreAvroSingleObjectEncoding() throws Exception {
        PlaybackEvent event = play();
        byte[] ours = WireCodec.PLAYBACK_EVENT.encode(event);
        BinaryMessageEncoder<PlaybackEvent> avro = PlaybackEvent.getEncoder();
        assertThat(ours).isEqualTo(avro.encode(event).array());
        BinaryMessageDecoder<PlaybackEvent> decoder = PlaybackEvent.getDecoder();
        assertThat(decoder.decode(ours)).isEqualTo(event);
        assertThat(ours[0]).isEqualTo((byte) 0xC3);
        assertThat(ours[1]).isEqualTo((byte) 0x01);
    }

    @Test
    void tellsAnUnknownSchemaFromGarbage() {
        assertThatThrownBy(() -> WireCodec.PLAYBACK_EVENT.decode(otherSchema()))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNKNOWN_SCHEMA))
                .hasMessageContaining(WireCodec.hex(WireCodec.ITEM_VECTOR.fingerprint()));
        assertThatThrownBy(() -> WireCodec.PLAYBACK_EVENT.decode("not avro".getBytes()))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNDECODABLE));
        assertThatThrownBy(() -> WireCodec.PLAYBACK_EVENT.decode(new byte[0]))
                .hasMessage("empty payload");
        byte[] good = WireCodec.PLAYBACK_EVENT.encode(play());
        assertThatThrownBy(
                        () -> WireCodec.PLAYBACK_EVENT.decode(Arrays.copyOf(good, good.length - 4)))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNDECODABLE));
    }

    @Test
    void bytesAfterTheRecordAreAnError() {
        byte[] good = WireCodec.PLAYBACK_EVENT.encode(play());
        byte[] padded = Arrays.copyOf(good, good.length + 7);
        assertThatThrownBy(() -> WireCodec.PLAYBACK_EVENT.decode(padded))
                .isInstanceOfSatisfying(
                        DecodeException.class,
                        e -> assertThat(e.failure()).isEqualTo(Failure.UNDECODABLE))
                .hasMessage("bytes left after one PlaybackEvent record");
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
        assertThat(WireCodec.ITEM_VECTOR.decode(WireCodec.ITEM_VECTOR.encode(v))).isEqualTo(v);
    }

    @Test
    void fingerprintsShowAsSixteenHexDigits() {
        assertThat(WireCodec.hex(0x00ff_0000_0000_0001L)).isEqualTo("00ff000000000001");
        assertThat(WireCodec.hex(-1L)).isEqualTo("ffffffffffffffff");
    }

    /** A valid single-object record of another schema. */
    private static byte[] otherSchema() {
        return WireCodec.ITEM_VECTOR.encode(
                ItemVector.newBuilder()
                        .setItemId("t1")
                        .setVector(List.of(0.5f))
                        .setModelVersion(1)
                        .setEmittedAtMillis(Instant.EPOCH)
                        .build());
    }
}
