package dev.deepmatch.replay;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.NegativeLoss;
import dev.deepmatch.model.math.Precision;

/**
 * The model settings shared by {@code replay} and {@code bench}, mapped onto {@link
 * ModelConfig#builder()}; the builder's validation names the setting at fault.
 */
final class ModelOptions {
    static final String USAGE =
            """
              model settings (defaults from ModelConfig):
                --max-len L  --factor-dim E  --hidden H  --heads N  --blocks N  --ff N
                --negatives K  --sampler-power P  --neg-weight W  --lr R  --emb-lr R
                --neg-loss relative|absolute  --neg-item-gradient G (0..1)
                --next-item-weight W (0 = off)  --precision float|double (dense products)
                --steps-per-batch N  --replay-buffer N  --replay-per-batch N
                --threads N  --init-scale S  --seed S  --catalogue-capacity N
                --no-rate-intent  --no-factorization
            """;

    private final ModelConfig.Builder builder = ModelConfig.builder();

    /** Applies the option if it is a model setting; false if it is not one. */
    boolean accept(String option, Args args) throws UsageException {
        switch (option) {
            case "--max-len" -> builder.maxLen(args.intValue(option, 1));
            case "--factor-dim" -> builder.factorDim(args.intValue(option, 1));
            case "--hidden" -> builder.hidden(args.intValue(option, 1));
            case "--heads" -> builder.heads(args.intValue(option, 1));
            case "--blocks" -> builder.blocks(args.intValue(option, 1));
            case "--ff" -> builder.ffDim(args.intValue(option, 1));
            case "--negatives" -> builder.negatives(args.intValue(option, 1));
            case "--sampler-power" -> builder.samplerPower(args.doubleValue(option));
            case "--neg-weight" -> builder.negWeight(args.doubleValue(option));
            case "--lr" -> builder.learningRate(args.doubleValue(option));
            case "--emb-lr" -> builder.embeddingLearningRate(args.doubleValue(option));
            case "--neg-loss" -> builder.negativeLoss(negativeLoss(args.value(option)));
            case "--precision" -> builder.precision(precision(args.value(option)));
            case "--neg-item-gradient" -> builder.negItemGradient(args.doubleValue(option));
            case "--next-item-weight" -> builder.nextItemWeight(args.doubleValue(option));
            case "--steps-per-batch" -> builder.stepsPerBatch(args.intValue(option, 1));
            case "--replay-buffer" -> builder.replayBuffer(args.intValue(option, 0));
            case "--replay-per-batch" -> builder.replayPerBatch(args.intValue(option, 0));
            case "--catalogue-capacity" -> builder.catalogueCapacity(args.intValue(option, 2));
            case "--threads" -> builder.threads(args.intValue(option, 1));
            case "--init-scale" -> builder.initScale(args.doubleValue(option));
            case "--seed" -> builder.seed(args.longValue(option, Long.MIN_VALUE));
            case "--no-rate-intent" -> builder.useRateAndIntent(false);
            case "--no-factorization" -> builder.factorized(false);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static NegativeLoss negativeLoss(String value) throws UsageException {
        try {
            return NegativeLoss.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--neg-loss must be relative or absolute, got '" + value + "'");
        }
    }

    private static Precision precision(String value) throws UsageException {
        try {
            return Precision.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--precision must be float or double, got '" + value + "'");
        }
    }

    ModelConfig.Builder builder() {
        return builder;
    }

    /** Validates the settings; a bad value is a usage error naming the setting. */
    ModelConfig build() throws UsageException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid model setting: " + e.getMessage());
        }
    }
}
