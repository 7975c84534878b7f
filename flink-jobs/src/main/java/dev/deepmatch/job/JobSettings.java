package dev.deepmatch.job;

import dev.deepmatch.settings.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The job's own settings, declared once (the model's are in {@code ModelSettings}, the shared
 * prequential ones in {@code PrequentialSettings}). The same names work as {@code --name value}
 * arguments and as {@code deepmatch.<name>} entries of the Flink configuration.
 */
public final class JobSettings {
    private JobSettings() {}

    /** How the Kafka source starts where the group has no committed offset, or always. */
    public enum StartingOffsets {
        /** The group's committed offsets, earliest where there are none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    // Kafka ------------------------------------------------------------------------------------

    public static final Setting<String> BOOTSTRAP_SERVERS =
            Setting.ofString("bootstrap-servers", "localhost:9092")
                    .nonEmpty()
                    .describedAs("Kafka brokers");

    public static final Setting<String> EVENTS_TOPIC =
            Setting.ofString("events-topic", "playback-events")
                    .nonEmpty()
                    .describedAs("topic of the plays (PlaybackEvent)");

    public static final Setting<String> DEAD_LETTER_TOPIC =
            Setting.ofString("dead-letter-topic", "playback-events-dlq")
                    .nonEmpty()
                    .describedAs("topic of the records the job could not use (DeadLetter)");

    public static final Setting<String> VECTORS_TOPIC =
            Setting.ofString("vectors-topic", "item-vectors")
                    .nonEmpty()
                    .describedAs("compacted topic of the item vectors (ItemVector)");

    public static final Setting<String> USER_VECTORS_TOPIC =
            Setting.ofString("user-vectors-topic", "user-vectors")
                    .nonEmpty()
                    .describedAs(
                            "compacted topic of the listeners' user vectors (UserVector), the"
                                    + " queries of a recall service");

    public static final Setting<String> DELTAS_TOPIC =
            Setting.ofString("deltas-topic", "model-deltas")
                    .nonEmpty()
                    .describedAs(
                            "the job's own topic through which trainers exchange what they learned"
                                    + " (ModelDelta)");

    public static final Setting<String> GROUP_ID =
            Setting.ofString("group-id", "deepmatch-learner")
                    .nonEmpty()
                    .describedAs(
                            "consumer group (offsets are committed on checkpoints, for monitoring;"
                                    + " the job restores from its own checkpointed offsets)");

    public static final Setting<StartingOffsets> STARTING_OFFSETS =
            Setting.ofEnum("starting-offsets", StartingOffsets.class, StartingOffsets.COMMITTED)
                    .describedAs(
                            "where a start without state begins; committed falls back to earliest");

    public static final Setting<String> TRANSACTIONAL_ID_PREFIX =
            Setting.ofString("transactional-id-prefix", "deepmatch-learner-vectors")
                    .nonEmpty()
                    .describedAs("of the vector sink's transactions; unique per job on a cluster");

    public static final Setting<Duration> TRANSACTION_TIMEOUT =
            Setting.ofDuration("transaction-timeout", Duration.ofMinutes(10))
                    .range(Duration.ofMillis(1), Duration.ofDays(1))
                    .describedAs(
                            "transaction.timeout.ms of the vector sink: above the checkpoint"
                                    + " interval, at most the broker's transaction.max.timeout.ms");

    public static final Setting<Integer> DEAD_LETTER_MAX_BYTES =
            Setting.ofInt("dead-letter-max-bytes", 512 << 10)
                    .range(0, 100 << 20)
                    .describedAs(
                            "the most of a bad record's value a dead letter keeps (the rest is cut and"
                                    + " the letter says so); with the 4 KiB of key and 2000 characters"
                                    + " of detail it must fit the dead-letter producer's"
                                    + " max.request.size");

    public static final List<Setting<?>> KAFKA =
            List.of(
                    BOOTSTRAP_SERVERS,
                    EVENTS_TOPIC,
                    DEAD_LETTER_TOPIC,
                    VECTORS_TOPIC,
                    USER_VECTORS_TOPIC,
                    DELTAS_TOPIC,
                    GROUP_ID,
                    STARTING_OFFSETS,
                    TRANSACTIONAL_ID_PREFIX,
                    TRANSACTION_TIMEOUT,
                    DEAD_LETTER_MAX_BYTES);

    // Event time and windows --------------------------------------------------------------------

    public static final Setting<Duration> MAX_OUT_OF_ORDERNESS =
            Setting.ofDuration("max-out-of-orderness", Duration.ofSeconds(5))
                    .range(Duration.ZERO, Duration.ofHours(1))
                    .describedAs("watermark delay behind the highest event time of a partition");

    public static final Setting<Duration> IDLENESS =
            Setting.ofDuration("idleness", Duration.ofMinutes(1))
                    .range(Duration.ZERO, Duration.ofDays(1))
                    .describedAs(
                            "a partition without records this long stops holding back the"
                                    + " watermark (0: off)");

    public static final Setting<Duration> ALLOWED_LATENESS =
            Setting.ofDuration("allowed-lateness", Duration.ofMinutes(10))
                    .range(Duration.ZERO, Duration.ofDays(30))
                    .describedAs(
                            "plays behind the watermark by more than this are dropped (counted)");

    public static final Setting<Duration> MAX_FUTURE_SKEW =
            Setting.ofDuration("max-future-skew", Duration.ofMinutes(5))
                    .range(Duration.ZERO, Duration.ofDays(30))
                    .describedAs("plays further ahead of the job's clock are dead-lettered");

    public static final Setting<Duration> STATE_TTL =
            Setting.ofDuration("state-ttl", Duration.ofDays(30))
                    .range(Duration.ofMinutes(1), Duration.ofDays(3650))
                    .describedAs(
                            "a listener's window is forgotten this long after their last play"
                                    + " (processing time)");

    public static final List<Setting<?>> WINDOWS =
            List.of(MAX_OUT_OF_ORDERNESS, IDLENESS, ALLOWED_LATENESS, MAX_FUTURE_SKEW, STATE_TTL);

    // Trainer -----------------------------------------------------------------------------------

    public static final Setting<Duration> BATCH_MAX_DELAY =
            Setting.ofDuration("batch-max-delay", Duration.ofSeconds(1))
                    .range(Duration.ofMillis(1), Duration.ofHours(1))
                    .describedAs(
                            "a smaller batch is trained once its first example waited this long");

    public static final Setting<Duration> EMISSION_INTERVAL =
            Setting.ofDuration("emission-interval", Duration.ofSeconds(10))
                    .range(Duration.ofMillis(100), Duration.ofDays(1))
                    .describedAs("how often the item vectors the model changed are published");

    public static final Setting<Duration> USER_VECTOR_INTERVAL =
            Setting.ofDuration("user-vector-interval", Duration.ofSeconds(1))
                    .range(Duration.ofMillis(100), Duration.ofDays(1))
                    .describedAs(
                            "how often the user vectors of listeners who played since are"
                                    + " published");

    public static final Setting<Duration> FULL_REFRESH_INTERVAL =
            Setting.ofDuration("full-refresh-interval", Duration.ofHours(1))
                    .range(Duration.ofMillis(100), Duration.ofDays(365))
                    .describedAs(
                            "how often the whole catalogue is published; at least the emission"
                                    + " interval");

    public static final Setting<Boolean> FULL_REFRESH_ON_START =
            Setting.ofBoolean("full-refresh-on-start", true)
                    .describedAs("publish the whole catalogue right after a restore");

    public static final Setting<Boolean> TRAINING_ENABLED =
            Setting.ofBoolean("training-enabled", true)
                    .describedAs(
                            "false: the trainer only counts examples (a bench of the rest); a"
                                    + " restored model is kept untouched in state");

    public static final Setting<Double> RANKED_SHARE =
            Setting.ofDouble("ranked-share", 1.0)
                    .range(0.0, 1.0)
                    .describedAs(
                            "share of batches ranked against the catalogue before learning (the"
                                    + " POS@N / NEG@N sample; positivesRanked says how many)");

    public static final Setting<Integer> MODEL_SHARD_BYTES =
            Setting.ofInt("model-shard-bytes", 1 << 20)
                    .range(4096, 64 << 20)
                    .describedAs("payload size of one model shard in operator state");

    public static final Setting<Integer> TRAINER_PARALLELISM =
            Setting.ofInt("trainer-parallelism", 1)
                    .range(1, 32_768)
                    .describedAs(
                            "trainer subtasks sharing one model (at most item-shards); each"
                                    + " applies the others' updates as it reads them");

    public static final List<Setting<?>> TRAINER =
            List.of(
                    TRAINER_PARALLELISM,
                    BATCH_MAX_DELAY,
                    EMISSION_INTERVAL,
                    USER_VECTOR_INTERVAL,
                    FULL_REFRESH_INTERVAL,
                    FULL_REFRESH_ON_START,
                    TRAINING_ENABLED,
                    RANKED_SHARE,
                    MODEL_SHARD_BYTES);

    // Quality gate ------------------------------------------------------------------------------

    public static final Setting<Boolean> QUALITY_GATE =
            Setting.ofBoolean("quality-gate", true)
                    .describedAs(
                            "hold publication of item and user vectors while recent POS@10 /"
                                    + " NEG@10 are far worse than their trailing level");

    public static final Setting<Integer> GATE_WINDOW =
            Setting.ofInt("gate-window", 2_000)
                    .range(10, 10_000_000)
                    .describedAs(
                            "positives (and negatives) each in the gate's recent POS@10 / NEG@10");

    public static final Setting<Integer> GATE_TRAILING =
            Setting.ofInt("gate-trailing", 20_000)
                    .range(10, 100_000_000)
                    .describedAs(
                            "positives (and negatives) the trailing level averages over"
                                    + " (exponentially); frozen while publication is held");

    public static final Setting<Integer> GATE_WARM_UP =
            Setting.ofInt("gate-warm-up", 5_000)
                    .range(0, 100_000_000)
                    .describedAs(
                            "positives ranked before the gate judges (a young model is let through)");

    public static final Setting<Double> GATE_POS_DROP =
            Setting.ofDouble("gate-pos-drop", 0.3)
                    .range(0.0, 1.0)
                    .describedAs(
                            "holds when recent POS@10 is below the trailing level by more than this"
                                    + " share of it; resumes above half of that drop");

    public static final Setting<Double> GATE_NEG_RISE =
            Setting.ofDouble("gate-neg-rise", 0.1)
                    .range(0.0, 1.0)
                    .describedAs(
                            "holds when recent NEG@10 is above the trailing level by more than this;"
                                    + " resumes below half of it");

    public static final Setting<Long> VERSION_FLOOR =
            Setting.ofLong("version-floor", 0L)
                    .range(0L, Long.MAX_VALUE / 2)
                    .describedAs(
                            "the model's version is at least this (restored or new): to roll the"
                                    + " vectors back to an older checkpoint, restore it with a"
                                    + " floor above the newest version published, and its full"
                                    + " refresh replaces what consumers hold");

    public static final List<Setting<?>> GATE =
            List.of(
                    QUALITY_GATE,
                    GATE_WINDOW,
                    GATE_TRAILING,
                    GATE_WARM_UP,
                    GATE_POS_DROP,
                    GATE_NEG_RISE,
                    VERSION_FLOOR);

    // Checkpoints and parallelism ---------------------------------------------------------------

    public static final Setting<Duration> CHECKPOINT_INTERVAL =
            Setting.ofDuration("checkpoint-interval", Duration.ofSeconds(30))
                    .range(Duration.ofMillis(100), Duration.ofHours(1))
                    .describedAs("also the delay of vectors to read_committed readers");

    public static final Setting<String> CHECKPOINT_DIR =
            Setting.ofString("checkpoint-dir", null)
                    .valueName("URI")
                    .defaultShownAs("the Flink configuration's")
                    .describedAs("execution.checkpointing.dir, e.g. s3://bucket/checkpoints");

    public static final Setting<Integer> PARALLELISM =
            Setting.ofInt("parallelism", 0)
                    .range(0, 32_768)
                    .describedAs(
                            "default operator parallelism, at most max-parallelism (0: the"
                                    + " cluster's); the trainer and vector sink run with"
                                    + " trainer-parallelism");

    public static final Setting<Integer> MAX_PARALLELISM =
            Setting.ofInt("max-parallelism", 128)
                    .range(1, 32_768)
                    .describedAs(
                            "key groups of the window state: the most subtasks it can be rescaled"
                                    + " to; fixed for the life of the state");

    public static final List<Setting<?>> CLUSTER =
            List.of(CHECKPOINT_INTERVAL, CHECKPOINT_DIR, PARALLELISM, MAX_PARALLELISM);

    /** Prefix of job settings inside a Flink configuration, e.g. {@code deepmatch.batch-size}. */
    public static final String FLINK_CONF_PREFIX = "deepmatch.";

    /** {@code --kafka.<property> value}: to every Kafka client of the job. */
    public static final String KAFKA_PREFIX = "kafka.";

    /** {@code --flink.<key> value}: into the job's Flink configuration. */
    public static final String FLINK_PREFIX = "flink.";
}
