package dev.deepmatch.replay.eval;

import java.util.Map;

/**
 * One point of a learning curve.
 *
 * @param examples examples ranked so far
 * @param posRecent POS@N over the recent window
 * @param negRecent NEG@N over the recent window
 * @param posCumulative POS@N over all examples so far
 * @param negCumulative NEG@N over all examples so far
 * @param learnStats mean of each {@code lastLearnStats()} figure over the batches since the last
 *     point (NaN values ignored)
 */
public record CurvePoint(
        String learner,
        long examples,
        double posRecent,
        double negRecent,
        double posCumulative,
        double negCumulative,
        Map<String, Double> learnStats) {}
