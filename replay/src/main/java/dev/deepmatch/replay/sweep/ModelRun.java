package dev.deepmatch.replay.sweep;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelSettings;
import java.util.Locale;

/**
 * One model setting of a replay: the plain {@code model}, or a point of a sweep over the negative
 * loss weight, the seed and the feedback inputs.
 *
 * @param variant {@link #FULL} or {@link #NO_RATE_INTENT}
 */
public record ModelRun(String name, String variant, ModelConfig config) {
    public static final String FULL = "full";
    public static final String NO_RATE_INTENT = "no-rate-intent";

    /** The single model of a replay without a sweep. */
    public static ModelRun single(ModelConfig config) {
        return new ModelRun("model", config.rateAndIntent() ? FULL : NO_RATE_INTENT, config);
    }

    /** A sweep point, named after what differs: {@code model neg-weight=0.35 seed=42 ...}. */
    public static ModelRun point(
            ModelConfig base, double negWeight, long seed, boolean rateIntent) {
        ModelConfig config =
                base.toBuilder()
                        .set(ModelSettings.NEG_WEIGHT, negWeight)
                        .set(ModelSettings.SEED, seed)
                        .set(ModelSettings.RATE_AND_INTENT, rateIntent)
                        .build();
        String name =
                String.format(Locale.ROOT, "model neg-weight=%s seed=%d", negWeight, seed)
                        + (rateIntent ? "" : " " + NO_RATE_INTENT);
        return new ModelRun(name, rateIntent ? FULL : NO_RATE_INTENT, config);
    }

    public double negWeight() {
        return config.negWeight();
    }
}
