package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import java.util.List;

/**
 * Baseline: the items most often played right after the user's last play, then the most popular
 * items to fill the list. Catches playlist order, blind to skips.
 */
public final class TransitionsLearner extends CountBaseline {

    public TransitionsLearner(double posThreshold, double negThreshold) {
        super(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions";
    }

    @Override
    List<String> candidates(Example example, int maxN) {
        return counts.transitionsThenPopular(example.lastItem(), maxN);
    }
}
