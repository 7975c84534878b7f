package dev.deepmatch.job.source;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.wire.WireCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaybackDecoderTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_VALUE = 512 << 10;

    private final PlaybackDecoder decoder =
            new PlaybackDecoder(
                    Duration.ofMinutes(5),
                    MAX_VALUE,
                    Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    private DecodedPlay decode(long offset, byte[] value) {
        return decoder.decode("playback-events", 3, offset, KEY, value);
    }

    private DecodedPlay decode(long offset, PlaybackEvent event) {
        return decode(offset, WireCodec.PLAYBACK_EVENT.encode(event));
    }

    @Test
    void aGoodPlayIsDecodedWithItsEventTimeForTheWatermark() {
        PlaybackEvent ok = play("e1", "u1", "i1", NOW - 1000, 0.0);
        PlaybackEvent slightlyAhead = play("e2", "u1", "i2", NOW + 60_000, 1.0);
        DecodedPlay a = decode(1, ok);
        assertThat(a.event).isEqualTo(ok);
        assertThat(a.deadLetter).isNull();
        assertThat(a.eventTimeMillis()).isEqualTo(NOW - 1000);
        assertThat(decode(2, slightlyAhead).event).isEqualTo(slightlyAhead);
    }

    @Test
    void eachBadRecordBecomesADeadLetterWithReasonCoordinatesAndBytes() {
        byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
        byte[] otherSchema =
                WireCodec.ITEM_VECTOR.encode(
                        ItemVector.newBuilder()
                                .setItemId("x")
                                .setVector(List.of(1f))
                                .setModelVersion(1)
                                .setEmittedAtMillis(Instant.EPOCH)
                                .build());
        byte[] good = WireCodec.PLAYBACK_EVENT.encode(play("e", "u", "i", NOW));
        byte[] trailing = Arrays.copyOf(good, good.length + 7);
        List<DecodedPlay> decoded = new ArrayList<>();
        decoded.add(decode(10, garbage));
        decoded.add(decode(11, otherSchema));
        decoded.add(decode(12, (byte[]) null));
        decoded.add(decode(13, play("", "u", "i", NOW)));
        decoded.add(decode(14, play("e", " ", "i", NOW)));
        decoded.add(decode(15, play("e", "u", "", NOW)));
        decoded.add(decode(16, play("e", "u", "i", NOW, 1.5)));
        decoded.add(decode(17, play("e", "u", "i", NOW, -0.1)));
        decoded.add(decode(18, play("e", "u", "i", NOW, Double.NaN)));
        decoded.add(decode(19, play("e", "u", "i", NOW + 6 * 60_000)));
        decoded.add(decode(20, trailing));
        decoded.add(decode(21, play("e", "u", "i".repeat(PlaybackDecoder.MAX_ID_CHARS + 1), NOW)));
        decoded.add(decode(22, play("e", "u\u0000x", "i", NOW)));
        decoded.add(decode(23, play("e\n1", "u", "i", NOW)));

        assertThat(decoded).allSatisfy(d -> assertThat(d.event).isNull());
        assertThat(decoded)
                .allSatisfy(d -> assertThat(d.eventTimeMillis()).isEqualTo(Long.MIN_VALUE));
        List<DeadLetter> letters = decoded.stream().map(d -> d.deadLetter).toList();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "UNDECODABLE",
                        "UNKNOWN_SCHEMA",
                        "EMPTY_RECORD",
                        "EMPTY_EVENT_ID",
                        "EMPTY_USER_ID",
                        "EMPTY_ITEM_ID",
                        "RATE_OUT_OF_RANGE",
                        "RATE_OUT_OF_RANGE",
                        "RATE_OUT_OF_RANGE",
                        "FUTURE_EVENT_TIME",
                        "UNDECODABLE",
                        "ID_TOO_LONG",
                        "CONTROL_CHARACTER_IN_ID",
                        "CONTROL_CHARACTER_IN_ID");
        assertThat(letters)
                .extracting(DeadLetter::getSourceOffset)
                .containsExactly(
                        10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L);
        DeadLetter first = letters.get(0);
        assertThat(first.getSourceTopic()).isEqualTo("playback-events");
        assertThat(first.getSourcePartition()).isEqualTo(3);
        assertThat(first.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(first.getOriginalKey()).isEqualTo(ByteBuffer.wrap(KEY));
        assertThat(first.getDetectedAtMillis()).isEqualTo(NOW);
        assertThat(letters.get(1).getDetail())
                .contains(WireCodec.hex(WireCodec.ITEM_VECTOR.fingerprint()));
        assertThat(letters.get(6).getDetail()).contains("1.5");
        assertThat(letters.get(2).getOriginalValue()).isNull();
        assertThat(letters.get(10).getDetail()).contains("bytes left after one PlaybackEvent");
        assertThat(letters.get(11).getDetail()).startsWith("itemId has 513 characters");
        assertThat(letters.get(12).getDetail()).startsWith("userId has a control character U+0000");
        assertThat(letters.get(13).getDetail()).contains("(eventId e\\u000a1)");
    }

    @Test
    void idsAtTheLimitAndBeyondAsciiAreGood() {
        String longest = "t".repeat(PlaybackDecoder.MAX_ID_CHARS);
        assertThat(decode(1, play("e", "u", longest, NOW)).event).isNotNull();
        assertThat(decode(2, play("e", "ユーザー", "Beyoncé – Halo", NOW)).event).isNotNull();
    }

    /**
     * A record just under the broker's 1 MB limit (the size that put the job into a restart loop:
     * its dead letter did not fit the producer's request) makes a bounded dead letter that says
     * what it cut.
     */
    @Test
    void aHugeRecordMakesABoundedDeadLetter() throws Exception {
        byte[] huge = new byte[1_048_450];
        java.util.Arrays.fill(huge, (byte) 'x');
        byte[] hugeKey = new byte[100_000];
        DeadLetter letter = decoder.decode("playback-events", 0, 7, hugeKey, huge).deadLetter;
        assertThat(letter.getReason()).isEqualTo("UNDECODABLE");
        assertThat(letter.getTruncated()).isTrue();
        assertThat(letter.getOriginalValueSize()).isEqualTo(huge.length);
        assertThat(letter.getOriginalKeySize()).isEqualTo(hugeKey.length);
        assertThat(letter.getOriginalValue().remaining()).isEqualTo(MAX_VALUE);
        assertThat(letter.getOriginalKey().remaining()).isEqualTo(PlaybackDecoder.MAX_KEY_BYTES);
        assertThat(WireCodec.DEAD_LETTER.encode(letter).length)
                .as("fits Kafka's default max.request.size with room to spare")
                .isLessThan(MAX_VALUE + (64 << 10));
        DeadLetter decoded = WireCodec.DEAD_LETTER.decode(WireCodec.DEAD_LETTER.encode(letter));
        assertThat(decoded.getOriginalValue()).isEqualTo(ByteBuffer.wrap(huge, 0, MAX_VALUE));

        DeadLetter small = decode(1, "garbage".getBytes(StandardCharsets.UTF_8)).deadLetter;
        assertThat(small.getTruncated()).isFalse();
        assertThat(small.getOriginalValueSize()).isEqualTo(7);
        assertThat(small.getOriginalKeySize()).isEqualTo(1);
    }
}
