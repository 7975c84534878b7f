package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.eval.PrequentialLearner;
import java.util.List;

/**
 * Baseline: like {@link TransitionsLearner}, but while the user's last play was skipped (rate below
 * the negative threshold) it recommends the most popular items instead: skips come in runs, and the
 * playlist's next track is then likely skipped too.
 */
public final class SkipAwareTransitionsLearner implements PrequentialLearner {
    private final StreamCounts counts;

    public SkipAwareTransitionsLearner(double posThreshold, double negThreshold) {
        counts = new StreamCounts(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions-skip-aware";
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        List<String> popular = null;
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < ranks.length; i++) {
            Example e = batch.get(i);
            List<String> ranked;
            if (e.lastRate() < counts.negThreshold()) {
                if (popular == null) {
                    popular = counts.popular(maxN);
                }
                ranked = popular;
            } else {
                ranked = counts.transitionsThenPopular(e.lastItem(), maxN);
            }
            ranks[i] = StreamCounts.rankOf(ranked, e.targetItem());
        }
        return ranks;
    }

    @Override
    public void learn(List<Example> batch) {
        counts.learn(batch);
    }
}
