package dev.deepmatch.model.prequential;

import dev.deepmatch.settings.Setting;
import java.util.List;

/**
 * Settings of prequential learning that the job and the replay share: how plays become examples and
 * batches, and how POS@N / NEG@N are tracked.
 */
public final class PrequentialSettings {
    private PrequentialSettings() {}

    public static final Setting<Integer> BATCH_SIZE =
            Setting.ofInt("batch-size", 64)
                    .range(1, 65_536)
                    .describedAs(
                            "examples per mini-batch: each is ranked, then learned from (smaller"
                                    + " batches learn faster from a short stream, larger ones train"
                                    + " more examples per second)");

    public static final Setting<Integer> DEDUP_MEMORY =
            Setting.ofInt("dedup-memory", 100)
                    .range(0, 10_000)
                    .describedAs(
                            "recent event ids remembered per listener to drop replayed duplicates"
                                    + " (0: off)");

    public static final Setting<Integer> METRICS_WINDOW =
            Setting.ofInt("metrics-window", 10_000)
                    .range(1, 10_000_000)
                    .describedAs(
                            "positive and negative examples each in the recent POS@N / NEG@N figures");

    public static final List<Setting<?>> ALL = List.of(BATCH_SIZE, DEDUP_MEMORY, METRICS_WINDOW);
}
