package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.eval.PrequentialLearner;
import java.util.List;

/**
 * Baseline: the items most often played right after the user's last play, then the most popular
 * items to fill the list. Catches playlist order, blind to skips.
 */
public final class TransitionsLearner implements PrequentialLearner {
    private final StreamCounts counts;

    public TransitionsLearner(double posThreshold, double negThreshold) {
        counts = new StreamCounts(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions";
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < ranks.length; i++) {
            Example e = batch.get(i);
            ranks[i] =
                    StreamCounts.rankOf(
                            counts.transitionsThenPopular(e.lastItem(), maxN), e.targetItem());
        }
        return ranks;
    }

    @Override
    public void learn(List<Example> batch) {
        counts.learn(batch);
    }
}
