package dev.deepmatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepmatch.model.eval.DeepMatchLearner;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeepMatchLearnerTest {

    @Test
    void ranksBeforeLearningAndUnknownTargetsMiss() {
        try (DeepMatchLearner learner =
                new DeepMatchLearner(Fixtures.tiny().replayBuffer(0).replayPerBatch(0).build())) {
            List<Example> batch = Fixtures.batch(12, 3);
            int[] ranks = learner.rankTargets(batch, 5);
            for (int r : ranks) {
                assertEquals(-1, r, "an empty catalogue finds nothing");
            }
            learner.learn(batch);
            int[] after = learner.rankTargets(batch, 12);
            for (int i = 0; i < batch.size(); i++) {
                int row = learner.model().rowOf(batch.get(i).targetItem());
                assertTrue(row >= 0);
                assertTrue(after[i] >= 0 && after[i] < 12, "known target ranked among all");
            }
        }
    }

    @Test
    void replayedExamplesTrainButDoNotCountAsNewPlays() {
        ModelConfig cfg = Fixtures.tiny().replayBuffer(100).replayPerBatch(50).build();
        try (DeepMatchLearner learner = new DeepMatchLearner(cfg)) {
            List<Example> first = Fixtures.batch(12, 3);
            List<Example> second = Fixtures.batch(12, 4);
            learner.learn(first);
            assertEquals(
                    first.size(),
                    learner.lastTrainStats().positives()
                            + learner.lastTrainStats().negatives()
                            + (int)
                                    first.stream()
                                            .filter(
                                                    e ->
                                                            e.targetRate() >= 0.3
                                                                    && e.targetRate() < 0.8)
                                            .count());
            learner.learn(second);
            // The second step also trained on replayed examples from the first batch...
            int labelled =
                    learner.lastTrainStats().positives() + learner.lastTrainStats().negatives();
            assertTrue(labelled > labelledCount(second), "replayed examples joined the step");
            // ...but the sampler counted each fresh target once: initial 1 plus its plays.
            DeepMatchModel model = learner.model();
            String target = second.get(0).targetItem();
            long plays =
                    java.util.stream.Stream.concat(first.stream(), second.stream())
                            .filter(e -> e.targetItem().equals(target))
                            .count();
            assertEquals(1 + plays, model.items.sampler.count(model.rowOf(target)));
        }
    }

    private static int labelledCount(List<Example> batch) {
        return (int)
                batch.stream().filter(e -> e.targetRate() >= 0.8 || e.targetRate() < 0.3).count();
    }
}
