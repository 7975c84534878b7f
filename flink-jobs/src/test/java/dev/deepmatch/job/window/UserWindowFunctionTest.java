package dev.deepmatch.job.window;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
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
                new KeyedProcessOperator<>(
                        new UserWindowFunction(new WindowRule(L, 4, LATENESS.toMillis()), TTL)),
                PlaybackEvent::getUserId,
                Types.STRING);
    }

    private void send(PlaybackEvent event) throws Exception {
        harness.processElement(event, event.getEventTimeMillis().toEpochMilli());
    }

    private static List<String> history(TrainingExample e) {
        return e.getHistoryItems();
    }

    private long windows() {
        return ((UserWindowFunction)
                        ((KeyedProcessOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
                .windows();
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
        assertThat(out)
                .extracting(e -> e.getTarget().getItemId())
                .containsExactly("b", "c", "d", "e");
        assertThat(history(out.get(0))).containsExactly("a");
        assertThat(history(out.get(1))).containsExactly("a", "b");
        assertThat(out.get(1).getHistoryRates()).containsExactly(1.0, 0.1);
        // The window keeps the last L plays: "a" is gone by the fifth play.
        assertThat(history(out.get(3))).containsExactly("b", "c", "d");
        assertThat(out.get(3).getTarget().getPlayRate()).isEqualTo(0.5);
        assertThat(out.get(3).getTarget().getEventTimeMillis()).isEqualTo(5_000);
        assertThat(out.get(3).getUserId()).isEqualTo("u");

        // One window per user; examples are emitted on arrival; each window has one expiry timer.
        send(play("x1", "v", "a", 1_000));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);
        assertThat(windows()).isEqualTo(2);
    }

    @Test
    void usersDoNotSeeEachOthersPlays() throws Exception {
        send(play("e1", "u", "a", 1_000));
        send(play("e2", "v", "b", 2_000));
        send(play("e3", "u", "c", 3_000));
        List<TrainingExample> out = drain();
        assertThat(out).hasSize(1);
        assertThat(history(out.get(0))).containsExactly("a");
    }

    @Test
    void replayedEventIdsAreDroppedAndChangeNothing() throws Exception {
        send(play("e1", "u", "a", 1_000));
        send(play("e2", "u", "b", 2_000));
        send(play("e1", "u", "a", 1_000)); // replay
        assertThat(drain()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
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
        assertThat(out).extracting(e -> e.getTarget().getItemId()).containsExactly("b");
        // y (within lateness) is in the window, before a; x never got in
        assertThat(history(out.get(0))).containsExactly("y", "a");
    }

    /**
     * A window is forgotten a TTL after its listener's last play, by its expiry timer, and the
     * windows gauge falls with it; each play moves the timer.
     */
    @Test
    void windowsExpireAfterTheStateTtlAndTheGaugeFalls() throws Exception {
        at(0);
        send(play("e1", "u", "a", 1_000));
        send(play("x1", "v", "a", 1_000));
        assertThat(windows()).isEqualTo(2);
        at(TTL.toMillis() - 1);
        send(play("e2", "u", "b", 2_000)); // u plays again: their timer moves
        assertThat(drain()).hasSize(1);
        at(TTL.toMillis());
        assertThat(windows()).as("v's window expired, u's not").isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        // A full TTL of silence forgets u too: the next play starts a new window.
        at(2 * TTL.toMillis() - 1);
        assertThat(windows()).isEqualTo(0);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        send(play("e3", "u", "c", 3_000));
        assertThat(drain()).isEmpty();
        send(play("e4", "u", "d", 4_000));
        assertThat(history(drain().get(0))).containsExactly("c");
        assertThat(windows()).isEqualTo(1);
    }

    /**
     * After a stop longer than twice the TTL, the state TTL has dropped a window whose timer is
     * overdue; a play that arrives before that timer fires makes a new window. The listener is
     * counted once: the old timer takes the old window's count with it, the new one keeps its own.
     */
    @Test
    void aWindowDroppedByTheStateTtlBeforeItsTimerFiredIsCountedOnce() throws Exception {
        harness.close();
        harness = newHarness();
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        at(0);
        send(play("e1", "u", "a", 1_000));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_000);
        harness.close();

        long restart = 3 * TTL.toMillis();
        harness = newHarness();
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.setProcessingTime(restart); // u's timer (at TTL) is overdue but has not fired
        harness.setStateTtlProcessingTime(restart);
        harness.initializeState(snapshot);
        harness.open();
        assertThat(windows()).isEqualTo(1);
        send(play("e2", "u", "b", 2_000));
        assertThat(drain()).as("the old window is gone: no example").isEmpty();
        at(restart + 1); // the overdue timer fires
        assertThat(windows()).as("u counted once").isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).as("the new window's timer").isEqualTo(1);
        at(restart + TTL.toMillis());
        assertThat(windows()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    /** Processing time of the timers and of the state TTL, as they are in a job. */
    private void at(long millis) throws Exception {
        harness.setStateTtlProcessingTime(millis);
        harness.setProcessingTime(millis);
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
        assertThat(history(out.get(0))).containsExactly("a", "b");
        assertThat(windows()).as("the count is restored").isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).as("and the timer").isEqualTo(1);
    }
}
