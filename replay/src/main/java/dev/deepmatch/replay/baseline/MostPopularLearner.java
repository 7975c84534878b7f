package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.eval.PrequentialLearner;
import java.util.List;

/** Baseline: everyone gets the items played most often so far. */
public final class MostPopularLearner implements PrequentialLearner {
    private final StreamCounts counts;

    public MostPopularLearner(double posThreshold, double negThreshold) {
        counts = new StreamCounts(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "popular";
    }

    @Override
    public int[] rankTargets(List<Example> batch, int maxN) {
        List<String> top = counts.popular(maxN);
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = StreamCounts.rankOf(top, batch.get(i).targetItem());
        }
        return ranks;
    }

    @Override
    public void learn(List<Example> batch) {
        counts.learn(batch);
    }
}
