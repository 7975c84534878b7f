package dev.deepmatch.job.window;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The window operator rescaled as a savepoint would rescale it: state of one subtask split over two
 * by key group, then the two merged back into one. Each probe listener's next play gets, as its
 * history, exactly the plays the listener made before, wherever the window lived meanwhile.
 */
class UserWindowRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final int WINDOW = 3;
    private static final int USERS = 40;

    private final Map<String, List<String>> played = new HashMap<>();
    private long time = 1_000;

    @Test
    void windowsMoveToTheirNewSubtaskAndBackWithTheirPlays() throws Exception {
        var one = harness(1, 0);
        one.open();
        for (int round = 0; round < 4; round++) {
            for (int u = 0; u < USERS; u++) {
                playAndCheck(List.of(one), 1, "u" + u, "t" + (u * 7 + round) % 50);
            }
        }
        assertThat(one.numKeyedStateEntries()).isEqualTo(USERS);
        OperatorSubtaskState atOne = one.snapshot(1, time);
        one.close();

        // P=1 -> P=2
        List<KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>> two =
                new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var h = harness(2, i);
            h.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            atOne, MAX_PARALLELISM, 1, 2, i));
            h.open();
            two.add(h);
        }
        assertThat(two.get(0).numKeyedStateEntries() + two.get(1).numKeyedStateEntries())
                .isEqualTo(USERS);
        assertThat(two.get(0).numKeyedStateEntries()).as("both subtasks hold windows").isPositive();
        for (int u = 0; u < USERS; u++) {
            playAndCheck(two, 2, "u" + u, "t" + (u * 3) % 50);
        }
        OperatorSubtaskState atTwo =
                AbstractStreamOperatorTestHarness.repackageState(
                        two.get(0).snapshot(2, time), two.get(1).snapshot(2, time));
        for (var h : two) {
            h.close();
        }

        // P=2 -> P=1
        var back = harness(1, 0);
        back.initializeState(
                AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        atTwo, MAX_PARALLELISM, 2, 1, 0));
        back.open();
        assertThat(back.numKeyedStateEntries()).isEqualTo(USERS);
        for (int u = 0; u < USERS; u++) {
            playAndCheck(List.of(back), 1, "u" + u, "t" + (u * 5 + 1) % 50);
        }
        back.close();
    }

    /** Sends the play to the subtask owning the user and checks the example's history. */
    private void playAndCheck(
            List<KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>>
                    subtasks,
            int parallelism,
            String user,
            String item)
            throws Exception {
        int owner =
                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                        user, MAX_PARALLELISM, parallelism);
        var h = subtasks.get(owner);
        int before = h.extractOutputValues().size();
        time += 1_000;
        h.processElement(play(user + "-" + time, user, item, time), time);
        List<String> history = played.computeIfAbsent(user, k -> new ArrayList<>());
        List<TrainingExample> out = h.extractOutputValues();
        if (history.isEmpty()) {
            assertThat(out).as("a first play makes no example").hasSize(before);
        } else {
            assertThat(out).hasSize(before + 1);
            List<String> expected =
                    history.subList(Math.max(0, history.size() - WINDOW), history.size());
            assertThat(out.get(out.size() - 1).getHistoryItems())
                    .as("history of %s on subtask %d of %d", user, owner, parallelism)
                    .containsExactlyElementsOf(expected);
        }
        history.add(item);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>
            harness(int parallelism, int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new UserWindowFunction(
                                new WindowRule(WINDOW, 4, Duration.ofMinutes(10).toMillis()),
                                Duration.ofDays(30))),
                PlaybackEvent::getUserId,
                Types.STRING,
                MAX_PARALLELISM,
                parallelism,
                subtask);
    }
}
