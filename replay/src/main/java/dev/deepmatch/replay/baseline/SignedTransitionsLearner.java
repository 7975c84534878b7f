package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.eval.PrequentialLearner;
import java.util.List;

/**
 * Baseline: transitions from the user's last play weighted +1 when the next play was well played
 * and -1 when it was skipped; items with a non-negative weight are recommended, by weight, and
 * nothing else (no popularity fill).
 */
public final class SignedTransitionsLearner implements PrequentialLearner {
    private final StreamCounts counts;

    public SignedTransitionsLearner(double posThreshold, double negThreshold) {
        counts = new StreamCounts(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions-signed";
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < ranks.length; i++) {
            Example e = batch.get(i);
            ranks[i] =
                    StreamCounts.rankOf(
                            counts.signedTransitions(e.lastItem(), maxN), e.targetItem());
        }
        return ranks;
    }

    @Override
    public void learn(List<Example> batch) {
        counts.learn(batch);
    }
}
