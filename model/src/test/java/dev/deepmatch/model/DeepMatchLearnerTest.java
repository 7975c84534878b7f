package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.REPLAY_BUFFER;
import static dev.deepmatch.model.ModelSettings.REPLAY_PER_BATCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.DeepMatchLearner;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeepMatchLearnerTest {

    private static DeepMatchLearner learner(ModelConfig cfg) {
        return new DeepMatchLearner(new DeepMatchModel(cfg, Fixtures.RUNTIME));
    }

    @Test
    void anEmptyCatalogueFindsNothing() {
        try (DeepMatchLearner learner = learner(Fixtures.tiny().build())) {
            assertThat(learner.rankTargets(Fixtures.batch(12, 3), 5)).containsOnly(-1);
        }
    }

    /**
     * Each rank is the target's place in an exact ranking of the whole catalogue by score, or -1
     * beyond the top N; ranking does not learn.
     */
    @Test
    void ranksAreTheTargetsPlaceInTheExactRanking() {
        int items = 40;
        try (DeepMatchLearner learner = learner(Fixtures.tiny().build())) {
            DeepMatchModel model = learner.model();
            for (int i = 0; i < 4; i++) {
                learner.learn(Fixtures.batch(items, 10 + i));
            }
            List<Example> probe = Fixtures.batch(items, 99);
            long version = model.version();
            int n = 20;
            int[] ranks = learner.rankTargets(probe, n);
            assertThat(model.version()).as("ranking must not learn").isEqualTo(version);

            double[][] users = model.userVectors(probe);
            int beyondTopN = 0;
            for (int e = 0; e < probe.size(); e++) {
                int target = model.rowOf(probe.get(e).targetItem());
                int expected = -1;
                if (target >= 0) {
                    double targetScore = score(users[e], model.itemVector(target));
                    int better = 0;
                    for (int r = 0; r < model.catalogueSize(); r++) {
                        if (score(users[e], model.itemVector(r)) > targetScore) {
                            better++;
                        }
                    }
                    expected = better < n ? better : -1;
                }
                beyondTopN += expected < 0 ? 1 : 0;
                assertThat(ranks[e]).as("example %d", e).isEqualTo(expected);
            }
            assertThat(beyondTopN).as("some targets beyond the top N").isPositive();
            assertThat(beyondTopN).as("some targets within it").isLessThan(probe.size());
        }
    }

    private static double score(double[] user, float[] item) {
        double s = 0;
        for (int j = 0; j < item.length; j++) {
            s += user[j] * item[j];
        }
        return s;
    }

    @Test
    void replayedExamplesTrainButDoNotCountAsNewPlays() {
        ModelConfig cfg = Fixtures.tiny().set(REPLAY_BUFFER, 100).set(REPLAY_PER_BATCH, 50).build();
        try (DeepMatchLearner learner = learner(cfg)) {
            List<Example> first = Fixtures.batch(12, 3);
            List<Example> second = Fixtures.batch(12, 4);
            learner.learn(first);
            assertThat(labelled(learner.lastTrainStats()))
                    .as("nothing to replay yet")
                    .isEqualTo(labelledCount(first));
            learner.learn(second);
            assertThat(labelled(learner.lastTrainStats()))
                    .as("replayed examples joined the step")
                    .isGreaterThan(labelledCount(second));
            // ...but the sampler counted each fresh target once: initial 1 plus its plays.
            DeepMatchModel model = learner.model();
            String target = second.get(0).targetItem();
            long plays =
                    java.util.stream.Stream.concat(first.stream(), second.stream())
                            .filter(e -> e.targetItem().equals(target))
                            .count();
            assertThat(model.items.sampler.count(model.rowOf(target))).isEqualTo(1 + plays);
        }
    }

    private static int labelled(TrainStats stats) {
        return stats.positives() + stats.negatives();
    }

    private static int labelledCount(List<Example> batch) {
        return (int)
                batch.stream().filter(e -> e.targetRate() >= 0.8 || e.targetRate() < 0.3).count();
    }
}
