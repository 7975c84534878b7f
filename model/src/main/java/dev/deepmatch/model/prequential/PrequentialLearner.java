package dev.deepmatch.model.prequential;

import dev.deepmatch.model.Example;
import java.util.List;
import java.util.Map;

/**
 * Anything that can be measured prequentially on a stream: each mini-batch is first ranked, then
 * learned from. The model and the baselines implement it, so one harness compares them.
 */
public interface PrequentialLearner {

    String name();

    /**
     * Ranks the whole catalogue for each example's history and returns, per example, the 0-based
     * rank of its target among the top {@code maxN}, or -1 if it is not among them (including when
     * the target is not yet in the catalogue). Must not learn.
     */
    int[] rankTargets(List<Example> batch, int maxN);

    /** Learns from the batch (after it was ranked). */
    void learn(List<Example> batch);

    /** Figures of the last {@link #learn} call for learning curves, e.g. losses; may be empty. */
    default Map<String, Double> lastLearnStats() {
        return Map.of();
    }
}
