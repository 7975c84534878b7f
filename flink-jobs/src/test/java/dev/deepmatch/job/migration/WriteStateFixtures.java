package dev.deepmatch.job.migration;

import static dev.deepmatch.job.Plays.play;

import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;

/**
 * Writes the state fixtures of the current release for {@link StateFixturesTest}: the listeners and
 * the model of the release 0.1 fixtures, taken through today's operators (so written with today's
 * layout and serializers), plus one new play of carol, whose window then carries an expiry timer.
 * Run once per release that changes state, never to refresh an existing folder:
 *
 * <pre>
 * cd flink-jobs &amp;&amp; mvn -B -q test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat /tmp/cp) \
 *     dev.deepmatch.job.migration.WriteStateFixtures src/test/resources/savepoints/release-0.3
 * </pre>
 */
public final class WriteStateFixtures {

    private WriteStateFixtures() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (Files.exists(dir.resolve("trainer.snapshot"))) {
            throw new IllegalStateException(dir + " already holds fixtures: never regenerate them");
        }
        Files.createDirectories(dir);

        var windows =
                new KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>(
                        new KeyedProcessOperator<>(
                                new UserWindowFunction(
                                        new WindowRule(3, 4, Duration.ofMinutes(10).toMillis()),
                                        Duration.ofDays(30))),
                        PlaybackEvent::getUserId,
                        Types.STRING);
        windows.initializeState(
                OperatorSnapshotUtil.readStateHandle(
                        StateFixturesTest.fixture("release-0.1", "user-windows.snapshot")));
        windows.open();
        windows.processElement(play("c-new", "carol", "t9", 100_000), 100_000);
        OperatorSubtaskState windowState = windows.snapshot(1, 1);
        windows.close();
        OperatorSnapshotUtil.writeStateHandle(
                windowState, dir.resolve("user-windows.snapshot").toString());

        var trainer =
                new TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>(
                        new TrainerOperator(StateFixturesTest.trainerConfig().trainerSettings()));
        trainer.setProcessingTime(0);
        trainer.initializeState(
                OperatorSnapshotUtil.readStateHandle(
                        StateFixturesTest.fixture("release-0.1", "trainer.snapshot")));
        trainer.open();
        // before the open batch's deadline: the snapshot holds model version 6 and two examples
        OperatorSubtaskState trainerState = trainer.snapshot(1, 1);
        trainer.close();
        OperatorSnapshotUtil.writeStateHandle(
                trainerState, dir.resolve("trainer.snapshot").toString());
        System.out.println(
                "wrote " + dir.resolve("user-windows.snapshot") + " and trainer.snapshot");
    }
}
