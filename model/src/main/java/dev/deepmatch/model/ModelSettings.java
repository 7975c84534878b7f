package dev.deepmatch.model;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.math.Precision;
import dev.deepmatch.settings.Setting;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the model, declared once: the names every command, the production job and the
 * docs use. {@link #ALL} are part of the model (kept in its snapshot: a restored model keeps the
 * values it was created with); {@link #RUNTIME} are how this process runs it (never snapshotted).
 */
public final class ModelSettings {
    private ModelSettings() {}

    public static final Setting<Integer> WINDOW_LENGTH =
            Setting.ofInt("window-length", 50)
                    .range(1, 1000)
                    .describedAs("L: plays kept per listener, and the model's sequence length");

    public static final Setting<Integer> FACTOR_DIM =
            Setting.ofInt("factor-dim", 16)
                    .range(1, 4096)
                    .describedAs(
                            "E: width of the item table rows when factorized (V x E, then E x H)");

    public static final Setting<Integer> HIDDEN =
            Setting.ofInt("hidden", 64)
                    .range(1, 4096)
                    .describedAs(
                            "H: width of the encoder (served vectors: H + successor-dim); a multiple of heads");

    public static final Setting<Integer> HEADS =
            Setting.ofInt("heads", 2).range(1, 256).describedAs("attention heads per block");

    public static final Setting<Integer> BLOCKS =
            Setting.ofInt("blocks", 2).range(1, 64).describedAs("self-attention blocks");

    public static final Setting<Integer> FF_DIM =
            Setting.ofInt("ff-dim", 128)
                    .range(1, 65_536)
                    .describedAs("inner width of each block's feed-forward layer");

    public static final Setting<Integer> INTENT_TYPES =
            Setting.ofInt("intent-types", 8)
                    .range(1, 256)
                    .describedAs("rows of the intent embedding: at least the IntentType symbols");

    public static final Setting<Boolean> FACTORIZED =
            Setting.ofBoolean("factorized", true)
                    .describedAs("item rows of width E projected to H (false: rows of width H)");

    public static final Setting<Boolean> RATE_AND_INTENT =
            Setting.ofBoolean("rate-and-intent", true)
                    .describedAs("feed each play's completion rate and intent to the encoder");

    public static final Setting<Boolean> INTENT_INPUT =
            Setting.ofBoolean("intent-input", true)
                    .describedAs(
                            "add each play's intent embedding to the encoder's input (with"
                                    + " rate-and-intent; false measures the play rate alone)");

    public static final Setting<Integer> NEGATIVES =
            Setting.ofInt("negatives", 100)
                    .range(1, 1_000_000)
                    .describedAs("K: items drawn from the learned-unigram sampler per step");

    public static final Setting<Double> SAMPLER_POWER =
            Setting.ofDouble("sampler-power", 0.75)
                    .range(0.0, 1.0)
                    .describedAs("the sampler draws items with probability count^power");

    public static final Setting<Double> POS_THRESHOLD =
            Setting.ofDouble("pos-threshold", 0.8)
                    .range(0.0, 1.0)
                    .describedAs("well played: play rate at least this (positive target)");

    public static final Setting<Double> NEG_THRESHOLD =
            Setting.ofDouble("neg-threshold", 0.3)
                    .range(0.0, 1.0)
                    .describedAs(
                            "skipped: play rate below this (negative target); at most pos-threshold");

    public static final Setting<Double> NEG_WEIGHT =
            Setting.ofDouble("neg-weight", 1.12)
                    .range(0.0, 100.0)
                    .describedAs("weight of the skip loss against the sampled softmax");

    public static final Setting<Double> NEG_AFTER_PLAY =
            Setting.ofDouble("neg-after-play", 0.0)
                    .range(0.0, 1.0)
                    .describedAs(
                            "share of the skip loss on a skip right after a play not skipped (1:"
                                    + " as in a run of skips)");

    public static final Setting<NegativeLoss> NEG_LOSS =
            Setting.ofEnum("neg-loss", NegativeLoss.class, NegativeLoss.RELATIVE)
                    .describedAs(
                            "skip loss on the raw score or relative to an average sampled item");

    public static final Setting<Double> NEG_ITEM_GRADIENT =
            Setting.ofDouble("neg-item-gradient", 0.0)
                    .range(0.0, 1.0)
                    .describedAs("share of the skip loss's gradient that reaches item vectors");

    public static final Setting<Double> NEXT_ITEM_WEIGHT =
            Setting.ofDouble("next-item-weight", 1.0)
                    .range(0.0, 100.0)
                    .describedAs(
                            "weight of the next-item head on targets not played through (0: off)");

    public static final Setting<Integer> SUCCESSOR_DIM =
            Setting.ofInt("successor-dim", 64)
                    .range(0, 4096)
                    .describedAs(
                            "width of each item's successor rows: what tends to follow it, learned"
                                    + " from every play and gated by the listener's state (0: off)");

    public static final Setting<Double> SUCCESSOR_WEIGHT =
            Setting.ofDouble("successor-weight", 1.0)
                    .range(0.0, 100.0)
                    .describedAs("weight of the successor loss, a next-play softmax on every play");

    public static final Setting<Double> SUCCESSOR_LEARNING_RATE =
            Setting.ofDouble("successor-learning-rate", 0.2)
                    .range(1e-9, 10.0)
                    .describedAs("Adagrad step size of the successor rows");

    public static final Setting<Double> LEARNING_RATE =
            Setting.ofDouble("learning-rate", 3e-3)
                    .range(1e-9, 10.0)
                    .describedAs("Adam step size of the dense parameters");

    public static final Setting<Double> EMBEDDING_LEARNING_RATE =
            Setting.ofDouble("embedding-learning-rate", 1e-2)
                    .range(1e-9, 10.0)
                    .describedAs("Adam step size of the item table rows");

    public static final Setting<Double> ADAM_BETA1 =
            Setting.ofDouble("adam-beta1", 0.9).range(0.0, 0.999999).describedAs("Adam's beta1");

    public static final Setting<Double> ADAM_BETA2 =
            Setting.ofDouble("adam-beta2", 0.999)
                    .range(0.0, 0.999999999)
                    .describedAs("Adam's beta2");

    public static final Setting<Double> ADAM_EPSILON =
            Setting.ofDouble("adam-epsilon", 1e-8).range(1e-15, 1.0).describedAs("Adam's epsilon");

    public static final Setting<Double> INIT_SCALE =
            Setting.ofDouble("init-scale", 0.1)
                    .range(1e-6, 10.0)
                    .describedAs("standard deviation of new embeddings");

    public static final Setting<Integer> STEPS_PER_BATCH =
            Setting.ofInt("steps-per-batch", 1)
                    .range(1, 100)
                    .describedAs("optimizer steps per mini-batch");

    public static final Setting<Integer> REPLAY_BUFFER =
            Setting.ofInt("replay-buffer", 20_000)
                    .range(0, 10_000_000)
                    .describedAs("recent examples kept to train again (0: no replay)");

    public static final Setting<Integer> REPLAY_PER_BATCH =
            Setting.ofInt("replay-per-batch", 64)
                    .range(0, 100_000)
                    .describedAs("replayed examples trained along with each fresh batch");

    public static final Setting<Integer> CATALOGUE_CAPACITY =
            Setting.ofInt("catalogue-capacity", 1 << 21)
                    .range(2, 1 << 27)
                    .describedAs(
                            "most items the model admits; later new ids are refused (counted)");

    public static final Setting<Long> SEED =
            Setting.ofLong("seed", 42L).describedAs("seed of initialization and sampling");

    public static final Setting<Integer> ITEM_SHARDS =
            Setting.ofInt("item-shards", 128)
                    .range(1, 32_768)
                    .describedAs(
                            "shards of the item table, fixed for a model: the most trainers it can"
                                    + " run on");

    /** The model's own settings, in snapshot and docs order. */
    public static final List<Setting<?>> ALL =
            List.of(
                    WINDOW_LENGTH,
                    FACTOR_DIM,
                    HIDDEN,
                    HEADS,
                    BLOCKS,
                    FF_DIM,
                    INTENT_TYPES,
                    FACTORIZED,
                    RATE_AND_INTENT,
                    INTENT_INPUT,
                    NEGATIVES,
                    SAMPLER_POWER,
                    POS_THRESHOLD,
                    NEG_THRESHOLD,
                    NEG_WEIGHT,
                    NEG_AFTER_PLAY,
                    NEG_LOSS,
                    NEG_ITEM_GRADIENT,
                    NEXT_ITEM_WEIGHT,
                    SUCCESSOR_DIM,
                    SUCCESSOR_WEIGHT,
                    SUCCESSOR_LEARNING_RATE,
                    LEARNING_RATE,
                    EMBEDDING_LEARNING_RATE,
                    ADAM_BETA1,
                    ADAM_BETA2,
                    ADAM_EPSILON,
                    INIT_SCALE,
                    STEPS_PER_BATCH,
                    REPLAY_BUFFER,
                    REPLAY_PER_BATCH,
                    CATALOGUE_CAPACITY,
                    SEED,
                    ITEM_SHARDS);

    public static final Setting<Integer> THREADS =
            Setting.ofInt("threads", 2)
                    .range(1, 256)
                    .describedAs("worker threads inside one model's step and ranking");

    public static final Setting<Precision> PRECISION =
            Setting.ofEnum("precision", Precision.class, Precision.FLOAT)
                    .describedAs("dense layers' products in float32 (double weights) or double");

    public static final Setting<CatalogueProducts> CATALOGUE_PRODUCTS =
            Setting.ofEnum("catalogue-products", CatalogueProducts.class, CatalogueProducts.AUTO)
                    .describedAs(
                            "kernel of the whole-catalogue products (prequential top-N): java (no"
                                    + " native library), nd4j (native OpenBLAS), or auto: java"
                                    + " below 100,000 items, nd4j from there");

    public static final Setting<Integer> ITEM_ADMISSION_PLAYS =
            Setting.ofInt("item-admission-plays", 1)
                    .range(1, 100)
                    .describedAs(
                            "plays an unseen item id needs before it gets a row (1: its first);"
                                    + " counted in a fixed-size sketch, so one-off ids cost no"
                                    + " memory");

    public static final Setting<Duration> ITEM_EVICTION_AFTER =
            Setting.ofDuration("item-eviction-after", Duration.ofDays(90))
                    .range(Duration.ZERO, Duration.ofDays(3650))
                    .describedAs(
                            "a row unplayed this long (event time) leaves the catalogue, and its"
                                    + " vector is deleted from the vectors topic (0: never)");

    /** How a process runs a model; not part of it. */
    public static final List<Setting<?>> RUNTIME =
            List.of(
                    THREADS,
                    PRECISION,
                    CATALOGUE_PRODUCTS,
                    ITEM_ADMISSION_PLAYS,
                    ITEM_EVICTION_AFTER);
}
