package dev.deepmatch.job.migration;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * State written by release 0.1 (the code before 2026-12-02: POJO open batch under {@code
 * pending-examples}, window state without expiry timers, model codec version 3) restores into
 * today's operators. The fixtures under {@code savepoints/release-0.1} were written by that
 * release's own operators with Flink's {@code OperatorSnapshotUtil}; never regenerate them with
 * today's code.
 */
class Release01StateTest {

    private static String fixture(String name) throws Exception {
        URL url = Release01StateTest.class.getResource("/savepoints/release-0.1/" + name);
        return Path.of(url.toURI()).toString();
    }

    @Test
    void windowsRestoreWithTheirPlaysDedupMemoryAndCount() throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(fixture("user-windows.snapshot"));
        UserWindowFunction function =
                new UserWindowFunction(
                        new WindowRule(3, 4, Duration.ofMinutes(10).toMillis()),
                        Duration.ofDays(30));
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>(
                        new KeyedProcessOperator<>(function),
                        PlaybackEvent::getUserId,
                        Types.STRING);
        harness.initializeState(state);
        harness.open();
        assertThat(harness.numKeyedStateEntries()).as("alice, bob, carol").isEqualTo(3);
        assertThat(harness.numProcessingTimeTimers())
                .as("release 0.1 had no expiry timers")
                .isZero();

        // alice played t1 .. t5 (t2 skipped); the window kept the last three
        harness.processElement(play("a4", "alice", "t5", 5_000), 5_000); // a replay: dropped
        harness.processElement(play("a6", "alice", "t6", 20_000), 20_000);
        List<TrainingExample> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getHistoryItems()).containsExactly("t2", "t4", "t5");
        assertThat(out.get(0).getHistoryRates().get(0)).isEqualTo(0.1);
        assertThat(harness.numProcessingTimeTimers()).as("alice's window has one now").isEqualTo(1);
        harness.close();
    }

    @Test
    void theTrainerRestoresItsModelAndItsOpenBatch() throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(fixture("trainer.snapshot"));
        JobConfig config =
                JobConfig.fromArgs(
                        "--window-length",
                        "5",
                        "--factor-dim",
                        "4",
                        "--hidden",
                        "8",
                        "--heads",
                        "2",
                        "--blocks",
                        "1",
                        "--ff-dim",
                        "16",
                        "--negatives",
                        "5",
                        "--catalogue-capacity",
                        "200",
                        "--threads",
                        "1",
                        "--batch-size",
                        "4",
                        "--batch-max-delay",
                        "1 s",
                        "--emission-interval",
                        "10 s",
                        "--full-refresh-interval",
                        "60 s",
                        "--metrics-window",
                        "100");
        var harness =
                new OneInputStreamOperatorTestHarness<TrainingExample, ItemVector>(
                        new TrainerOperator(config.trainerSettings()));
        harness.setProcessingTime(0);
        harness.initializeState(state);
        harness.open();
        TrainerOperator trainer = (TrainerOperator) harness.getOperator();
        assertThat(trainer.model().version()).isEqualTo(6);
        int catalogue = trainer.model().catalogueSize();
        assertThat(catalogue).isPositive();

        // The full refresh after a restore, at the restored version.
        harness.setProcessingTime(1);
        List<ItemVector> refresh = harness.extractOutputValues();
        assertThat(refresh).hasSize(catalogue);
        assertThat(refresh).allSatisfy(v -> assertThat(v.getModelVersion()).isEqualTo(6));

        // The open batch of two examples came back from the old POJO state: its deadline trains
        // it, and the next snapshot keeps nothing in the old state.
        harness.setProcessingTime(1_001);
        assertThat(trainer.model().version()).isEqualTo(7);
        OperatorSubtaskState again = harness.snapshot(2, 2_000);
        harness.close();

        var reopened =
                new OneInputStreamOperatorTestHarness<TrainingExample, ItemVector>(
                        new TrainerOperator(config.trainerSettings()));
        reopened.setProcessingTime(0);
        reopened.initializeState(again);
        reopened.open();
        TrainerOperator second = (TrainerOperator) reopened.getOperator();
        assertThat(second.model().version()).isEqualTo(7);
        reopened.setProcessingTime(10_000);
        assertThat(second.model().version()).as("no open batch came back twice").isEqualTo(7);
        reopened.close();
    }
}
