package dev.deepmatch.job.validate;

import static dev.deepmatch.job.Plays.play;
import static dev.deepmatch.job.Plays.raw;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.codec.ItemVectorCodec;
import dev.deepmatch.job.source.RawRecord;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeAndValidateTest {

    private static final long NOW = 1_800_000_000_000L;

    private OneInputStreamOperatorTestHarness<RawRecord, PlaybackEvent> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new DecodeAndValidate(Duration.ofMinutes(5)));
        harness.setProcessingTime(NOW);
    }

    @Test
    void passesValidEventsThrough() throws Exception {
        PlaybackEvent ok = play("e1", "u1", "i1", NOW - 1000, 0.0);
        PlaybackEvent slightlyAhead = play("e2", "u1", "i2", NOW + 60_000, 1.0);
        harness.processElement(raw(1, ok), 0);
        harness.processElement(raw(2, slightlyAhead), 0);
        assertThat(harness.extractOutputValues()).containsExactly(ok, slightlyAhead);
        assertThat(harness.getSideOutput(DecodeAndValidate.DEAD_LETTERS)).isNull();
    }

    @Test
    void eachBadRecordBecomesADeadLetterWithReasonAndOffset() throws Exception {
        byte[] garbage = "garbage".getBytes();
        byte[] otherSchema =
                ItemVectorCodec.encode(
                        ItemVector.newBuilder()
                                .setItemId("x")
                                .setVector(List.of(1f))
                                .setModelVersion(1)
                                .setEmittedAtMillis(Instant.EPOCH)
                                .build());
        harness.processElement(raw(10, garbage), 0);
        harness.processElement(raw(11, otherSchema), 0);
        harness.processElement(raw(12, (byte[]) null), 0);
        harness.processElement(raw(13, play("", "u", "i", NOW)), 0);
        harness.processElement(raw(14, play("e", " ", "i", NOW)), 0);
        harness.processElement(raw(15, play("e", "u", "", NOW)), 0);
        harness.processElement(raw(16, play("e", "u", "i", NOW, 1.5)), 0);
        harness.processElement(raw(17, play("e", "u", "i", NOW, -0.1)), 0);
        harness.processElement(raw(18, play("e", "u", "i", NOW, Double.NaN)), 0);
        harness.processElement(raw(19, play("e", "u", "i", NOW + 6 * 60_000)), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> letters =
                harness.getSideOutput(DecodeAndValidate.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());
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
                        "FUTURE_EVENT_TIME");
        assertThat(letters)
                .extracting(DeadLetter::getSourceOffset)
                .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        DeadLetter first = letters.get(0);
        assertThat(first.getSourceTopic()).isEqualTo("playback-events");
        assertThat(first.getSourcePartition()).isEqualTo(3);
        assertThat(first.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(first.getOriginalKey()).isEqualTo(ByteBuffer.wrap("k".getBytes()));
        assertThat(first.getDetectedAtMillis()).isEqualTo(NOW);
        assertThat(letters.get(6).getDetail()).contains("1.5");
        assertThat(letters.get(2).getOriginalValue()).isNull();
    }
}
