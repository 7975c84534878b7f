package dev.deepmatch.replay;

import dev.deepmatch.model.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated training batches for the benchmark: full windows of {@code maxLen} plays over a
 * catalogue of {@code catalogue} items, item popularity skewed like real listening (a few items
 * take most plays), play rates a mix of well played, skipped and in between.
 */
final class BatchGenerator {
    private static final int INTENT_TYPES = 6;

    private final int catalogue;
    private final int maxLen;
    private final Random random;

    BatchGenerator(int catalogue, int maxLen, long seed) {
        this.catalogue = catalogue;
        this.maxLen = maxLen;
        this.random = new Random(seed);
    }

    /** Batches that together name every catalogue item once, so training admits all of them. */
    List<List<Example>> admissionBatches(int batchSize) {
        List<List<Example>> batches = new ArrayList<>();
        List<Example> batch = new ArrayList<>();
        int next = 0;
        while (next < catalogue) {
            String[] items = new String[maxLen];
            for (int i = 0; i < maxLen; i++) {
                items[i] = itemId(Math.min(next++, catalogue - 1));
            }
            batch.add(example(items, itemId(Math.min(next++, catalogue - 1))));
            if (batch.size() == batchSize || next >= catalogue) {
                batches.add(batch);
                batch = new ArrayList<>();
            }
        }
        return batches;
    }

    List<Example> batch(int batchSize) {
        List<Example> batch = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            String[] items = new String[maxLen];
            for (int i = 0; i < maxLen; i++) {
                items[i] = itemId(skewedItem());
            }
            batch.add(example(items, itemId(skewedItem())));
        }
        return batch;
    }

    private Example example(String[] items, String target) {
        double[] rates = new double[items.length];
        int[] intents = new int[items.length];
        for (int i = 0; i < items.length; i++) {
            rates[i] = rate();
            intents[i] = random.nextInt(INTENT_TYPES);
        }
        return new Example(items, rates, intents, target, rate());
    }

    /** Squaring a uniform draw puts about 30% of plays on the top 10% of items. */
    private int skewedItem() {
        double u = random.nextDouble();
        return (int) (u * u * catalogue);
    }

    /** About 45% well played, 45% skipped, 10% in between, as in MSSD. */
    private double rate() {
        double u = random.nextDouble();
        return u < 0.45 ? 0.9 : u < 0.9 ? 0.05 : 0.6;
    }

    private static String itemId(int i) {
        return "i" + i;
    }
}
