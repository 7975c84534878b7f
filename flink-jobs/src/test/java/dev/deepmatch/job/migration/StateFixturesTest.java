package dev.deepmatch.job.migration;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State written by every release restores into today's operators, in the style of the Kafka
 * connector's migration tests: one folder of fixtures per release under {@code savepoints/}, each
 * written by that release's own operators with Flink's {@code OperatorSnapshotUtil}, never
 * regenerated. A change of state layout that cannot read one of them fails here.
 *
 * <ul>
 *   <li>{@code release-0.1} (the code before 2026-12-02): POJO open batch under {@code
 *       pending-examples}, window state without expiry timers, model codec version 3;
 *   <li>{@code release-0.2} (2026-12-02): the same listeners, model and open batch as written by
 *       that release ({@link WriteStateFixtures}): Avro {@code pending-batch}, windows with {@code
 *       expiresAtMillis}, model codec version 4, counter totals;
 *   <li>{@code release-0.3} (2026-12-08): the same, written by the operators of that day: windows
 *       with {@code createdAtMillis}, model codec version 7 (successor channel, the catalogue's
 *       clock), several-trainer layout (exchange marks).
 * </ul>
 *
 * When a release changes state, add its folder (run {@link WriteStateFixtures}) and its name to
 * {@link #releases()}.
 */
class StateFixturesTest {

    static Stream<String> releases() {
        return Stream.of("release-0.1", "release-0.2", "release-0.3");
    }

    static String fixture(String release, String name) throws Exception {
        URL url = StateFixturesTest.class.getResource("/savepoints/" + release + "/" + name);
        if (url == null) {
            throw new AssertionError("no fixture " + release + "/" + name);
        }
        return Path.of(url.toURI()).toString();
    }

    @ParameterizedTest
    @MethodSource("releases")
    void windowsRestoreWithTheirPlaysDedupMemoryAndCount(String release) throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(fixture(release, "user-windows.snapshot"));
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
        // release 0.1 had no expiry timers; release 0.2's carol played once more, so has one
        int timers = release.equals("release-0.1") ? 0 : 1;
        assertThat(harness.numProcessingTimeTimers()).as("expiry timers").isEqualTo(timers);

        // alice played t1 .. t5 (t2 skipped); the window kept the last three
        harness.processElement(play("a4", "alice", "t5", 5_000), 5_000); // a replay: dropped
        harness.processElement(play("a6", "alice", "t6", 20_000), 20_000);
        List<TrainingExample> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getHistoryItems()).containsExactly("t2", "t4", "t5");
        assertThat(out.get(0).getHistoryRates().get(0)).isEqualTo(0.1);
        assertThat(harness.numProcessingTimeTimers())
                .as("alice's window has one now")
                .isEqualTo(timers + 1);
        harness.close();
    }

    @ParameterizedTest
    @MethodSource("releases")
    void theTrainerRestoresItsModelAndItsOpenBatch(String release) throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(fixture(release, "trainer.snapshot"));
        JobConfig config = trainerConfig();
        var harness =
                new TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>(
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
                new TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>(
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

    /** The trainer settings both fixtures were written with. */
    static JobConfig trainerConfig() throws Exception {
        return JobConfig.fromArgs(
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
    }
}
