package dev.deepmatch.job;

import static dev.deepmatch.job.JobSettings.*;

import dev.deepmatch.job.source.PlaybackDecoder;
import dev.deepmatch.job.train.TrainerSettings;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelRuntime;
import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.model.prequential.QualityGate;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.KafkaSecrets;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The job's settings, checked together: its own ({@link JobSettings}), the shared prequential ones
 * and the model's. Sources, later ones winning: the declared defaults, the Flink configuration
 * under {@code deepmatch.<name>} (e.g. {@code deepmatch.window-length: 50} in config.yaml), then
 * {@code --name value} arguments. Two prefixes pass through unchecked: {@code --kafka.<prop>} goes
 * to every Kafka client (SASL, TLS, ...) and {@code --flink.<key>} into the job's Flink
 * configuration.
 */
public final class JobConfig {

    /** The job's command line; launchers add the same groups with {@link #addTo}. */
    public static final CommandLine COMMAND =
            addTo(
                            CommandLine.builder(
                                    "deepmatch-learner",
                                    "The streaming learner job: flink run -c"
                                            + " dev.deepmatch.job.LearnerJob learner.jar [--setting"
                                            + " value ...]; docs/OPERATIONS.md."))
                    .build();

    private final Settings settings;
    private final Map<String, String> kafkaProperties;
    private final Map<String, String> flinkOverrides;
    private final ModelConfig model;
    private final ModelRuntime runtime;

    /** Adds the job's settings and pass-through prefixes to a command line, in docs order. */
    public static CommandLine.Builder addTo(CommandLine.Builder cli) {
        return cli.group("Kafka", JobSettings.KAFKA)
                .group(
                        "event time and windows",
                        join(JobSettings.WINDOWS, List.of(PrequentialSettings.DEDUP_MEMORY)))
                .group(
                        "trainer",
                        join(
                                List.of(
                                        PrequentialSettings.BATCH_SIZE,
                                        PrequentialSettings.METRICS_WINDOW),
                                JobSettings.TRAINER))
                .group("quality gate", JobSettings.GATE)
                .group("checkpoints and parallelism", JobSettings.CLUSTER)
                .group("model", ModelSettings.ALL)
                .group("runtime", ModelSettings.RUNTIME)
                .passThrough(
                        KAFKA_PREFIX,
                        "any Kafka client property, to every client of the job (SASL, TLS, ...)")
                .passThrough(FLINK_PREFIX, "any Flink configuration key, for this job");
    }

    /** Every declared setting of the job, in docs order. */
    public static List<Setting<?>> declared() {
        return COMMAND.settings();
    }

    private JobConfig(
            Settings settings, Map<String, String> kafkaProperties, Map<String, String> flink) {
        this.settings = settings;
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(kafkaProperties));
        this.flinkOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(flink));
        this.model = ModelConfig.from(settings);
        this.runtime = ModelRuntime.from(settings);
        checkTogether();
    }

    /**
     * The job's settings among {@code settings} with the pass-through properties; the rules between
     * settings are checked here, each setting's own when it was set.
     */
    public static JobConfig of(
            Settings settings, Map<String, String> kafkaProperties, Map<String, String> flink) {
        return new JobConfig(settings, kafkaProperties, flink);
    }

    /** Parses a command line of {@link #COMMAND} on top of a parsed command's pass-throughs. */
    public static JobConfig of(CommandLine.Parsed parsed) {
        return of(parsed.settings(), parsed.prefixed(KAFKA_PREFIX), parsed.prefixed(FLINK_PREFIX));
    }

    /**
     * Parses the job's arguments on top of the {@code deepmatch.*} entries of a Flink
     * configuration.
     *
     * @return null when the arguments ask for help
     */
    public static JobConfig parse(String[] args, ReadableConfig flinkConfig) throws UsageException {
        Map<String, String> base = new LinkedHashMap<>();
        flinkConfig
                .toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(FLINK_CONF_PREFIX)) {
                                base.put(key.substring(FLINK_CONF_PREFIX.length()), value);
                            }
                        });
        CommandLine.Parsed parsed = COMMAND.parse(args, base);
        if (parsed.help()) {
            return null;
        }
        try {
            return of(parsed);
        } catch (SettingException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Parses arguments over the defaults, for callers that hold no Flink configuration; a wrong
     * setting throws {@link IllegalArgumentException} naming it.
     */
    public static JobConfig fromArgs(String... args) {
        try {
            JobConfig config = parse(args, new org.apache.flink.configuration.Configuration());
            if (config == null) {
                throw new IllegalArgumentException("--help is not a setting");
            }
            return config;
        } catch (UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void checkTogether() {
        if (get(FULL_REFRESH_INTERVAL).compareTo(get(EMISSION_INTERVAL)) < 0) {
            throw new SettingException(
                    FULL_REFRESH_INTERVAL.name(),
                    "--full-refresh-interval must be at least --emission-interval ("
                            + EMISSION_INTERVAL.format(get(EMISSION_INTERVAL))
                            + "), got '"
                            + FULL_REFRESH_INTERVAL.format(get(FULL_REFRESH_INTERVAL))
                            + "'");
        }
        // The broker aborts a transaction older than this; it must outlive a checkpoint interval.
        if (get(TRANSACTION_TIMEOUT).compareTo(get(CHECKPOINT_INTERVAL)) <= 0) {
            throw new SettingException(
                    TRANSACTION_TIMEOUT.name(),
                    "--transaction-timeout must exceed --checkpoint-interval ("
                            + CHECKPOINT_INTERVAL.format(get(CHECKPOINT_INTERVAL))
                            + "), got '"
                            + TRANSACTION_TIMEOUT.format(get(TRANSACTION_TIMEOUT))
                            + "'");
        }
        // A dead letter must always fit one produce request, or the sink fails on it for ever.
        long request = deadLetterRequestLimit();
        long letter = (long) get(DEAD_LETTER_MAX_BYTES) + DEAD_LETTER_OVERHEAD;
        if (letter > request) {
            throw new SettingException(
                    DEAD_LETTER_MAX_BYTES.name(),
                    "--dead-letter-max-bytes must leave room in the dead-letter producer's"
                            + " max.request.size ("
                            + request
                            + " bytes) for the key, detail and coordinates ("
                            + DEAD_LETTER_OVERHEAD
                            + " bytes), got '"
                            + get(DEAD_LETTER_MAX_BYTES)
                            + "'");
        }
        if (get(PARALLELISM) > get(MAX_PARALLELISM)) {
            throw new SettingException(
                    PARALLELISM.name(),
                    "--parallelism must be at most --max-parallelism ("
                            + get(MAX_PARALLELISM)
                            + "), got '"
                            + get(PARALLELISM)
                            + "'");
        }
        int shards = model.itemShards();
        if (get(TRAINER_PARALLELISM) > shards) {
            throw new SettingException(
                    TRAINER_PARALLELISM.name(),
                    "--trainer-parallelism must be at most --item-shards ("
                            + shards
                            + "), got '"
                            + get(TRAINER_PARALLELISM)
                            + "'");
        }
        if (get(TRAINER_PARALLELISM) > get(MAX_PARALLELISM)) {
            throw new SettingException(
                    TRAINER_PARALLELISM.name(),
                    "--trainer-parallelism must be at most --max-parallelism ("
                            + get(MAX_PARALLELISM)
                            + "), got '"
                            + get(TRAINER_PARALLELISM)
                            + "'");
        }
        KafkaSecrets.check(KAFKA_PREFIX, kafkaProperties);
    }

    /**
     * What a dead letter may take beyond its value: the kept key, the detail at up to four bytes a
     * character, the topic name and the fixed fields, with room to spare.
     */
    static final int DEAD_LETTER_OVERHEAD =
            PlaybackDecoder.MAX_KEY_BYTES + 4 * PlaybackDecoder.MAX_DETAIL_CHARS + (16 << 10);

    /** The producers' max.request.size: Kafka's 1 MiB unless --kafka.max.request.size says. */
    private long deadLetterRequestLimit() {
        String given = kafkaProperties.get("max.request.size");
        if (given == null) {
            return 1 << 20;
        }
        try {
            return Long.parseLong(given.trim());
        } catch (NumberFormatException e) {
            throw new SettingException(
                    KAFKA_PREFIX + "max.request.size",
                    "--kafka.max.request.size must be a number of bytes, got '" + given + "'");
        }
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    public Settings settings() {
        return settings;
    }

    /** The model's settings; its window length is the job's. */
    public ModelConfig modelConfig() {
        return model;
    }

    public ModelRuntime modelRuntime() {
        return runtime;
    }

    /** What the trainer needs of the settings. */
    public TrainerSettings trainerSettings() {
        return new TrainerSettings(
                model,
                runtime,
                get(PrequentialSettings.BATCH_SIZE),
                get(BATCH_MAX_DELAY),
                get(EMISSION_INTERVAL),
                get(FULL_REFRESH_INTERVAL),
                get(FULL_REFRESH_ON_START),
                get(TRAINING_ENABLED),
                get(RANKED_SHARE),
                get(PrequentialSettings.METRICS_WINDOW),
                get(MODEL_SHARD_BYTES),
                get(USER_VECTOR_INTERVAL),
                gateRule(),
                get(VERSION_FLOOR));
    }

    /** The quality gate's thresholds; null when the gate is off. */
    public QualityGate.Rule gateRule() {
        if (!get(QUALITY_GATE)) {
            return null;
        }
        return new QualityGate.Rule(
                get(GATE_WINDOW),
                get(GATE_TRAILING),
                get(GATE_WARM_UP),
                get(GATE_POS_DROP),
                get(GATE_NEG_RISE));
    }

    /** Properties every Kafka client of the job gets (from {@code --kafka.<prop>}). */
    public Properties kafkaProperties() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        return props;
    }

    /** Flink configuration entries given as {@code --flink.<key> value}. */
    public Map<String, String> flinkOverrides() {
        return flinkOverrides;
    }

    /** The checkpoint directory, or null to use the Flink configuration's. */
    public String checkpointDir() {
        String dir = get(CHECKPOINT_DIR);
        return dir == null || dir.isBlank() ? null : dir.trim();
    }

    /** Effective value of every setting, secrets masked; shown as global job parameters. */
    public Map<String, String> toDisplayMap() {
        Map<String, String> out = new LinkedHashMap<>(settings.written(declared()));
        kafkaProperties.forEach((k, v) -> out.put(KAFKA_PREFIX + k, isSecret(k) ? "******" : v));
        flinkOverrides.forEach((k, v) -> out.put(FLINK_PREFIX + k, isSecret(k) ? "******" : v));
        return out;
    }

    private static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret");
    }

    private static List<Setting<?>> join(List<Setting<?>> a, List<Setting<?>> b) {
        List<Setting<?>> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public String toString() {
        return "JobConfig" + toDisplayMap();
    }
}
