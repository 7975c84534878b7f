package dev.deepmatch.model;

import dev.deepmatch.model.math.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small models and batches for the math tests. */
final class Fixtures {
    private Fixtures() {}

    static ModelConfig.Builder tiny() {
        return ModelConfig.builder()
                .maxLen(5)
                .factorDim(4)
                .hidden(8)
                .heads(2)
                .blocks(2)
                .ffDim(6)
                .intentTypes(3)
                .negatives(6)
                .negWeight(0.7)
                .nextItemWeight(0.0) // the head has its own variants
                .negItemGradient(1.0) // the exact gradient, for the gradient checks
                .initScale(0.5)
                .threads(1)
                .precision(Precision.DOUBLE) // gradient checks and golden values are in double
                .seed(7);
    }

    /** A model whose catalogue holds items i0..i(n-1). */
    static DeepMatchModel modelWithItems(ModelConfig cfg, int n) {
        DeepMatchModel model = new DeepMatchModel(cfg);
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            model.items.admit("i" + i, rnd);
        }
        return model;
    }

    /**
     * Histories of lengths 1, 3, 5, 7 (longer than the window) and 2, with positive, negative and
     * neutral targets.
     */
    static List<Example> batch(int items, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] lengths = {1, 3, 5, 7, 2, 4};
        double[] targetRates = {1.0, 0.05, 0.9, 0.2, 0.5, 0.85};
        List<Example> batch = new ArrayList<>();
        for (int e = 0; e < lengths.length; e++) {
            int n = lengths[e];
            String[] ids = new String[n];
            double[] rates = new double[n];
            int[] intents = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = "i" + rnd.nextInt(items);
                rates[i] = rnd.nextDouble();
                intents[i] = rnd.nextInt(3);
            }
            batch.add(new Example(ids, rates, intents, "i" + rnd.nextInt(items), targetRates[e]));
        }
        return batch;
    }
}
