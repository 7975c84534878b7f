package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;

import dev.deepmatch.model.math.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small models and batches for the math tests. */
final class Fixtures {
    private Fixtures() {}

    /** One thread, double products: what the gradient checks and golden values pin. */
    static final ModelRuntime RUNTIME = new ModelRuntime(1, Precision.DOUBLE);

    static ModelConfig.Builder tiny() {
        return ModelConfig.builder()
                .set(WINDOW_LENGTH, 5)
                .set(FACTOR_DIM, 4)
                .set(HIDDEN, 8)
                .set(HEADS, 2)
                .set(BLOCKS, 2)
                .set(FF_DIM, 6)
                .set(INTENT_TYPES, 3)
                .set(NEGATIVES, 6)
                .set(NEG_WEIGHT, 0.7)
                .set(NEXT_ITEM_WEIGHT, 0.0) // the head has its own variants
                .set(SUCCESSOR_DIM, 0) // so has the successor channel
                .set(NEG_AFTER_PLAY, 1.0) // and the skip loss's share after a play
                .set(NEG_ITEM_GRADIENT, 1.0) // the exact gradient, for the gradient checks
                .set(INIT_SCALE, 0.5)
                .set(SEED, 7L);
    }

    /** A model whose catalogue holds items i0..i(n-1). */
    static DeepMatchModel modelWithItems(ModelConfig cfg, int n) {
        return modelWithItems(cfg, RUNTIME, n);
    }

    static DeepMatchModel modelWithItems(ModelConfig cfg, ModelRuntime runtime, int n) {
        DeepMatchModel model = new DeepMatchModel(cfg, runtime);
        for (int i = 0; i < n; i++) {
            model.items.admit("i" + i);
        }
        return model;
    }

    /**
     * Histories of lengths 1, 3, 5, 7 (longer than the window) and 2, with positive, negative and
     * neutral targets, played at {@code seed} seconds (plus the example's index in ms).
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
            batch.add(
                    new Example(
                            ids,
                            rates,
                            intents,
                            "i" + rnd.nextInt(items),
                            targetRates[e],
                            seed * 1000 + e));
        }
        return batch;
    }
}
