package dev.deepmatch.job.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserVector;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A stream that turns bad midway (the same listeners, but every play a random track played through)
 * trips the gate: no item or user vector leaves the trainer while it holds, and a stream that
 * recovers lets publication resume with a full refresh.
 */
class QualityGateTrainerTest {
    private static final int TRACKS = 40;

    private static final String[] ARGS = {
        "--window-length", "3",
        "--factor-dim", "8",
        "--hidden", "16",
        "--heads", "2",
        "--blocks", "1",
        "--ff-dim", "16",
        "--negatives", "5",
        "--catalogue-capacity", "200",
        "--threads", "1",
        "--batch-size", "16",
        "--emission-interval", "1 s",
        "--user-vector-interval", "1 s",
        "--gate-window", "200",
        "--gate-trailing", "1000",
        "--gate-warm-up", "1000",
    };

    private long now;
    private long eventTime;

    /** Each play leads to the next track of a fixed ring (learnable), or to a random one. */
    private void play(
            TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector> h,
            int n,
            boolean poisoned,
            Random random)
            throws Exception {
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(TRACKS);
            String target = "t" + (poisoned ? random.nextInt(TRACKS) : (k + 1) % TRACKS);
            eventTime += 100;
            h.processElement1(
                    new StreamRecord<>(
                            dev.deepmatch.job.Plays.example(
                                    "u" + random.nextInt(50),
                                    new String[] {"t" + (k + TRACKS - 1) % TRACKS, "t" + k},
                                    new double[] {0.9, 0.9},
                                    new int[] {2, 2},
                                    target,
                                    poisoned ? 1.0 : 0.9,
                                    eventTime),
                            eventTime));
            if (i % 50 == 49) {
                now += 1_000;
                h.setProcessingTime(now); // emissions
            }
        }
    }

    private static TrainerOperator trainer(TwoInputStreamOperatorTestHarness<?, ?, ?> h) {
        return (TrainerOperator) h.getOperator();
    }

    private static List<UserVector> users(TwoInputStreamOperatorTestHarness<?, ?, ?> h) {
        var q = h.getSideOutput(TrainerOperator.USER_VECTORS);
        List<UserVector> out = q == null ? List.of() : q.stream().map(r -> r.getValue()).toList();
        if (q != null) {
            q.clear();
        }
        return out;
    }

    @Test
    void aStreamTurningBadHoldsPublicationAndItsRecoveryResumesIt() throws Exception {
        var h =
                new TwoInputStreamOperatorTestHarness<>(
                        new TrainerOperator(JobConfig.fromArgs(ARGS).trainerSettings()));
        try {
            h.setProcessingTime(0);
            h.initializeEmptyState();
            h.open();
            Random random = new Random(3);

            play(h, 6_000, false, random);
            TrainerOperator t = trainer(h);
            assertThat(t.gate().held()).isFalse();
            assertThat(t.gate().trailingPos()).as("the ring is learnt").isGreaterThan(0.6);
            assertThat(h.extractOutputValues()).isNotEmpty();
            assertThat(users(h)).isNotEmpty();

            play(h, 1_000, true, random);
            assertThat(t.gate().held()).as("gate: %s", t.gate().describe()).isTrue();
            long good = t.lastGoodVersion();
            h.getOutput().clear();
            users(h);

            play(h, 3_000, true, random);
            assertThat(t.gate().held()).isTrue();
            assertThat(h.extractOutputValues()).as("no item vector while held").isEmpty();
            assertThat(users(h)).as("no user vector while held").isEmpty();
            assertThat(t.lastGoodVersion()).isEqualTo(good);
            assertThat(t.model().version()).as("the model kept learning").isGreaterThan(good);

            play(h, 3_000, false, random);
            assertThat(t.gate().held()).as("gate: %s", t.gate().describe()).isFalse();
            List<ItemVector> after = h.extractOutputValues();
            assertThat(after).anyMatch(ItemVector::getFullRefresh);
            assertThat(users(h)).isNotEmpty();
        } finally {
            h.close();
        }
    }
}
