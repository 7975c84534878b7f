package dev.deepmatch.job;

import static dev.deepmatch.job.JobSettings.*;

import dev.deepmatch.job.sink.DeadLetterSerializer;
import dev.deepmatch.job.sink.ItemVectorSerializer;
import dev.deepmatch.job.sink.ModelDeltaSerializer;
import dev.deepmatch.job.sink.UserVectorSerializer;
import dev.deepmatch.job.source.DecodedPlay;
import dev.deepmatch.job.source.ModelDeltaDeserializer;
import dev.deepmatch.job.source.PlaybackDecoder;
import dev.deepmatch.job.source.PlaybackDeserializer;
import dev.deepmatch.job.source.SplitDeadLetters;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.settings.UsageException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The streaming learner: Kafka playback events -> decode and validate (bad records to a dead-letter
 * topic) -> per-user behaviour windows in RocksDB -> in-stream training -> versioned item vectors
 * on a compacted topic.
 *
 * <p>Production: {@code flink run -c dev.deepmatch.job.LearnerJob learner.jar --bootstrap-servers
 * host:9092 ...}; settings are declared in {@link JobSettings} (and the model's and prequential
 * ones), described in docs/OPERATIONS.md. Tests and the local launcher call {@link
 * #configureEnvironment} and {@link #defineWorkflow} with their own source and sinks, or any of the
 * job's {@link Parts} of their own.
 */
public final class LearnerJob {

    public static final String JOB_NAME = "deepmatch-learner";

    /** Stable operator ids: state is matched to operators by these on restore. */
    public static final String SOURCE_UID = "playback-events-source";

    public static final String SPLIT_UID = "split-dead-letters";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String WINDOW_UID = "user-windows";
    public static final String TRAINER_UID = "trainer";
    public static final String VECTOR_SINK_UID = "item-vector-sink";
    public static final String USER_VECTOR_SINK_UID = "user-vector-sink";
    public static final String DELTA_SOURCE_UID = "model-deltas-source";
    public static final String DELTA_SINK_UID = "model-deltas-sink";

    /** Name of the trainer operator (its metrics are under this name in the web UI). */
    public static final String TRAINER_NAME = "Trainer";

    public static final String SPLIT_NAME = "Split dead letters";
    public static final String WINDOW_NAME = "User behaviour windows";

    private LearnerJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config;
        try {
            config = JobConfig.parse(args, env.getConfiguration());
            if (config != null) {
                KafkaCredentialsCheck.check(config);
            }
        } catch (UsageException e) {
            System.err.println("deepmatch-learner: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.print(JobConfig.COMMAND.usage());
            return;
        }
        configureEnvironment(env, config);
        defineKafkaWorkflow(env, config);
        env.execute(JOB_NAME);
    }

    /**
     * RocksDB with incremental checkpoints, exactly-once checkpoints at the configured interval, no
     * generic (Kryo) types, the settings as global job parameters, then any {@code --flink.<key>}
     * overrides. The restart strategy is left to the Flink configuration ({@code
     * restart-strategy.type} etc.; with checkpointing on, Flink's default is exponential-delay).
     */
    public static void configureEnvironment(StreamExecutionEnvironment env, JobConfig config) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(CHECKPOINT_INTERVAL));
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (config.checkpointDir() != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        // RocksDB's own estimate of the keys (users) in the window state, as a metric.
        conf.set(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, config.get(MAX_PARALLELISM));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, config.toDisplayMap());
        config.flinkOverrides().forEach(conf::setString);
        env.configure(conf);
        if (config.get(PARALLELISM) > 0) {
            env.setParallelism(config.get(PARALLELISM));
        }
    }

    /**
     * What the job graph is made of where a caller may put its own: the sources, the window
     * function, the trainer and the sinks. The graph around them (uids, names, parallelism, the
     * edges) is the same whatever they are; {@link #kafka} gives the production ones, and a test
     * swaps one, e.g. a trainer or a vector sink that fails on purpose.
     *
     * @param source decoded playback records (Kafka in production, a bounded source in tests)
     * @param windows the listeners' windows, keyed by user
     * @param trainer the trainer, one of {@code trainer-parallelism}
     * @param vectorSink item vectors, one per changed item per emission, and full refreshes
     * @param userVectorSink user vectors of the listeners who played, one each per emission
     * @param deadLetterSink records that could not be used, with reason and coordinates
     * @param deltaSource the trainers' exchange topic, read back
     * @param deltaSink the exchange topic
     */
    public record Parts(
            Source<DecodedPlay, ?, ?> source,
            UserWindowFunction windows,
            TrainerOperator trainer,
            Sink<ItemVector> vectorSink,
            Sink<UserVector> userVectorSink,
            Sink<DeadLetter> deadLetterSink,
            Source<ModelDelta, ?, ?> deltaSource,
            Sink<ModelDelta> deltaSink) {

        /** The production parts: every source and sink on the configured Kafka topics. */
        public static Parts kafka(JobConfig config) {
            return new Parts(
                    kafkaSource(config),
                    windowFunction(config),
                    new TrainerOperator(config.trainerSettings()),
                    LearnerJob.vectorSink(config),
                    LearnerJob.userVectorSink(config),
                    LearnerJob.deadLetterSink(config),
                    LearnerJob.deltaSource(config),
                    LearnerJob.deltaSink(config));
        }

        public Parts withWindows(UserWindowFunction windows) {
            return new Parts(
                    source,
                    windows,
                    trainer,
                    vectorSink,
                    userVectorSink,
                    deadLetterSink,
                    deltaSource,
                    deltaSink);
        }

        public Parts withTrainer(TrainerOperator trainer) {
            return new Parts(
                    source,
                    windows,
                    trainer,
                    vectorSink,
                    userVectorSink,
                    deadLetterSink,
                    deltaSource,
                    deltaSink);
        }

        public Parts withVectorSink(Sink<ItemVector> vectorSink) {
            return new Parts(
                    source,
                    windows,
                    trainer,
                    vectorSink,
                    userVectorSink,
                    deadLetterSink,
                    deltaSource,
                    deltaSink);
        }
    }

    /** The production job graph: every source and sink on the configured Kafka topics. */
    public static DataStream<ItemVector> defineKafkaWorkflow(
            StreamExecutionEnvironment env, JobConfig config) {
        return defineWorkflow(env, config, Parts.kafka(config));
    }

    /**
     * Defines the job graph on {@code env} between the given source and sinks, with the production
     * window function and trainer.
     *
     * @return the trainer's output stream (item vectors), e.g. to attach more sinks in tests
     * @see Parts
     */
    public static DataStream<ItemVector> defineWorkflow(
            StreamExecutionEnvironment env,
            JobConfig config,
            Source<DecodedPlay, ?, ?> source,
            Sink<ItemVector> vectorSink,
            Sink<UserVector> userVectorSink,
            Sink<DeadLetter> deadLetterSink,
            Source<ModelDelta, ?, ?> deltaSource,
            Sink<ModelDelta> deltaSink) {
        return defineWorkflow(
                env,
                config,
                new Parts(
                        source,
                        windowFunction(config),
                        new TrainerOperator(config.trainerSettings()),
                        vectorSink,
                        userVectorSink,
                        deadLetterSink,
                        deltaSource,
                        deltaSink));
    }

    /**
     * Defines the job graph on {@code env} with these parts.
     *
     * @return the trainer's output stream (item vectors), e.g. to attach more sinks in tests
     */
    public static DataStream<ItemVector> defineWorkflow(
            StreamExecutionEnvironment env, JobConfig config, Parts parts) {
        // Watermarks come from the source, per Kafka partition, so one partition running ahead
        // does not make another partition's plays late. They follow the plays' event time, while
        // each record keeps the Kafka record's timestamp (its arrival), which the trainer's
        // freshness is measured from: no operator reads a record's timestamp as event time.
        Duration outOfOrderness = config.get(MAX_OUT_OF_ORDERNESS);
        WatermarkStrategy<DecodedPlay> watermarks =
                WatermarkStrategy.forGenerator(ctx -> new EventTimeWatermarks(outOfOrderness));
        Duration idleness = config.get(IDLENESS);
        if (!idleness.isZero()) {
            watermarks = watermarks.withIdleness(idleness);
        }
        DataStream<DecodedPlay> decoded =
                env.fromSource(parts.source(), watermarks, "Playback events source")
                        .uid(SOURCE_UID);

        SingleOutputStreamOperator<PlaybackEvent> events =
                decoded.process(new SplitDeadLetters(), new AvroTypeInfo<>(PlaybackEvent.class))
                        .name(SPLIT_NAME)
                        .uid(SPLIT_UID);

        events.getSideOutput(SplitDeadLetters.DEAD_LETTERS)
                .sinkTo(parts.deadLetterSink())
                .name("Dead-letter sink")
                .uid(DEAD_LETTER_SINK_UID);

        DataStream<TrainingExample> examples =
                events.keyBy(PlaybackEvent::getUserId, Types.STRING)
                        .process(parts.windows(), new AvroTypeInfo<>(TrainingExample.class))
                        .name(WINDOW_NAME)
                        .uid(WINDOW_UID);

        int trainers = config.get(TRAINER_PARALLELISM);
        // The loop through Kafka (Flink 2 has no iterations): one reader, every trainer gets all.
        DataStream<ModelDelta> deltas =
                env.fromSource(
                                parts.deltaSource(),
                                WatermarkStrategy.noWatermarks(),
                                "Model deltas source")
                        .uid(DELTA_SOURCE_UID)
                        .setParallelism(1);
        SingleOutputStreamOperator<ItemVector> vectors =
                examples.keyBy(TrainingExample::getUserId, Types.STRING)
                        .connect(deltas.broadcast())
                        .transform(
                                TRAINER_NAME, new AvroTypeInfo<>(ItemVector.class), parts.trainer())
                        .uid(TRAINER_UID)
                        .setParallelism(trainers);

        vectors.getSideOutput(TrainerOperator.DELTAS)
                .sinkTo(parts.deltaSink())
                .name("Model deltas sink")
                .uid(DELTA_SINK_UID)
                .setParallelism(trainers);
        vectors.sinkTo(parts.vectorSink())
                .name("Item-vector sink")
                .uid(VECTOR_SINK_UID)
                .setParallelism(trainers);
        vectors.getSideOutput(TrainerOperator.USER_VECTORS)
                .sinkTo(parts.userVectorSink())
                .name("User-vector sink")
                .uid(USER_VECTOR_SINK_UID)
                .setParallelism(trainers);
        return vectors;
    }

    /**
     * Bounded out-of-orderness watermarks on the plays' own event time (not the record timestamp);
     * an unusable record never advances them.
     */
    static final class EventTimeWatermarks implements WatermarkGenerator<DecodedPlay> {
        private final long outOfOrdernessMillis;
        private long maxEventTime;

        EventTimeWatermarks(Duration outOfOrderness) {
            this.outOfOrdernessMillis = outOfOrderness.toMillis();
            this.maxEventTime = Long.MIN_VALUE + outOfOrdernessMillis + 1;
        }

        @Override
        public void onEvent(DecodedPlay play, long recordTimestamp, WatermarkOutput output) {
            if (play.event != null) {
                maxEventTime = Math.max(maxEventTime, play.eventTimeMillis());
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(maxEventTime - outOfOrdernessMillis - 1));
        }
    }

    /**
     * The listeners' windows: plays placed by the {@link #windowRule}, a window forgotten {@code
     * state-ttl} after its last play.
     */
    public static UserWindowFunction windowFunction(JobConfig config) {
        return new UserWindowFunction(windowRule(config), config.get(STATE_TTL));
    }

    /** The rule the windows keep (the replay's too): window length, dedup memory, lateness. */
    public static WindowRule windowRule(JobConfig config) {
        return new WindowRule(
                config.modelConfig().windowLength(),
                config.get(PrequentialSettings.DEDUP_MEMORY),
                config.get(ALLOWED_LATENESS).toMillis());
    }

    /** What every source of the job decodes with: the skew rule against the wall clock. */
    public static PlaybackDecoder decoder(JobConfig config) {
        return new PlaybackDecoder(
                config.get(MAX_FUTURE_SKEW), config.get(DEAD_LETTER_MAX_BYTES), Clock.systemUTC());
    }

    /** Kafka source of playback records, decoded as they are read. */
    public static KafkaSource<DecodedPlay> kafkaSource(JobConfig config) {
        OffsetsInitializer start =
                switch (config.get(STARTING_OFFSETS)) {
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                };
        return KafkaSource.<DecodedPlay>builder()
                .setProperties(config.kafkaProperties())
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setTopics(config.get(EVENTS_TOPIC))
                .setGroupId(config.get(GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(new PlaybackDeserializer(decoder(config)))
                .build();
    }

    /**
     * Exactly-once sink of item vectors: records become visible to read_committed consumers when
     * the checkpoint that covers them completes.
     */
    public static KafkaSink<ItemVector> vectorSink(JobConfig config) {
        Properties producer = config.kafkaProperties();
        producer.setProperty(
                "transaction.timeout.ms",
                Long.toString(config.get(TRANSACTION_TIMEOUT).toMillis()));
        return KafkaSink.<ItemVector>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new ItemVectorSerializer(config.get(VECTORS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(TRANSACTIONAL_ID_PREFIX))
                .build();
    }

    /**
     * Exactly-once sink of user vectors, as the item vectors' (its own transactional ids): a
     * listener's vector becomes visible with the item vectors of the same checkpoint.
     */
    public static KafkaSink<UserVector> userVectorSink(JobConfig config) {
        Properties producer = config.kafkaProperties();
        producer.setProperty(
                "transaction.timeout.ms",
                Long.toString(config.get(TRANSACTION_TIMEOUT).toMillis()));
        return KafkaSink.<UserVector>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new UserVectorSerializer(config.get(USER_VECTORS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(TRANSACTIONAL_ID_PREFIX) + "-users")
                .build();
    }

    /**
     * The trainers' exchange topic, read from its end on a fresh start (older deltas belong to
     * another model) and from the checkpointed offsets on a restore. Deltas are read as soon as
     * they are written: the trainers' checkpointed marks, not transactions, decide which count.
     */
    public static KafkaSource<ModelDelta> deltaSource(JobConfig config) {
        Properties consumer = config.kafkaProperties();
        // A delta carries every dense parameter (about 300 KB at the defaults): with the default
        // 1 MiB per partition and fetch, the reader falls behind trainers that send several a
        // second.
        consumer.putIfAbsent("max.partition.fetch.bytes", Integer.toString(32 << 20));
        consumer.putIfAbsent("fetch.max.bytes", Integer.toString(64 << 20));
        return KafkaSource.<ModelDelta>builder()
                .setProperties(consumer)
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setTopics(config.get(DELTAS_TOPIC))
                .setGroupId(config.get(GROUP_ID) + "-deltas")
                .setStartingOffsets(OffsetsInitializer.latest())
                .setDeserializer(new ModelDeltaDeserializer())
                .build();
    }

    /**
     * At-least-once sink of the trainers' deltas, keyed by trainer so each stream stays in order;
     * every delta sent before a checkpoint barrier is in Kafka when the checkpoint completes.
     */
    public static KafkaSink<ModelDelta> deltaSink(JobConfig config) {
        return KafkaSink.<ModelDelta>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(config.kafkaProperties())
                .setRecordSerializer(new ModelDeltaSerializer(config.get(DELTAS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * At-least-once sink of dead letters: after a failure some may be written twice, which is
     * harmless for records kept for inspection, and they are visible without waiting for a
     * checkpoint.
     */
    public static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(config.kafkaProperties())
                .setRecordSerializer(new DeadLetterSerializer(config.get(DEAD_LETTER_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
