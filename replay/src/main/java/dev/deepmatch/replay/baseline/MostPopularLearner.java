package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import java.util.List;

/** Baseline: everyone gets the items played most often so far. */
public final class MostPopularLearner extends CountBaseline {

    public MostPopularLearner(double posThreshold, double negThreshold) {
        super(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "popular";
    }

    @Override
    List<String> candidates(Example example, int maxN) {
        return popular(maxN);
    }
}
