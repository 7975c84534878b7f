package dev.deepmatch.replay.baseline;

import dev.deepmatch.model.prequential.PrequentialLearner;
import java.util.List;

/** The baselines by command-line name. */
public final class Baselines {
    public static final List<String> NAMES =
            List.of("popular", "transitions", "transitions-signed", "transitions-skip-aware");

    private Baselines() {}

    /** The baseline of that name, or null. */
    public static PrequentialLearner create(String name, double posThreshold, double negThreshold) {
        return switch (name) {
            case "popular" -> new MostPopularLearner(posThreshold, negThreshold);
            case "transitions" -> new TransitionsLearner(posThreshold, negThreshold);
            case "transitions-signed" -> new SignedTransitionsLearner(posThreshold, negThreshold);
            case "transitions-skip-aware" ->
                    new SkipAwareTransitionsLearner(posThreshold, negThreshold);
            default -> null;
        };
    }
}
