package dev.deepmatch.job;

import dev.deepmatch.job.cli.CliArgs;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.NegativeLoss;
import dev.deepmatch.model.math.Precision;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.TimeUtils;

/**
 * Typed, immutable settings of the learner job, validated when built: a wrong value fails with an
 * {@link IllegalArgumentException} naming the setting and its allowed range.
 *
 * <p>Sources, later ones winning: defaults, the Flink configuration under {@code deepmatch.<name>}
 * (e.g. {@code deepmatch.window-length: 50} in config.yaml), then {@code --<name> value} arguments.
 * Two prefixes pass through unchecked: {@code --kafka.<prop>} goes to every Kafka client (SASL,
 * TLS, ...) and {@code --flink.<key>} into the job's Flink configuration (e.g. {@code
 * --flink.restart-strategy.type fixed-delay}).
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Prefix of job settings inside a Flink configuration. */
    public static final String FLINK_CONF_PREFIX = "deepmatch.";

    public static final String KAFKA_PREFIX = "kafka.";
    public static final String FLINK_PREFIX = "flink.";

    /** Every setting with its default, in the order of the docs. */
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    /** Model settings: job setting name -> how it is applied to the model builder. */
    private static final Map<String, BiConsumer<ModelConfig.Builder, String>> MODEL_SETTINGS =
            new LinkedHashMap<>();

    static {
        DEFAULTS.put("bootstrap-servers", "localhost:9092");
        DEFAULTS.put("events-topic", "playback-events");
        DEFAULTS.put("dead-letter-topic", "playback-events-dlq");
        DEFAULTS.put("vectors-topic", "item-vectors");
        DEFAULTS.put("group-id", "deepmatch-learner");
        DEFAULTS.put("starting-offsets", "committed");
        DEFAULTS.put("max-out-of-orderness", "5 s");
        DEFAULTS.put("idleness", "1 min");
        DEFAULTS.put("allowed-lateness", "10 min");
        DEFAULTS.put("max-future-skew", "5 min");
        DEFAULTS.put("window-length", "50");
        DEFAULTS.put("state-ttl", "30 d");
        DEFAULTS.put("dedup-memory", "100");
        DEFAULTS.put("batch-size", "64");
        DEFAULTS.put("batch-max-delay", "1 s");
        DEFAULTS.put("emission-interval", "10 s");
        DEFAULTS.put("full-refresh-interval", "1 h");
        DEFAULTS.put("full-refresh-on-start", "true");
        DEFAULTS.put("checkpoint-interval", "30 s");
        DEFAULTS.put("checkpoint-dir", "");
        DEFAULTS.put("transaction-timeout", "10 min");
        DEFAULTS.put("transactional-id-prefix", "deepmatch-learner-vectors");
        DEFAULTS.put("training-enabled", "true");
        DEFAULTS.put("parallelism", "0");
        DEFAULTS.put("max-parallelism", "128");
        DEFAULTS.put("metrics-window", "10000");
        DEFAULTS.put("model-shard-bytes", "1048576");

        MODEL_SETTINGS.put("factor-dim", (b, v) -> b.factorDim(Integer.parseInt(v)));
        MODEL_SETTINGS.put("hidden", (b, v) -> b.hidden(Integer.parseInt(v)));
        MODEL_SETTINGS.put("heads", (b, v) -> b.heads(Integer.parseInt(v)));
        MODEL_SETTINGS.put("blocks", (b, v) -> b.blocks(Integer.parseInt(v)));
        MODEL_SETTINGS.put("ff-dim", (b, v) -> b.ffDim(Integer.parseInt(v)));
        MODEL_SETTINGS.put("factorized", (b, v) -> b.factorized(parseBoolean(v)));
        MODEL_SETTINGS.put("use-rate-and-intent", (b, v) -> b.useRateAndIntent(parseBoolean(v)));
        MODEL_SETTINGS.put("negatives", (b, v) -> b.negatives(Integer.parseInt(v)));
        MODEL_SETTINGS.put("sampler-power", (b, v) -> b.samplerPower(Double.parseDouble(v)));
        MODEL_SETTINGS.put("pos-threshold", (b, v) -> b.posThreshold(Double.parseDouble(v)));
        MODEL_SETTINGS.put("neg-threshold", (b, v) -> b.negThreshold(Double.parseDouble(v)));
        MODEL_SETTINGS.put("neg-weight", (b, v) -> b.negWeight(Double.parseDouble(v)));
        MODEL_SETTINGS.put("learning-rate", (b, v) -> b.learningRate(Double.parseDouble(v)));
        MODEL_SETTINGS.put(
                "embedding-learning-rate",
                (b, v) -> b.embeddingLearningRate(Double.parseDouble(v)));
        MODEL_SETTINGS.put("adam-beta1", (b, v) -> b.adamBeta1(Double.parseDouble(v)));
        MODEL_SETTINGS.put("adam-beta2", (b, v) -> b.adamBeta2(Double.parseDouble(v)));
        MODEL_SETTINGS.put("adam-epsilon", (b, v) -> b.adamEpsilon(Double.parseDouble(v)));
        MODEL_SETTINGS.put("init-scale", (b, v) -> b.initScale(Double.parseDouble(v)));
        MODEL_SETTINGS.put("steps-per-batch", (b, v) -> b.stepsPerBatch(Integer.parseInt(v)));
        MODEL_SETTINGS.put(
                "catalogue-capacity", (b, v) -> b.catalogueCapacity(Integer.parseInt(v)));
        MODEL_SETTINGS.put("threads", (b, v) -> b.threads(Integer.parseInt(v)));
        MODEL_SETTINGS.put("seed", (b, v) -> b.seed(Long.parseLong(v)));
        MODEL_SETTINGS.put(
                "neg-loss",
                (b, v) -> b.negativeLoss(NegativeLoss.valueOf(v.toUpperCase(Locale.ROOT))));
        MODEL_SETTINGS.put("neg-item-gradient", (b, v) -> b.negItemGradient(Double.parseDouble(v)));
        MODEL_SETTINGS.put(
                "precision", (b, v) -> b.precision(Precision.valueOf(v.toUpperCase(Locale.ROOT))));
        MODEL_SETTINGS.put("next-item-weight", (b, v) -> b.nextItemWeight(Double.parseDouble(v)));
        MODEL_SETTINGS.put("replay-buffer", (b, v) -> b.replayBuffer(Integer.parseInt(v)));
        MODEL_SETTINGS.put("replay-per-batch", (b, v) -> b.replayPerBatch(Integer.parseInt(v)));
        // The replay command's short names, so one set of model options works for both.
        MODEL_SETTINGS.put("lr", MODEL_SETTINGS.get("learning-rate"));
        MODEL_SETTINGS.put("emb-lr", MODEL_SETTINGS.get("embedding-learning-rate"));
        MODEL_SETTINGS.put("ff", MODEL_SETTINGS.get("ff-dim"));
    }

    /** How the Kafka source starts when the group has no committed offset, or always. */
    public enum StartingOffsets {
        /** The group's committed offsets, earliest where there are none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    private final String bootstrapServers;
    private final String eventsTopic;
    private final String deadLetterTopic;
    private final String vectorsTopic;
    private final String groupId;
    private final StartingOffsets startingOffsets;
    private final Duration maxOutOfOrderness;
    private final Duration idleness;
    private final Duration allowedLateness;
    private final Duration maxFutureSkew;
    private final int windowLength;
    private final Duration stateTtl;
    private final int dedupMemory;
    private final int batchSize;
    private final Duration batchMaxDelay;
    private final Duration emissionInterval;
    private final Duration fullRefreshInterval;
    private final boolean fullRefreshOnStart;
    private final Duration checkpointInterval;
    private final String checkpointDir;
    private final Duration transactionTimeout;
    private final String transactionalIdPrefix;
    private final boolean trainingEnabled;
    private final int parallelism;
    private final int maxParallelism;
    private final int metricsWindow;
    private final int modelShardBytes;

    /** Only the model settings given explicitly; ModelConfig itself is not Serializable. */
    private final LinkedHashMap<String, String> modelSettings = new LinkedHashMap<>();

    private final LinkedHashMap<String, String> kafkaProperties = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> flinkOverrides = new LinkedHashMap<>();

    /** Effective values of every setting, for the web UI. */
    private final LinkedHashMap<String, String> effective = new LinkedHashMap<>();

    private JobConfig(Map<String, String> values) {
        bootstrapServers = nonEmpty(values, "bootstrap-servers");
        eventsTopic = nonEmpty(values, "events-topic");
        deadLetterTopic = nonEmpty(values, "dead-letter-topic");
        vectorsTopic = nonEmpty(values, "vectors-topic");
        groupId = nonEmpty(values, "group-id");
        startingOffsets = startingOffsets(values.get("starting-offsets"));
        maxOutOfOrderness =
                duration(values, "max-out-of-orderness", Duration.ZERO, Duration.ofHours(1));
        idleness = duration(values, "idleness", Duration.ZERO, Duration.ofDays(1));
        allowedLateness = duration(values, "allowed-lateness", Duration.ZERO, Duration.ofDays(30));
        maxFutureSkew = duration(values, "max-future-skew", Duration.ZERO, Duration.ofDays(30));
        windowLength = integer(values, "window-length", 1, 1000);
        stateTtl = duration(values, "state-ttl", Duration.ofMinutes(1), Duration.ofDays(3650));
        dedupMemory = integer(values, "dedup-memory", 0, 10_000);
        batchSize = integer(values, "batch-size", 1, 65_536);
        batchMaxDelay =
                duration(values, "batch-max-delay", Duration.ofMillis(1), Duration.ofHours(1));
        emissionInterval =
                duration(values, "emission-interval", Duration.ofMillis(100), Duration.ofDays(1));
        fullRefreshInterval =
                duration(values, "full-refresh-interval", emissionInterval, Duration.ofDays(365));
        fullRefreshOnStart = bool(values, "full-refresh-on-start");
        checkpointInterval =
                duration(
                        values, "checkpoint-interval", Duration.ofMillis(100), Duration.ofHours(1));
        checkpointDir = values.get("checkpoint-dir").trim();
        // The broker aborts a transaction older than this; it must outlive a checkpoint interval
        // (and stay within the broker's transaction.max.timeout.ms, 15 min by default).
        transactionTimeout =
                duration(
                        values,
                        "transaction-timeout",
                        checkpointInterval.plusMillis(1),
                        Duration.ofDays(1));
        transactionalIdPrefix = nonEmpty(values, "transactional-id-prefix");
        trainingEnabled = bool(values, "training-enabled");
        maxParallelism = integer(values, "max-parallelism", 1, 32_768);
        parallelism = integer(values, "parallelism", 0, maxParallelism);
        metricsWindow = integer(values, "metrics-window", 100, 10_000_000);
        modelShardBytes = integer(values, "model-shard-bytes", 4096, 64 << 20);

        values.forEach(
                (key, value) -> {
                    if (MODEL_SETTINGS.containsKey(key)) {
                        modelSettings.put(key, value);
                    } else if (key.startsWith(KAFKA_PREFIX)) {
                        kafkaProperties.put(key.substring(KAFKA_PREFIX.length()), value);
                    } else if (key.startsWith(FLINK_PREFIX)) {
                        flinkOverrides.put(key.substring(FLINK_PREFIX.length()), value);
                    }
                });
        modelConfig(); // validates the model settings now, not when the trainer starts

        values.forEach((key, value) -> effective.put(key, isSecret(key) ? "******" : value));
    }

    // ------------------------------------------------------------------------------------------
    //  Parsing
    // ------------------------------------------------------------------------------------------

    /** Parses {@code --name value} (or {@code --name=value}) arguments on top of the defaults. */
    public static JobConfig fromArgs(String[] args) {
        return fromArgs(args, new Configuration());
    }

    /** Parses arguments on top of {@code deepmatch.*} entries of a Flink configuration. */
    public static JobConfig fromArgs(String[] args, ReadableConfig flinkConfig) {
        return fromMap(parseArgs(args), flinkConfig);
    }

    /**
     * Builds the config from already split settings (names without {@code --}); for launchers that
     * take their own options out of the arguments first.
     */
    public static JobConfig fromMap(Map<String, String> settings, ReadableConfig flinkConfig) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        flinkConfig
                .toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(FLINK_CONF_PREFIX)) {
                                values.put(key.substring(FLINK_CONF_PREFIX.length()), value);
                            }
                        });
        values.putAll(settings);
        for (String key : values.keySet()) {
            if (!isKnown(key)) {
                throw new IllegalArgumentException(
                        "unknown setting --"
                                + key
                                + "; known settings: "
                                + String.join(", ", knownSettings())
                                + ", and --kafka.<client property>, --flink.<config key>");
            }
        }
        return new JobConfig(values);
    }

    /**
     * Splits {@code --name value}, {@code --name=value} and bare {@code --flag} (meaning true)
     * arguments into an ordered map; a setting given twice is an error.
     */
    public static LinkedHashMap<String, String> parseArgs(String[] args) {
        return CliArgs.split(args, name -> false, true);
    }

    /** Names of all settings other than the pass-through prefixes. */
    public static List<String> knownSettings() {
        List<String> names = new java.util.ArrayList<>(DEFAULTS.keySet());
        names.addAll(MODEL_SETTINGS.keySet());
        return names;
    }

    /** Defaults of the job settings (model settings default to {@link ModelConfig#builder()}). */
    public static Map<String, String> defaults() {
        return Collections.unmodifiableMap(DEFAULTS);
    }

    private static boolean isKnown(String key) {
        return DEFAULTS.containsKey(key)
                || MODEL_SETTINGS.containsKey(key)
                || (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length())
                || (key.startsWith(FLINK_PREFIX) && key.length() > FLINK_PREFIX.length());
    }

    private static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret");
    }

    private static String nonEmpty(Map<String, String> values, String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " must not be empty");
        }
        return v.trim();
    }

    private static int integer(Map<String, String> values, String name, int min, int max) {
        String v = values.get(name).trim();
        int parsed;
        try {
            parsed = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw outOfRange(name, v, "an integer in [" + min + ", " + max + "]");
        }
        if (parsed < min || parsed > max) {
            throw outOfRange(name, v, "an integer in [" + min + ", " + max + "]");
        }
        return parsed;
    }

    private static Duration duration(
            Map<String, String> values, String name, Duration min, Duration max) {
        String v = values.get(name).trim();
        String range =
                "a duration in ["
                        + TimeUtils.formatWithHighestUnit(min)
                        + ", "
                        + TimeUtils.formatWithHighestUnit(max)
                        + "] such as '500 ms', '10 s', '5 min', '30 d'";
        Duration parsed;
        try {
            parsed = TimeUtils.parseDuration(v);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw outOfRange(name, v, range);
        }
        if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            throw outOfRange(name, v, range);
        }
        return parsed;
    }

    private static boolean bool(Map<String, String> values, String name) {
        String v = values.get(name).trim();
        try {
            return parseBoolean(v);
        } catch (IllegalArgumentException e) {
            throw outOfRange(name, v, "true or false");
        }
    }

    private static boolean parseBoolean(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean: " + v);
    }

    private static StartingOffsets startingOffsets(String v) {
        try {
            return StartingOffsets.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw outOfRange("starting-offsets", v, "one of committed, earliest, latest");
        }
    }

    private static IllegalArgumentException outOfRange(String name, String value, String range) {
        return new IllegalArgumentException(
                "--" + name + " must be " + range + ", got '" + value + "'");
    }

    // ------------------------------------------------------------------------------------------
    //  Derived views
    // ------------------------------------------------------------------------------------------

    /** The model's settings; its window length is the job's {@code window-length}. */
    public ModelConfig modelConfig() {
        ModelConfig.Builder builder = ModelConfig.builder().maxLen(windowLength);
        modelSettings.forEach(
                (name, value) -> {
                    try {
                        MODEL_SETTINGS.get(name).accept(builder, value.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "--" + name + " must be a number, got '" + value + "'");
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(
                                "--" + name + " must be true or false, got '" + value + "'");
                    }
                });
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid model setting: " + e.getMessage(), e);
        }
    }

    /** Properties every Kafka client of the job gets (from {@code --kafka.<prop>}). */
    public Properties kafkaProperties() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        return props;
    }

    /** Flink configuration entries given as {@code --flink.<key> value}. */
    public Map<String, String> flinkOverrides() {
        return Collections.unmodifiableMap(flinkOverrides);
    }

    /** Effective value of every setting, secrets masked; shown as global job parameters. */
    public Map<String, String> toDisplayMap() {
        return Collections.unmodifiableMap(effective);
    }

    @Override
    public String toString() {
        return "JobConfig" + effective;
    }

    // ------------------------------------------------------------------------------------------
    //  Accessors
    // ------------------------------------------------------------------------------------------

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String eventsTopic() {
        return eventsTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    public String vectorsTopic() {
        return vectorsTopic;
    }

    public String groupId() {
        return groupId;
    }

    public StartingOffsets startingOffsets() {
        return startingOffsets;
    }

    public Duration maxOutOfOrderness() {
        return maxOutOfOrderness;
    }

    /** Zero means idleness detection is off. */
    public Duration idleness() {
        return idleness;
    }

    public Duration allowedLateness() {
        return allowedLateness;
    }

    public Duration maxFutureSkew() {
        return maxFutureSkew;
    }

    /** L: plays kept per user and the model's sequence length. */
    public int windowLength() {
        return windowLength;
    }

    public Duration stateTtl() {
        return stateTtl;
    }

    /** How many recent event ids per user are remembered to drop replayed duplicates. */
    public int dedupMemory() {
        return dedupMemory;
    }

    public int batchSize() {
        return batchSize;
    }

    public Duration batchMaxDelay() {
        return batchMaxDelay;
    }

    public Duration emissionInterval() {
        return emissionInterval;
    }

    public Duration fullRefreshInterval() {
        return fullRefreshInterval;
    }

    public boolean fullRefreshOnStart() {
        return fullRefreshOnStart;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** Checkpoint directory URI, or empty to use the Flink configuration's. */
    public String checkpointDir() {
        return checkpointDir;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public boolean trainingEnabled() {
        return trainingEnabled;
    }

    /** Default operator parallelism; 0 keeps the environment's. */
    public int parallelism() {
        return parallelism;
    }

    /**
     * Key groups of the keyed window state: the most subtasks it can ever be rescaled to. Fixed for
     * the life of the state; changing it needs a fresh start.
     */
    public int maxParallelism() {
        return maxParallelism;
    }

    /** Examples in the rolling window of the prequential POS@10 / NEG@10 gauges. */
    public int metricsWindow() {
        return metricsWindow;
    }

    public int modelShardBytes() {
        return modelShardBytes;
    }
}
