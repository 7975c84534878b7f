package dev.deepmatch.job.source;

import static dev.deepmatch.job.Plays.decoded;
import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.PlaybackEvent;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class SplitDeadLettersTest {

    @Test
    void usablePlaysGoOnAndDeadLettersGoToTheSideOutput() throws Exception {
        OneInputStreamOperatorTestHarness<DecodedPlay, PlaybackEvent> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new SplitDeadLetters());
        PlaybackEvent ok = play("e1", "u1", "i1", 1_000);
        harness.processElement(decoded(1, ok), 0);
        harness.processElement(decoded(2, new byte[] {1, 2}), 0);
        harness.processElement(decoded(3, play("e3", "u1", "i1", 1_000, 7.0)), 0);
        assertThat(harness.extractOutputValues()).containsExactly(ok);
        assertThat(harness.getSideOutput(SplitDeadLetters.DEAD_LETTERS))
                .extracting(StreamRecord::getValue)
                .extracting(DeadLetter::getReason)
                .containsExactly("UNDECODABLE", "RATE_OUT_OF_RANGE");
        harness.close();
    }
}
