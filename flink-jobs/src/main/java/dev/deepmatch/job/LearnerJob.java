package dev.deepmatch.job;

import dev.deepmatch.job.sink.DeadLetterSerializer;
import dev.deepmatch.job.sink.ItemVectorSerializer;
import dev.deepmatch.job.source.EventTimeOfRawRecord;
import dev.deepmatch.job.source.RawRecord;
import dev.deepmatch.job.source.RawRecordDeserializer;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.validate.DecodeAndValidate;
import dev.deepmatch.job.window.TrainingExample;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.schema.DeadLetter;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 * host:9092 ...}; settings are described in {@link JobConfig} and docs/OPERATIONS.md. Tests and the
 * local launcher call {@link #configureEnvironment} and {@link #defineWorkflow} with their own
 * source and sinks.
 */
public final class LearnerJob {

    public static final String JOB_NAME = "deepmatch-learner";

    /** Stable operator ids: state is matched to operators by these on restore. */
    public static final String SOURCE_UID = "playback-events-source";

    public static final String DECODE_UID = "decode-validate";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String WINDOW_UID = "user-windows";
    public static final String TRAINER_UID = "trainer";
    public static final String VECTOR_SINK_UID = "item-vector-sink";

    /** Name of the trainer operator (its metrics are under this name in the web UI). */
    public static final String TRAINER_NAME = "Trainer";

    public static final String DECODE_NAME = "Decode and validate";
    public static final String WINDOW_NAME = "User behaviour windows";

    private LearnerJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobConfig config;
        try {
            config = JobConfig.fromArgs(args, env.getConfiguration());
        } catch (IllegalArgumentException e) {
            System.err.println("deepmatch-learner: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureEnvironment(env, config);
        defineWorkflow(
                env, config, kafkaSource(config), vectorSink(config), deadLetterSink(config));
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
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (!config.checkpointDir().isEmpty()) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        // RocksDB's own estimate of the keys (users) in the window state, as a metric.
        conf.set(RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS, true);
        conf.set(PipelineOptions.MAX_PARALLELISM, config.maxParallelism());
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, config.toDisplayMap());
        config.flinkOverrides().forEach(conf::setString);
        env.configure(conf);
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
    }

    /**
     * Defines the job graph on {@code env} between the given source and sinks.
     *
     * @param source raw playback records (Kafka in production, a bounded source in tests)
     * @param vectorSink item vectors, one per changed item per emission, and full refreshes
     * @param deadLetterSink records that could not be used, with reason and coordinates
     * @return the trainer's output stream (item vectors), e.g. to attach more sinks in tests
     */
    public static DataStream<ItemVector> defineWorkflow(
            StreamExecutionEnvironment env,
            JobConfig config,
            Source<RawRecord, ?, ?> source,
            Sink<ItemVector> vectorSink,
            Sink<DeadLetter> deadLetterSink) {
        // Watermarks come from the source, per Kafka partition, so one partition running ahead
        // does not make another partition's plays late.
        WatermarkStrategy<RawRecord> watermarks =
                WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(config.maxOutOfOrderness())
                        .withTimestampAssigner(new EventTimeOfRawRecord(config.maxFutureSkew()));
        if (!config.idleness().isZero()) {
            watermarks = watermarks.withIdleness(config.idleness());
        }
        DataStream<RawRecord> raw =
                env.fromSource(source, watermarks, "Playback events source").uid(SOURCE_UID);

        SingleOutputStreamOperator<PlaybackEvent> events =
                raw.process(
                                new DecodeAndValidate(config.maxFutureSkew()),
                                new AvroTypeInfo<>(PlaybackEvent.class))
                        .name(DECODE_NAME)
                        .uid(DECODE_UID);

        events.getSideOutput(DecodeAndValidate.DEAD_LETTERS)
                .sinkTo(deadLetterSink)
                .name("Dead-letter sink")
                .uid(DEAD_LETTER_SINK_UID);

        DataStream<TrainingExample> examples =
                events.keyBy(PlaybackEvent::getUserId, Types.STRING)
                        .process(
                                new UserWindowFunction(
                                        config.windowLength(),
                                        config.dedupMemory(),
                                        config.allowedLateness(),
                                        config.stateTtl()),
                                TypeInformation.of(TrainingExample.class))
                        .name(WINDOW_NAME)
                        .uid(WINDOW_UID);

        SingleOutputStreamOperator<ItemVector> vectors =
                examples.transform(
                                TRAINER_NAME,
                                new AvroTypeInfo<>(ItemVector.class),
                                new TrainerOperator(config))
                        .uid(TRAINER_UID)
                        .setParallelism(1)
                        .setMaxParallelism(1);

        vectors.sinkTo(vectorSink).name("Item-vector sink").uid(VECTOR_SINK_UID).setParallelism(1);
        return vectors;
    }

    /** Kafka source of raw playback records, with their coordinates for dead letters. */
    public static KafkaSource<RawRecord> kafkaSource(JobConfig config) {
        OffsetsInitializer start =
                switch (config.startingOffsets()) {
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                };
        return KafkaSource.<RawRecord>builder()
                .setProperties(config.kafkaProperties())
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.eventsTopic())
                .setGroupId(config.groupId())
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /**
     * Exactly-once sink of item vectors: records become visible to read_committed consumers when
     * the checkpoint that covers them completes.
     */
    public static KafkaSink<ItemVector> vectorSink(JobConfig config) {
        Properties producer = config.kafkaProperties();
        producer.setProperty(
                "transaction.timeout.ms", Long.toString(config.transactionTimeout().toMillis()));
        return KafkaSink.<ItemVector>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new ItemVectorSerializer(config.vectorsTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix())
                .build();
    }

    /**
     * At-least-once sink of dead letters: after a failure some may be written twice, which is
     * harmless for records kept for inspection, and they are visible without waiting for a
     * checkpoint.
     */
    public static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(config.kafkaProperties())
                .setRecordSerializer(new DeadLetterSerializer(config.deadLetterTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
