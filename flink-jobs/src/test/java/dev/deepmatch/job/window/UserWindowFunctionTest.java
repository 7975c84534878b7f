package dev.deepmatch.job.window;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.schema.PlaybackEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserWindowFunctionTest {

    private static final int L = 3;
    private static final Duration LATENESS = Duration.ofSeconds(100);
    private static final Duration TTL = Duration.ofDays(30);

    private KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new UserWindowFunction(L, 4, LATENESS, TTL)),
                PlaybackEvent::getUserId,
                Types.STRING);
    }

    private void send(PlaybackEvent event) throws Exception {
        harness.processElement(event, event.getEventTimeMillis().toEpochMilli());
    }

    private List<TrainingExample> drain() {
        List<TrainingExample> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void everyPlayAfterTheFirstIsAnExampleWithUpToLEarlierPlays() throws Exception {
        send(play("e1", "u", "a", 1_000));
        assertThat(drain()).isEmpty();
        send(play("e2", "u", "b", 2_000, 0.1));
        send(play("e3", "u", "c", 3_000));
        send(play("e4", "u", "d", 4_000));
        send(play("e5", "u", "e", 5_000, 0.5));

        List<TrainingExample> out = drain();
        assertThat(out).extracting(e -> e.targetItem).containsExactly("b", "c", "d", "e");
        assertThat(out.get(0).historyItems).containsExactly("a");
        assertThat(out.get(1).historyItems).containsExactly("a", "b");
        assertThat(out.get(1).historyRates).containsExactly(1.0, 0.1);
        // The window keeps the last L plays: "a" is gone by the fifth play.
        assertThat(out.get(3).historyItems).containsExactly("b", "c", "d");
        assertThat(out.get(3).targetRate).isEqualTo(0.5);
        assertThat(out.get(3).targetEventTimeMillis).isEqualTo(5_000);
        assertThat(out.get(3).userId).isEqualTo("u");

        // One window per user; examples are emitted on arrival, so no timers are left behind.
        send(play("x1", "v", "a", 1_000));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void usersDoNotSeeEachOthersPlays() throws Exception {
        send(play("e1", "u", "a", 1_000));
        send(play("e2", "v", "b", 2_000));
        send(play("e3", "u", "c", 3_000));
        List<TrainingExample> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).historyItems).containsExactly("a");
    }

    @Test
    void replayedEventIdsAreDroppedWithBoundedMemory() throws Exception {
        send(play("e1", "u", "a", 1_000));
        send(play("e2", "u", "b", 2_000));
        send(play("e1", "u", "a", 1_000)); // replay
        send(play("e2", "u", "b", 2_000)); // replay
        assertThat(drain()).hasSize(1);

        // Dedup memory is 4 ids: after four newer plays, e1 is forgotten and accepted again.
        send(play("e3", "u", "c", 3_000));
        send(play("e4", "u", "d", 4_000));
        send(play("e5", "u", "e", 5_000));
        drain();
        send(play("e1", "u", "a", 6_000));
        assertThat(drain()).extracting(e -> e.targetItem).containsExactly("a");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void outOfOrderPlaysArePlacedByEventTime() throws Exception {
        send(play("e1", "u", "a", 10_000));
        send(play("e3", "u", "c", 30_000));
        send(play("e2", "u", "b", 20_000)); // arrives late, happened between a and c
        send(play("e0", "u", "z", 5_000)); // before everything: no earlier play, no example
        send(play("e4", "u", "d", 40_000));

        List<TrainingExample> out = drain();
        assertThat(out).extracting(e -> e.targetItem).containsExactly("c", "b", "d");
        assertThat(out.get(1).historyItems).containsExactly("a");
        // z was inserted first and then evicted as the oldest of L + 1 plays
        assertThat(out.get(2).historyItems).containsExactly("a", "b", "c");
    }

    @Test
    void playsBehindTheWatermarkByMoreThanTheAllowedLatenessAreDropped() throws Exception {
        send(play("e1", "u", "a", 500_000));
        harness.processWatermark(new Watermark(500_000));
        send(play("late", "u", "x", 500_000 - LATENESS.toMillis() - 1));
        assertThat(drain()).isEmpty();
        send(play("inTime", "u", "y", 500_000 - LATENESS.toMillis()));
        send(play("e2", "u", "b", 600_000));
        List<TrainingExample> out = drain();
        assertThat(out).extracting(e -> e.targetItem).containsExactly("b");
        // y (within lateness) is in the window, before a; x never got in
        assertThat(out.get(0).historyItems).containsExactly("y", "a");
    }

    @Test
    void windowsExpireAfterTheStateTtl() throws Exception {
        harness.setStateTtlProcessingTime(0);
        send(play("e1", "u", "a", 1_000));
        harness.setStateTtlProcessingTime(TTL.toMillis() - 1);
        send(play("e2", "u", "b", 2_000));
        assertThat(drain()).hasSize(1);

        // The TTL counts from the last write: a full TTL of silence forgets the user.
        harness.setStateTtlProcessingTime(2 * TTL.toMillis());
        send(play("e3", "u", "c", 3_000));
        assertThat(drain()).isEmpty();
        send(play("e4", "u", "d", 4_000));
        assertThat(drain().get(0).historyItems).containsExactly("c");
    }

    @Test
    void windowsSurviveSnapshotAndRestoreOnRocksDb() throws Exception {
        harness.close();
        harness = newHarness();
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        send(play("e1", "u", "a", 1_000));
        send(play("e2", "u", "b", 2_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 3_000);
        harness.close();

        harness = newHarness();
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        send(play("e2", "u", "b", 2_000)); // still remembered as a duplicate
        send(play("e3", "u", "c", 3_000));
        List<TrainingExample> out = drain();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).historyItems).containsExactly("a", "b");
    }
}
