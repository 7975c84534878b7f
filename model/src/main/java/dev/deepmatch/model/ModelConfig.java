package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;

import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import java.io.Serializable;

/**
 * The model's settings as typed values (declared, with defaults, bounds and docs, in {@link
 * ModelSettings}). Part of the model: its snapshot keeps them, so a restored model trains on with
 * the values it was created with. Build with {@link #builder()} or {@link #from(Settings)}; both
 * check every value and name the setting at fault.
 */
public record ModelConfig(
        int windowLength,
        int factorDim,
        int hidden,
        int heads,
        int blocks,
        int ffDim,
        int intentTypes,
        boolean factorized,
        boolean rateAndIntent,
        boolean intentInput,
        int negatives,
        double samplerPower,
        double posThreshold,
        double negThreshold,
        double negWeight,
        double negAfterPlay,
        NegativeLoss negativeLoss,
        double negItemGradient,
        double nextItemWeight,
        int successorDim,
        double successorWeight,
        double successorLearningRate,
        double learningRate,
        double embeddingLearningRate,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double initScale,
        int stepsPerBatch,
        int replayBuffer,
        int replayPerBatch,
        int catalogueCapacity,
        long seed,
        int itemShards)
        implements Serializable {

    /** The defaults of {@link ModelSettings}. */
    public static ModelConfig defaults() {
        return from(Settings.defaults());
    }

    /** The model settings among {@code s} (others are ignored), checked together. */
    public static ModelConfig from(Settings s) {
        ModelConfig c =
                new ModelConfig(
                        s.get(WINDOW_LENGTH),
                        s.get(FACTOR_DIM),
                        s.get(HIDDEN),
                        s.get(HEADS),
                        s.get(BLOCKS),
                        s.get(FF_DIM),
                        s.get(INTENT_TYPES),
                        s.get(FACTORIZED),
                        s.get(RATE_AND_INTENT),
                        s.get(INTENT_INPUT),
                        s.get(NEGATIVES),
                        s.get(SAMPLER_POWER),
                        s.get(POS_THRESHOLD),
                        s.get(NEG_THRESHOLD),
                        s.get(NEG_WEIGHT),
                        s.get(NEG_AFTER_PLAY),
                        s.get(NEG_LOSS),
                        s.get(NEG_ITEM_GRADIENT),
                        s.get(NEXT_ITEM_WEIGHT),
                        s.get(SUCCESSOR_DIM),
                        s.get(SUCCESSOR_WEIGHT),
                        s.get(SUCCESSOR_LEARNING_RATE),
                        s.get(LEARNING_RATE),
                        s.get(EMBEDDING_LEARNING_RATE),
                        s.get(ADAM_BETA1),
                        s.get(ADAM_BETA2),
                        s.get(ADAM_EPSILON),
                        s.get(INIT_SCALE),
                        s.get(STEPS_PER_BATCH),
                        s.get(REPLAY_BUFFER),
                        s.get(REPLAY_PER_BATCH),
                        s.get(CATALOGUE_CAPACITY),
                        s.get(SEED),
                        s.get(ITEM_SHARDS));
        c.checkTogether();
        return c;
    }

    /** Every model setting with its value here: {@code from(toSettings())} equals this. */
    public Settings toSettings() {
        return Settings.builder()
                .set(WINDOW_LENGTH, windowLength)
                .set(FACTOR_DIM, factorDim)
                .set(HIDDEN, hidden)
                .set(HEADS, heads)
                .set(BLOCKS, blocks)
                .set(FF_DIM, ffDim)
                .set(INTENT_TYPES, intentTypes)
                .set(FACTORIZED, factorized)
                .set(RATE_AND_INTENT, rateAndIntent)
                .set(INTENT_INPUT, intentInput)
                .set(NEGATIVES, negatives)
                .set(SAMPLER_POWER, samplerPower)
                .set(POS_THRESHOLD, posThreshold)
                .set(NEG_THRESHOLD, negThreshold)
                .set(NEG_WEIGHT, negWeight)
                .set(NEG_AFTER_PLAY, negAfterPlay)
                .set(NEG_LOSS, negativeLoss)
                .set(NEG_ITEM_GRADIENT, negItemGradient)
                .set(NEXT_ITEM_WEIGHT, nextItemWeight)
                .set(SUCCESSOR_DIM, successorDim)
                .set(SUCCESSOR_WEIGHT, successorWeight)
                .set(SUCCESSOR_LEARNING_RATE, successorLearningRate)
                .set(LEARNING_RATE, learningRate)
                .set(EMBEDDING_LEARNING_RATE, embeddingLearningRate)
                .set(ADAM_BETA1, adamBeta1)
                .set(ADAM_BETA2, adamBeta2)
                .set(ADAM_EPSILON, adamEpsilon)
                .set(INIT_SCALE, initScale)
                .set(STEPS_PER_BATCH, stepsPerBatch)
                .set(REPLAY_BUFFER, replayBuffer)
                .set(REPLAY_PER_BATCH, replayPerBatch)
                .set(CATALOGUE_CAPACITY, catalogueCapacity)
                .set(SEED, seed)
                .set(ITEM_SHARDS, itemShards)
                .build();
    }

    /** The rules between settings; each setting's own bounds were checked when it was set. */
    private void checkTogether() {
        if (hidden % heads != 0) {
            throw new SettingException(
                    HIDDEN.name(),
                    "--hidden (" + hidden + ") must be a multiple of --heads (" + heads + ")");
        }
        if (negThreshold > posThreshold) {
            throw new SettingException(
                    NEG_THRESHOLD.name(),
                    "--neg-threshold ("
                            + negThreshold
                            + ") must not exceed --pos-threshold ("
                            + posThreshold
                            + ")");
        }
        if (replayPerBatch > 0 && replayBuffer == 0) {
            throw new SettingException(
                    REPLAY_PER_BATCH.name(),
                    "--replay-per-batch (" + replayPerBatch + ") needs a --replay-buffer above 0");
        }
    }

    public static Builder builder() {
        return new Builder(Settings.builder());
    }

    public Builder toBuilder() {
        return new Builder(toSettings().toBuilder());
    }

    /** Width of the item table rows: E when factorized, H otherwise. */
    public int itemDim() {
        return factorized ? factorDim : hidden;
    }

    /**
     * Width of an item table row: the item embedding, then (when the successor channel is on) the
     * item's arrival row and its successor row, D each.
     */
    public int rowWidth() {
        return itemDim() + 2 * successorDim;
    }

    /**
     * Width of the served user and item vectors: H, then the successor channel's D. A user's score
     * of an item stays one dot product of the two.
     */
    public int vectorDim() {
        return hidden + successorDim;
    }

    public int headDim() {
        return hidden / heads;
    }

    public boolean isPositive(double rate) {
        return rate >= posThreshold;
    }

    public boolean isNegative(double rate) {
        return rate < negThreshold;
    }

    /** Settings by declaration, e.g. {@code builder().set(HIDDEN, 32).build()}. */
    public static final class Builder {
        private final Settings.Builder values;

        private Builder(Settings.Builder values) {
            this.values = values;
        }

        /** Sets a model setting; a value it does not allow throws, naming it. */
        public <T> Builder set(Setting<T> setting, T value) {
            values.set(setting, value);
            return this;
        }

        public ModelConfig build() {
            return from(values.build());
        }
    }
}
