package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.prequential.PrequentialLearner;
import java.util.List;

/**
 * A baseline that ranks from counts learned on the stream: each one only says which candidates,
 * best first, it offers an example.
 */
abstract class CountBaseline implements PrequentialLearner {
    final StreamCounts counts;
    private List<String> popularThisBatch;

    CountBaseline(double posThreshold, double negThreshold) {
        counts = new StreamCounts(posThreshold, negThreshold);
    }

    /** Best-first candidates for one example of the batch being ranked. */
    abstract List<String> candidates(Example example, int maxN);

    @Override
    public final int[] rankTargets(List<Example> batch, int maxN) {
        popularThisBatch = null;
        int[] ranks = new int[batch.size()];
        for (int i = 0; i < ranks.length; i++) {
            Example e = batch.get(i);
            ranks[i] = StreamCounts.rankOf(candidates(e, maxN), e.targetItem());
        }
        return ranks;
    }

    /** The most popular items so far, worked out once per ranked batch. */
    final List<String> popular(int maxN) {
        if (popularThisBatch == null) {
            popularThisBatch = counts.popular(maxN);
        }
        return popularThisBatch;
    }

    @Override
    public final void learn(List<Example> batch) {
        counts.learn(batch);
    }
}
