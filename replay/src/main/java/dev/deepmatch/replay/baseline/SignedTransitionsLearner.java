package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.Example;
import java.util.List;

/**
 * Baseline: transitions from the user's last play weighted +1 when the next play was well played
 * and -1 when it was skipped; items with a non-negative weight are recommended, by weight, and
 * nothing else (no popularity fill).
 */
public final class SignedTransitionsLearner extends CountBaseline {

    public SignedTransitionsLearner(double posThreshold, double negThreshold) {
        super(posThreshold, negThreshold);
    }

    @Override
    public String name() {
        return "transitions-signed";
    }

    @Override
    List<String> candidates(Example example, int maxN) {
        return counts.signedTransitions(example.lastItem(), maxN);
    }
}
