package dev.deepmatch.schema.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec.DecodeException;
import dev.deepmatch.schema.wire.WireCodec.Failure;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
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
                "phone",
                "4.2.1");
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

    /**
     * A device of release 0.1 writes the v1 schema (no appVersion) under its own fingerprint; the
     * codec resolves it to the current schema, interleaved with current records.
     */
    @Test
    void readsRecordsOfTheOlderWriterSchema() throws Exception {
        Schema v1 =
                WireCodec.PLAYBACK_EVENT.writerSchemas().values().stream()
                        .skip(1)
                        .findFirst()
                        .get();
        assertThat(v1.getField("appVersion")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("eventId", "e-old");
        old.put("userId", "u1");
        old.put("itemId", "track-1");
        old.put("eventTimeMillis", 1_700_000_000_000L);
        old.put("playRate", 0.75);
        old.put(
                "intent",
                new GenericData.EnumSymbol(v1.getField("intent").schema(), "EXACT_TRACK"));
        old.put("deviceId", "car");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old, bytes);
        byte[] oldBytes = bytes.toByteArray();
        byte[] newBytes = WireCodec.PLAYBACK_EVENT.encode(play());
        assertThat(Arrays.copyOfRange(oldBytes, 2, 10))
                .as("the two writers' fingerprints")
                .isNotEqualTo(Arrays.copyOfRange(newBytes, 2, 10));

        PlaybackEvent read = WireCodec.PLAYBACK_EVENT.decode(oldBytes);
        assertThat(read.getEventId()).isEqualTo("e-old");
        assertThat(read.getIntent()).isEqualTo(IntentType.EXACT_TRACK);
        assertThat(read.getDeviceId()).isEqualTo("car");
        assertThat(read.getPlayRate()).isEqualTo(0.75);
        assertThat(read.getAppVersion()).as("the field v1 does not have").isNull();
        assertThat(WireCodec.PLAYBACK_EVENT.decode(newBytes).getAppVersion()).isEqualTo("4.2.1");

        byte[] padded = Arrays.copyOf(oldBytes, oldBytes.length + 3);
        assertThatThrownBy(() -> WireCodec.PLAYBACK_EVENT.decode(padded))
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
