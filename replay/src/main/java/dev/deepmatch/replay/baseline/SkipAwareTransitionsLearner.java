package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import java.util.List;

/**
 * Baseline: like {@link TransitionsLearner}, but while the user's last play was skipped (rate below
 * the negative threshold) it recommends the most popular items instead: skips come in runs, and the
 * playlist's next track is then likely skipped too.
 */
public final class SkipAwareTransitionsLearner extends CountBaseline {

    public SkipAwareTransitionsLearner(double posThreshold, double negThreshold) {
        super(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions-skip-aware";
    }

    @Override
    List<String> candidates(Example example, int maxN) {
        return example.lastRate() < counts.negThreshold()
                ? popular(maxN)
                : counts.transitionsThenPopular(example.lastItem(), maxN);
    }
}
