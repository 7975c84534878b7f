package dev.deepmatch.job.window;

import dev.deepmatch.model.Example;
import java.util.Arrays;
import java.util.Objects;

/**
 * A play with the user's plays before it (by event time, oldest first): one training example on the
 * stream between the window function and the trainer. A Flink POJO; arrays of strings and
 * primitives have built-in serializers, so no Kryo is involved.
 */
public class TrainingExample {
    public String userId;
    public String[] historyItems;
    public double[] historyRates;

    /** Ordinals of {@code dev.deepmatch.schema.IntentType}. */
    public int[] historyIntents;

    public String targetItem;
    public double targetRate;
    public int targetIntent;

    /** Event time of the target play (ms), for the freshness histogram. */
    public long targetEventTimeMillis;

    public TrainingExample() {}

    public TrainingExample(
            String userId,
            String[] historyItems,
            double[] historyRates,
            int[] historyIntents,
            String targetItem,
            double targetRate,
            int targetIntent,
            long targetEventTimeMillis) {
        this.userId = userId;
        this.historyItems = historyItems;
        this.historyRates = historyRates;
        this.historyIntents = historyIntents;
        this.targetItem = targetItem;
        this.targetRate = targetRate;
        this.targetIntent = targetIntent;
        this.targetEventTimeMillis = targetEventTimeMillis;
    }

    /** The model's view of this example. */
    public Example toModelExample() {
        return new Example(historyItems, historyRates, historyIntents, targetItem, targetRate);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TrainingExample e)) {
            return false;
        }
        return Double.compare(targetRate, e.targetRate) == 0
                && targetIntent == e.targetIntent
                && targetEventTimeMillis == e.targetEventTimeMillis
                && Objects.equals(userId, e.userId)
                && Arrays.equals(historyItems, e.historyItems)
                && Arrays.equals(historyRates, e.historyRates)
                && Arrays.equals(historyIntents, e.historyIntents)
                && Objects.equals(targetItem, e.targetItem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, targetItem, targetEventTimeMillis);
    }

    @Override
    public String toString() {
        return "TrainingExample{user="
                + userId
                + ", history="
                + Arrays.toString(historyItems)
                + ", target="
                + targetItem
                + ", rate="
                + targetRate
                + '}';
    }
}
