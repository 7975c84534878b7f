package dev.deepmatch.replay.eval;

/**
 * Settings of a prequential replay.
 *
 * @param windowLength plays kept per listener window (the model's window length)
 * @param dedupMemory recent event ids per listener that mark a replayed play
 * @param batchSize examples per mini-batch
 * @param ns the N of POS@N / NEG@N, ascending; the first is the one the curve follows
 * @param limit stop after this many events (Long.MAX_VALUE for all)
 * @param curveEvery examples between two curve points
 * @param metricsWindow positives and negatives each in the recent figures of the curve
 * @param progressMillis interval of progress lines on stderr (0: none)
 */
public record HarnessSettings(
        int windowLength,
        int dedupMemory,
        int batchSize,
        int[] ns,
        double posThreshold,
        double negThreshold,
        long limit,
        long curveEvery,
        int metricsWindow,
        long progressMillis) {

    public HarnessSettings {
        if (windowLength < 1 || batchSize < 1 || ns.length == 0 || limit < 0 || curveEvery < 1) {
            throw new IllegalArgumentException("invalid harness settings");
        }
        ns = ns.clone();
    }

    public int maxN() {
        int max = 0;
        for (int n : ns) {
            max = Math.max(max, n);
        }
        return max;
    }
}
