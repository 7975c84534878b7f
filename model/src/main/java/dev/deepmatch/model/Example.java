package dev.deepmatch.model;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.WindowPlay;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One training example: a user's recent plays (oldest first, at most the model's window length are
 * used) and the play that followed them.
 *
 * <p>Intents are the ordinal of {@code dev.deepmatch.schema.IntentType}; the model only needs an
 * index below {@link ModelConfig#intentTypes()}.
 */
public final class Example {
    private final String[] historyItems;
    private final double[] historyRates;
    private final int[] historyIntents;
    private final String targetItem;
    private final double targetRate;
    private final long targetTimeMillis;

    /** An example whose play time is unknown (0): it does not move the model's clock. */
    public Example(
            String[] historyItems,
            double[] historyRates,
            int[] historyIntents,
            String targetItem,
            double targetRate) {
        this(historyItems, historyRates, historyIntents, targetItem, targetRate, 0L);
    }

    /**
     * @param targetTimeMillis the target play's event time: the model's clock, by which rows
     *     unplayed for {@link ModelRuntime#itemEvictionAfterMillis()} leave the catalogue
     */
    public Example(
            String[] historyItems,
            double[] historyRates,
            int[] historyIntents,
            String targetItem,
            double targetRate,
            long targetTimeMillis) {
        if (historyItems.length == 0) {
            throw new IllegalArgumentException("an example needs at least one earlier play");
        }
        if (historyItems.length != historyRates.length
                || historyItems.length != historyIntents.length) {
            throw new IllegalArgumentException("history arrays differ in length");
        }
        this.historyItems = historyItems;
        this.historyRates = historyRates;
        this.historyIntents = historyIntents;
        this.targetItem = Objects.requireNonNull(targetItem, "targetItem");
        this.targetRate = targetRate;
        this.targetTimeMillis = targetTimeMillis;
    }

    /** The model's view of a training example (the window rule's output). */
    public static Example of(TrainingExample example) {
        List<String> historyItems = example.getHistoryItems();
        List<Double> historyRates = example.getHistoryRates();
        List<IntentType> historyIntents = example.getHistoryIntents();
        int n = historyItems.size();
        String[] items = new String[n];
        double[] rates = new double[n];
        int[] intents = new int[n];
        for (int i = 0; i < n; i++) {
            items[i] = historyItems.get(i);
            rates[i] = historyRates.get(i);
            intents[i] = historyIntents.get(i).ordinal();
        }
        WindowPlay target = example.getTarget();
        return new Example(
                items,
                rates,
                intents,
                target.getItemId(),
                target.getPlayRate(),
                target.getEventTimeMillis());
    }

    public int historyLength() {
        return historyItems.length;
    }

    public String historyItem(int i) {
        return historyItems[i];
    }

    public double historyRate(int i) {
        return historyRates[i];
    }

    public int historyIntent(int i) {
        return historyIntents[i];
    }

    public String targetItem() {
        return targetItem;
    }

    public double targetRate() {
        return targetRate;
    }

    /** The target play's event time; 0 when unknown. */
    public long targetTimeMillis() {
        return targetTimeMillis;
    }

    /** The last play of the history, e.g. for transition baselines. */
    public String lastItem() {
        return historyItems[historyItems.length - 1];
    }

    public double lastRate() {
        return historyRates[historyRates.length - 1];
    }

    @Override
    public String toString() {
        return "Example{history="
                + Arrays.toString(historyItems)
                + ", target="
                + targetItem
                + ", rate="
                + targetRate
                + '}';
    }
}
