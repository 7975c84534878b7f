package dev.deepmatch.job.window;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.WindowPlay;
import java.util.ArrayList;
import java.util.List;

/**
 * The open batch as savepoints of release 0.1 hold it (a Flink POJO under this name, in the
 * trainer's {@code pending-examples} state). Kept only so those savepoints restore: the trainer
 * reads it once and keeps its batch as Avro {@link dev.deepmatch.schema.TrainingExample}s since. Do
 * not rename, move or change its fields.
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

    /** Event time of the target play (ms). */
    public long targetEventTimeMillis;

    public TrainingExample() {}

    /** The same example as today's Avro type; the target's event id was not kept. */
    public dev.deepmatch.schema.TrainingExample upgrade() {
        List<String> items = new ArrayList<>(List.of(historyItems));
        List<Double> rates = new ArrayList<>(historyRates.length);
        List<IntentType> intents = new ArrayList<>(historyIntents.length);
        for (int i = 0; i < historyItems.length; i++) {
            rates.add(historyRates[i]);
            intents.add(IntentType.values()[historyIntents[i]]);
        }
        return new dev.deepmatch.schema.TrainingExample(
                userId,
                items,
                rates,
                intents,
                new WindowPlay(
                        "",
                        targetItem,
                        targetEventTimeMillis,
                        targetRate,
                        IntentType.values()[targetIntent]));
    }
}
