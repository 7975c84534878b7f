package dev.deepmatch.model;

import dev.deepmatch.model.math.Precision;

/**
 * Immutable settings of the DeepMatch model and its training step. Build with {@link #builder()};
 * {@link Builder#build()} validates every value and names the offending setting.
 */
public record ModelConfig(
        int maxLen,
        int factorDim,
        int hidden,
        int heads,
        int blocks,
        int ffDim,
        int intentTypes,
        boolean factorized,
        boolean useRateAndIntent,
        int negatives,
        double samplerPower,
        double posThreshold,
        double negThreshold,
        double negWeight,
        NegativeLoss negativeLoss,
        double negItemGradient,
        double nextItemWeight,
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
        int threads,
        Precision precision,
        long seed) {

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Width of the item table rows: E when factorized, H otherwise. */
    public int itemDim() {
        return factorized ? factorDim : hidden;
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

    /** Builder with the documented defaults. */
    public static final class Builder {
        private int maxLen = 50;
        private int factorDim = 16;
        private int hidden = 64;
        private int heads = 2;
        private int blocks = 2;
        private int ffDim = 128;
        private int intentTypes = 8;
        private boolean factorized = true;
        private boolean useRateAndIntent = true;
        private int negatives = 100;
        private double samplerPower = 0.75;
        private double posThreshold = 0.8;
        private double negThreshold = 0.3;
        private double negWeight = 1.5;
        private NegativeLoss negativeLoss = NegativeLoss.RELATIVE;
        private double negItemGradient = 0.0;
        private double nextItemWeight = 1.0;
        private double learningRate = 3e-3;
        private double embeddingLearningRate = 1e-2;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double initScale = 0.1;
        private int stepsPerBatch = 1;
        private int replayBuffer = 20_000;
        private int replayPerBatch = 64;
        private int catalogueCapacity = 1 << 21;
        private int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        private Precision precision = Precision.FLOAT;
        private long seed = 42;

        Builder() {}

        Builder(ModelConfig c) {
            maxLen = c.maxLen;
            factorDim = c.factorDim;
            hidden = c.hidden;
            heads = c.heads;
            blocks = c.blocks;
            ffDim = c.ffDim;
            intentTypes = c.intentTypes;
            factorized = c.factorized;
            useRateAndIntent = c.useRateAndIntent;
            negatives = c.negatives;
            samplerPower = c.samplerPower;
            posThreshold = c.posThreshold;
            negThreshold = c.negThreshold;
            negWeight = c.negWeight;
            negativeLoss = c.negativeLoss;
            negItemGradient = c.negItemGradient;
            nextItemWeight = c.nextItemWeight;
            learningRate = c.learningRate;
            embeddingLearningRate = c.embeddingLearningRate;
            adamBeta1 = c.adamBeta1;
            adamBeta2 = c.adamBeta2;
            adamEpsilon = c.adamEpsilon;
            initScale = c.initScale;
            stepsPerBatch = c.stepsPerBatch;
            replayBuffer = c.replayBuffer;
            replayPerBatch = c.replayPerBatch;
            catalogueCapacity = c.catalogueCapacity;
            threads = c.threads;
            precision = c.precision;
            seed = c.seed;
        }

        public Builder maxLen(int v) {
            maxLen = v;
            return this;
        }

        public Builder factorDim(int v) {
            factorDim = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder blocks(int v) {
            blocks = v;
            return this;
        }

        public Builder ffDim(int v) {
            ffDim = v;
            return this;
        }

        public Builder intentTypes(int v) {
            intentTypes = v;
            return this;
        }

        public Builder factorized(boolean v) {
            factorized = v;
            return this;
        }

        public Builder useRateAndIntent(boolean v) {
            useRateAndIntent = v;
            return this;
        }

        public Builder negatives(int v) {
            negatives = v;
            return this;
        }

        public Builder samplerPower(double v) {
            samplerPower = v;
            return this;
        }

        public Builder posThreshold(double v) {
            posThreshold = v;
            return this;
        }

        public Builder negThreshold(double v) {
            negThreshold = v;
            return this;
        }

        public Builder negWeight(double v) {
            negWeight = v;
            return this;
        }

        public Builder negativeLoss(NegativeLoss v) {
            negativeLoss = java.util.Objects.requireNonNull(v, "negativeLoss");
            return this;
        }

        /**
         * Share of the negative loss's gradient that reaches item vectors (0 = only the user side
         * learns from skips; 1 = the exact gradient).
         */
        public Builder negItemGradient(double v) {
            negItemGradient = v;
            return this;
        }

        /**
         * Weight of an auxiliary next-item softmax on the targets that were not played through
         * (skipped or partly played), read from the user vector through its own H x H head. It
         * teaches the encoder and the item vectors the order of plays from every play, not only the
         * third that is played through, without asking the ranking vector to recall skips. Default
         * 1 (with negative weight 1: better on both POS@10 and NEG@10 than the two losses alone at
         * any weight measured, docs/RESULTS.md); 0 leaves the head out.
         */
        public Builder nextItemWeight(double v) {
            nextItemWeight = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder embeddingLearningRate(double v) {
            embeddingLearningRate = v;
            return this;
        }

        public Builder adamBeta1(double v) {
            adamBeta1 = v;
            return this;
        }

        public Builder adamBeta2(double v) {
            adamBeta2 = v;
            return this;
        }

        public Builder adamEpsilon(double v) {
            adamEpsilon = v;
            return this;
        }

        public Builder initScale(double v) {
            initScale = v;
            return this;
        }

        public Builder stepsPerBatch(int v) {
            stepsPerBatch = v;
            return this;
        }

        /** Recent examples kept for replay (0 = no replay). */
        public Builder replayBuffer(int v) {
            replayBuffer = v;
            return this;
        }

        /** Examples drawn from the replay buffer and trained along with each fresh batch. */
        public Builder replayPerBatch(int v) {
            replayPerBatch = v;
            return this;
        }

        public Builder catalogueCapacity(int v) {
            catalogueCapacity = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        /** How the dense layers' products round; see {@link Precision}. */
        public Builder precision(Precision v) {
            precision = java.util.Objects.requireNonNull(v, "precision");
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public ModelConfig build() {
            positive("maxLen", maxLen);
            positive("factorDim", factorDim);
            positive("hidden", hidden);
            positive("heads", heads);
            if (hidden % heads != 0) {
                throw new IllegalArgumentException(
                        "hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
            }
            positive("blocks", blocks);
            positive("ffDim", ffDim);
            positive("intentTypes", intentTypes);
            positive("negatives", negatives);
            range("samplerPower", samplerPower, 0, 1);
            range("posThreshold", posThreshold, 0, 1);
            range("negThreshold", negThreshold, 0, 1);
            if (negThreshold > posThreshold) {
                throw new IllegalArgumentException(
                        "negThreshold ("
                                + negThreshold
                                + ") must not exceed posThreshold ("
                                + posThreshold
                                + ")");
            }
            range("negWeight", negWeight, 0, 100);
            range("negItemGradient", negItemGradient, 0, 1);
            range("nextItemWeight", nextItemWeight, 0, 100);
            range("learningRate", learningRate, 1e-9, 10);
            range("embeddingLearningRate", embeddingLearningRate, 1e-9, 10);
            range("adamBeta1", adamBeta1, 0, 0.999999);
            range("adamBeta2", adamBeta2, 0, 0.999999999);
            range("adamEpsilon", adamEpsilon, 1e-15, 1);
            range("initScale", initScale, 1e-6, 10);
            if (stepsPerBatch < 1 || stepsPerBatch > 100) {
                throw new IllegalArgumentException(
                        "stepsPerBatch must be in [1, 100], got " + stepsPerBatch);
            }
            if (replayBuffer < 0 || replayBuffer > 10_000_000) {
                throw new IllegalArgumentException(
                        "replayBuffer must be in [0, 10000000], got " + replayBuffer);
            }
            if (replayPerBatch < 0 || replayPerBatch > 100_000) {
                throw new IllegalArgumentException(
                        "replayPerBatch must be in [0, 100000], got " + replayPerBatch);
            }
            if (replayPerBatch > 0 && replayBuffer == 0) {
                throw new IllegalArgumentException(
                        "replayPerBatch (" + replayPerBatch + ") needs a replayBuffer above 0");
            }
            if (catalogueCapacity < 2) {
                throw new IllegalArgumentException(
                        "catalogueCapacity must be at least 2, got " + catalogueCapacity);
            }
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be in [1, 256], got " + threads);
            }
            return new ModelConfig(
                    maxLen,
                    factorDim,
                    hidden,
                    heads,
                    blocks,
                    ffDim,
                    intentTypes,
                    factorized,
                    useRateAndIntent,
                    negatives,
                    samplerPower,
                    posThreshold,
                    negThreshold,
                    negWeight,
                    negativeLoss,
                    negItemGradient,
                    nextItemWeight,
                    learningRate,
                    embeddingLearningRate,
                    adamBeta1,
                    adamBeta2,
                    adamEpsilon,
                    initScale,
                    stepsPerBatch,
                    replayBuffer,
                    replayPerBatch,
                    catalogueCapacity,
                    threads,
                    precision,
                    seed);
        }

        private static void positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + v);
            }
        }

        private static void range(String name, double v, double lo, double hi) {
            if (!(v >= lo && v <= hi)) {
                throw new IllegalArgumentException(
                        name + " must be in [" + lo + ", " + hi + "], got " + v);
            }
        }
    }
}
