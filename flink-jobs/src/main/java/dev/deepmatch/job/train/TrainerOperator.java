package dev.deepmatch.job.train;

import static dev.deepmatch.job.LearnerMetrics.*;

import dev.deepmatch.job.CounterTotals;
import dev.deepmatch.job.sink.ItemVectorSerializer;
import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ItemSharding;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelExchange;
import dev.deepmatch.model.TrainStats;
import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.prequential.DeepMatchLearner;
import dev.deepmatch.model.prequential.QualityGate;
import dev.deepmatch.model.prequential.RecallCounter;
import dev.deepmatch.schema.ExchangeMark;
import dev.deepmatch.schema.ExchangeMarkKind;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.schema.RowDelta;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserVector;
import dev.deepmatch.schema.WindowPlay;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the model and learns from the example stream in mini-batches. A batch closes when it
 * reaches the batch size or when its first example has waited the batch max delay (a
 * processing-time timer, hence an operator rather than a ProcessFunction, which only gets timers
 * when keyed). Each batch is ranked first (prequential POS@10 / NEG@10), then trained on.
 *
 * <p>Item vectors go out as {@link ItemVector}s: rows the model changed, every emission interval,
 * and the whole catalogue every full-refresh interval (and after a restore, if configured).
 *
 * <p>Several trainers share one model (docs/ARCHITECTURE.md, "Several trainers"): each holds a
 * replica, learns from its own users' examples (input 1) and after every batch sends what it
 * changed as {@link ModelDelta}s ({@link #DELTAS}) to the job's exchange topic; the deltas come
 * back broadcast to every trainer (input 2), and each applies its peers' as it reads them. The item
 * table is cut into {@link ItemSharding shards}; trainer i of P owns a contiguous range of them and
 * alone publishes their items' vectors.
 *
 * <p>State: the whole model as {@link ModelShard}s in union list state, written by trainer 0, so
 * every trainer restores it at any parallelism; how far each delta stream was sent and applied
 * ({@link ExchangeMark}s, union); the examples of the open batch (Avro {@link TrainingExample}s).
 */
public class TrainerOperator extends AbstractStreamOperator<ItemVector>
        implements TwoInputStreamOperator<TrainingExample, ModelDelta, ItemVector>,
                BoundedMultiInput {

    /** The trainers' deltas, for the exchange topic's sink. */
    public static final OutputTag<ModelDelta> DELTAS =
            new OutputTag<>("model-deltas", new AvroTypeInfo<>(ModelDelta.class));

    /** The listeners' user vectors, for the user-vectors topic's sink. */
    public static final OutputTag<UserVector> USER_VECTORS =
            new OutputTag<>("user-vectors", new AvroTypeInfo<>(UserVector.class));

    /**
     * Rows per delta record: about 100 bytes each at the default width, so a part stays far below
     * the producer's max.request.size.
     */
    static final int ROWS_PER_DELTA = 2048;

    /**
     * How often a delta carries the dense parameters. They are about 300 KB at the defaults and
     * move slowly; sent after every batch they would be most of the exchange's bytes.
     */
    static final long DENSE_EVERY_MILLIS = 200;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);

    /** The N of the prequential POS@N / NEG@N gauges, as in the replay's final line. */
    private static final int[] TOP_N = {10, 50};

    /** The N of the quality gate's POS@N / NEG@N. */
    private static final int GATE_N = 10;

    /**
     * Keys of the gate's state among the {@link CounterTotals}: levels in millionths, and a count
     * of subtasks, since totals of several subtasks are summed on a rescale (levels are averaged).
     */
    private static final String GATE_PREFIX = "gate.";

    private static final String[] GATE_KEYS = {"trailingPos", "trailingNeg", "positives", "held"};

    /** Listeners per user-vector product. */
    private static final int USER_BLOCK = 1024;

    /** Keys of the recall counter's totals among the {@link CounterTotals}. */
    private static final String RECALL_PREFIX = "recall.";

    private final TrainerSettings config;

    private transient ModelConfig modelConfig;

    /** Null when training is disabled. */
    private transient DeepMatchModel model;

    /** Ranks and trains exactly as the replay harness does; wraps {@link #model}. */
    private transient DeepMatchLearner learner;

    /** Restored shards kept as they are while training is disabled, so nothing is lost. */
    private transient List<ModelShard> retainedShards;

    /** The restored exchange marks, kept with the shards while training is disabled. */
    private transient List<ExchangeMark> retainedMarks;

    private transient boolean restored;

    /** The checkpoint this attempt restored from, 0 if none: deltas of later epochs are its own. */
    private transient long restoredCheckpoint;

    private transient int subtask;
    private transient int parallelism;
    private transient ItemSharding sharding;

    /** Null while training is disabled. */
    private transient ModelExchange exchange;

    /** Owner of each catalogue row under this parallelism, filled as rows are admitted. */
    private transient int[] ownerOfRow;

    private transient int ownerRows;

    /** Rows of {@link #ownerOfRow} filled in so far. */
    private transient int rowsWithOwner;

    /** Newest sentAtMillis applied per peer subtask. */
    private transient Map<Integer, Long> peerSentAt;

    /** The task attempt: with the lineage, names this trainer's delta stream. */
    private transient int attempt;

    private transient String ownStream;
    private transient long nextSeq;
    private transient long denseSentAt;

    /** Per delta stream, the last part the model holds. */
    private transient Map<String, Long> applied;

    /**
     * Per delta stream of an earlier attempt, the last part its sender sent before the restored
     * checkpoint.
     */
    private transient Map<String, Long> sentUpTo;

    private transient ListState<ExchangeMark> marksState;

    private transient Counter deltasDiscarded;
    private transient Counter bytesOut;
    private transient Counter bytesIn;
    private transient Histogram applyMillis;
    private transient volatile long lastSnapshotMillis;
    private transient volatile int rowsOwned;
    private transient volatile long examplesCounted;
    private transient ListState<ModelShard> modelState;
    private transient ListState<TrainingExample> pendingState;

    private transient List<TrainingExample> batch;

    /** Increments whenever a batch closes; a deadline timer of an older batch does nothing. */
    private transient long batchGeneration;

    /** Item id -> event time of the earliest play, since the last emission, that changed it. */
    private transient Map<String, Long> unreportedPlays;

    private transient CounterTotals totals;
    private transient Counter examplesIn;
    private transient Counter trainingSteps;
    private transient Counter vectorsEmitted;
    private transient Counter itemsEvicted;
    private transient Counter fullRefreshes;
    private transient Histogram stepMillis;

    /** Arrival in Kafka to visible to read_committed consumers, per trained play. */
    private transient Histogram freshnessMillis;

    /** Event time of the oldest play behind an emitted vector, to its emission. */
    private transient Histogram eventAgeMillis;

    private transient FreshnessTracker freshness;

    /** Kafka record timestamp of each example of the open batch; 0 for restored ones. */
    private transient long[] batchArrivals;

    /**
     * Listeners trained on since their user vector was last published: their newest example and its
     * arrival in Kafka.
     */
    private transient Map<String, TrainingExample> usersToPublish;

    private transient Map<String, Long> userArrivals;

    private transient Counter userVectorsEmitted;

    /** Null when the gate is off. */
    private transient QualityGate gate;

    private transient Counter gateHolds;

    /** The model version of the last item vectors published while the gate let them through. */
    private transient volatile long lastGoodVersion;

    private transient RecallCounter recall;

    /** The counter's figures as of the last batch, for the metric reporter's thread. */
    private transient volatile double[] figures;

    /** Hits since start of POS@N and NEG@N for each N, as of the last batch. */
    private transient volatile long[] hits;

    /** Batches' worth of ranking owed: each batch adds the ranked share, a ranking spends one. */
    private transient double rankCredit;

    private transient boolean fallbackLogged;

    private transient volatile long positivesRanked;
    private transient volatile long negativesRanked;
    private transient volatile double lastPositiveLoss;
    private transient volatile double lastNegativeLoss;
    private transient volatile double lastNextItemLoss;
    private transient volatile long lastStepMillis;
    private transient volatile long modelVersion;
    private transient volatile int catalogueSize;
    private transient volatile int pendingExamples;
    private transient volatile long rejectedItems;
    private transient volatile long playsHeldBack;

    public TrainerOperator(TrainerSettings config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // Union: every subtask sees every shard on restore, whatever the old parallelism was.
        modelState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "model-shards", new ModelShardSerializer()));
        pendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-batch",
                                        new AvroTypeInfo<>(TrainingExample.class)));

        totals = new CounterTotals();
        totals.initialize(context.getOperatorStateStore());
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        restoredCheckpoint = context.getRestoredCheckpointId().orElse(0L);
        attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        ownStream = stream(restoredCheckpoint, attempt, subtask);
        marksState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "exchange-marks", new AvroTypeInfo<>(ExchangeMark.class)));
        applied = new HashMap<>();
        sentUpTo = new HashMap<>();
        long restoredVersion = 0;
        int versionsRestored = 0;
        List<ExchangeMark> restoredMarks = new ArrayList<>();
        marksState.get().forEach(restoredMarks::add);
        for (ExchangeMark mark : restoredMarks) {
            String stream = mark.getStream().toString();
            switch (mark.getKind()) {
                case SENT -> sentUpTo.merge(stream, mark.getPosition(), Math::max);
                case APPLIED -> applied.merge(stream, mark.getPosition(), Math::max);
                case VERSION -> {
                    restoredVersion = Math.max(restoredVersion, mark.getPosition());
                    versionsRestored++;
                }
            }
        }
        modelConfig = config.model();
        List<ModelShard> shards = new ArrayList<>();
        modelState.get().forEach(shards::add);
        restored = context.isRestored() && !shards.isEmpty();
        if (!config.trainingEnabled()) {
            // Every trainer sees all shards: one keeps them, or the next restore finds them twice.
            retainedShards = subtask == 0 ? shards : List.of();
            retainedMarks = subtask == 0 ? restoredMarks : List.of();
        } else if (restored) {
            model = DeepMatchModel.restore(shards, config.runtime());
            // Peers may have published vectors at a newer version than trainer 0 checkpointed,
            // and with values trainer 0 had not yet applied: the restored model takes the next
            // version, so a vector it publishes never shares a version with another value.
            model.advanceVersion(versionsRestored > 1 ? restoredVersion + 1 : restoredVersion);
            // The model keeps the settings it was created with; say so if the job's differ.
            if (!model.config().equals(modelConfig)) {
                LOG.warn(
                        "Restored model version {} keeps its own settings {}; the job's model"
                                + " settings {} are ignored until the model is started afresh",
                        model.version(),
                        model.config(),
                        modelConfig);
            }
            modelConfig = model.config();
        } else {
            model = new DeepMatchModel(modelConfig, config.runtime());
        }
        if (model != null) {
            model.advanceVersion(config.versionFloor());
        }
        learner = model == null ? null : new DeepMatchLearner(model);
        if (model != null) {
            sharding = new ItemSharding(modelConfig.itemShards());
            if (parallelism > sharding.shards()) {
                throw new IllegalStateException(
                        "trainer-parallelism "
                                + parallelism
                                + " is above the model's item-shards ("
                                + sharding.shards()
                                + "): a model's shard count bounds its trainers");
            }
            exchange = new ModelExchange(model);
            model.setSamplingSalt(subtask);
            ownerOfRow = new int[0];
            peerSentAt = new HashMap<>();
        }
        batch = new ArrayList<>();
        pendingState.get().forEach(batch::add);
        // Savepoints of release 0.1 hold the open batch as a POJO under another name.
        ListState<dev.deepmatch.job.window.TrainingExample> legacyPending =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-examples",
                                        dev.deepmatch.job.window.TrainingExample.class));
        legacyPending.get().forEach(e -> batch.add(e.upgrade()));
        legacyPending.clear();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (!Blas.VECTORIZED) {
            LOG.warn(
                    "the model runs its scalar matrix kernels (several times slower per step): start"
                            + " TaskManagers with --add-modules jdk.incubator.vector, e.g."
                            + " env.java.opts.taskmanager in config.yaml");
        } else if (!Blas.warmUp()) {
            LOG.warn(
                    "the model's vector kernels still allocate after their warm-up (JIT not"
                            + " done or -XX:-DoEscapeAnalysis): products run several times slower");
        }
        unreportedPlays = new HashMap<>();
        freshness = new FreshnessTracker();
        batchArrivals = new long[Math.max(1, Math.max(config.batchSize(), batch.size()))];
        usersToPublish = new HashMap<>();
        userArrivals = new HashMap<>();
        registerMetrics(getMetricGroup());
        publishModelFigures();

        long now = getProcessingTimeService().getCurrentProcessingTime();
        scheduleEmission(now + config.emissionInterval().toMillis());
        scheduleFullRefresh(now + config.fullRefreshInterval().toMillis());
        scheduleUserVectors(now + config.userVectorInterval().toMillis());
        if (restored && model != null && config.fullRefreshOnStart()) {
            // Vectors emitted after the restored checkpoint were in aborted transactions, and
            // the changed-rows record is not part of the snapshot: a full refresh covers both.
            getProcessingTimeService().registerTimer(now, t -> fullRefresh());
        }
        if (!batch.isEmpty()) {
            scheduleBatchDeadline(now);
        }
    }

    private void registerMetrics(MetricGroup metrics) {
        examplesIn = totals.counter(metrics, EXAMPLES_IN);
        metrics.meter(EXAMPLES_PER_SECOND, new MeterView(examplesIn));
        trainingSteps = totals.counter(metrics, TRAINING_STEPS);
        vectorsEmitted = totals.counter(metrics, VECTORS_EMITTED);
        itemsEvicted = totals.counter(metrics, ITEMS_EVICTED);
        metrics.gauge(PLAYS_HELD_BACK, (Gauge<Long>) () -> playsHeldBack);
        userVectorsEmitted = totals.counter(metrics, USER_VECTORS_EMITTED);
        gateHolds = totals.counter(metrics, GATE_HOLDS);
        metrics.gauge(PUBLICATION_HELD, (Gauge<Integer>) () -> gate != null && gate.held() ? 1 : 0);
        metrics.gauge(LAST_GOOD_VERSION, (Gauge<Long>) () -> lastGoodVersion);
        metrics.gauge(
                GATE_RECENT_POS10,
                (Gauge<Double>) () -> gate == null ? 0.0 : orZero(gate.recentPos()));
        metrics.gauge(
                GATE_TRAILING_POS10,
                (Gauge<Double>) () -> gate == null ? 0.0 : orZero(gate.trailingPos()));
        fullRefreshes = totals.counter(metrics, FULL_REFRESHES);
        stepMillis =
                metrics.histogram(TRAINING_STEP_MILLIS, new DescriptiveStatisticsHistogram(500));
        freshnessMillis =
                metrics.histogram(
                        VECTOR_FRESHNESS_MILLIS, new DescriptiveStatisticsHistogram(10_000));
        eventAgeMillis =
                metrics.histogram(
                        VECTOR_EVENT_AGE_MILLIS, new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge(LAST_TRAINING_STEP_MILLIS, (Gauge<Long>) () -> lastStepMillis);
        metrics.gauge(POSITIVE_LOSS, (Gauge<Double>) () -> lastPositiveLoss);
        metrics.gauge(NEGATIVE_LOSS, (Gauge<Double>) () -> lastNegativeLoss);
        metrics.gauge(NEXT_ITEM_LOSS, (Gauge<Double>) () -> lastNextItemLoss);
        recall =
                new RecallCounter(
                        TOP_N,
                        modelConfig.posThreshold(),
                        modelConfig.negThreshold(),
                        config.metricsWindow());
        // POS@N / NEG@N since the start continue from the checkpoint's hits.
        Map<String, Long> recallTotals = new HashMap<>();
        for (String key : recall.totals().keySet()) {
            recallTotals.put(key, totals.restoredValue(RECALL_PREFIX + key));
        }
        recall.addTotals(recallTotals);
        publishRecall();
        if (config.gate() != null) {
            gate = new QualityGate(config.gate());
            long subtasks = totals.restoredValue(GATE_PREFIX + "subtasks");
            if (subtasks > 0 && totals.restoredValue(GATE_PREFIX + "positives") > 0) {
                double[] state = new double[GATE_KEYS.length];
                for (int k = 0; k < GATE_KEYS.length; k++) {
                    state[k] = totals.restoredValue(GATE_PREFIX + GATE_KEYS[k]) / 1e6 / subtasks;
                }
                state[2] = totals.restoredValue(GATE_PREFIX + "positives");
                gate.restore(state);
            }
            lastGoodVersion = totals.restoredValue(GATE_PREFIX + "lastGoodVersion");
            if (subtasks > 1) {
                lastGoodVersion /= subtasks;
            }
        }
        String[][] names = {
            {POS10, NEG10, POS10_TOTAL, NEG10_TOTAL}, {POS50, NEG50, POS50_TOTAL, NEG50_TOTAL}
        };
        for (int n = 0; n < TOP_N.length; n++) {
            for (int k = 0; k < 4; k++) {
                int at = 4 * n + k;
                metrics.gauge(names[n][k], (Gauge<Double>) () -> figures[at]);
            }
        }
        String[][] hitNames = {{POS10_HITS, NEG10_HITS}, {POS50_HITS, NEG50_HITS}};
        for (int n = 0; n < TOP_N.length; n++) {
            for (int k = 0; k < 2; k++) {
                int at = 2 * n + k;
                metrics.gauge(hitNames[n][k], (Gauge<Long>) () -> hits[at]);
            }
        }
        metrics.gauge(POSITIVES_RANKED, (Gauge<Long>) () -> positivesRanked);
        metrics.gauge(NEGATIVES_RANKED, (Gauge<Long>) () -> negativesRanked);
        metrics.gauge(MODEL_VERSION, (Gauge<Long>) () -> modelVersion);
        metrics.gauge(CATALOGUE_SIZE, (Gauge<Integer>) () -> catalogueSize);
        metrics.gauge(PENDING_EXAMPLES, (Gauge<Integer>) () -> pendingExamples);
        metrics.gauge(REJECTED_ITEMS, (Gauge<Long>) () -> rejectedItems);

        metrics.gauge(SHARDS_OWNED, (Gauge<Integer>) this::shardsOwned);
        metrics.gauge(ROWS_OWNED, (Gauge<Integer>) () -> rowsOwned);
        metrics.gauge(EXAMPLES_COUNTED, (Gauge<Long>) () -> examplesCounted);
        metrics.gauge(EXCHANGE_LAG_MILLIS, (Gauge<Long>) this::exchangeLag);
        deltasDiscarded = totals.counter(metrics, DELTAS_DISCARDED);
        bytesOut = metrics.counter(EXCHANGE_BYTES_SENT);
        bytesIn = metrics.counter(EXCHANGE_BYTES_RECEIVED);
        metrics.meter(EXCHANGE_BYTES_SENT_PER_SECOND, new MeterView(bytesOut));
        metrics.meter(EXCHANGE_BYTES_RECEIVED_PER_SECOND, new MeterView(bytesIn));
        applyMillis =
                metrics.histogram(DELTA_APPLY_MILLIS, new DescriptiveStatisticsHistogram(500));
        metrics.gauge(SNAPSHOT_MILLIS, (Gauge<Long>) () -> lastSnapshotMillis);
    }

    private int shardsOwned() {
        if (sharding == null) {
            return 0;
        }
        int n = 0;
        for (int s = 0; s < sharding.shards(); s++) {
            n += sharding.ownerOf(s, parallelism) == subtask ? 1 : 0;
        }
        return n;
    }

    /** Age of the oldest of the newest deltas applied from each peer; 0 without peers. */
    private long exchangeLag() {
        Map<Integer, Long> sentAt = peerSentAt;
        if (sentAt == null || parallelism == 1) {
            return 0;
        }
        long now = System.currentTimeMillis();
        long lag = 0;
        for (int peer = 0; peer < parallelism; peer++) {
            if (peer != subtask) {
                Long at = sentAt.get(peer);
                lag = Math.max(lag, at == null ? 0 : now - at);
            }
        }
        return lag;
    }

    /**
     * Copies the counter's figures for the gauges, once per batch: recent and since start for each
     * N, 0 before anything was ranked.
     */
    private void publishRecall() {
        double[] f = new double[4 * TOP_N.length];
        for (int n = 0; n < TOP_N.length; n++) {
            f[4 * n] = orZero(recall.recentPos(n));
            f[4 * n + 1] = orZero(recall.recentNeg(n));
            f[4 * n + 2] = orZero(recall.pos(n));
            f[4 * n + 3] = orZero(recall.neg(n));
        }
        long[] h = new long[2 * TOP_N.length];
        for (int n = 0; n < TOP_N.length; n++) {
            h[2 * n] = Math.round(orZero(recall.pos(n)) * recall.positives());
            h[2 * n + 1] = Math.round(orZero(recall.neg(n)) * recall.negatives());
        }
        figures = f;
        hits = h;
        positivesRanked = recall.positives();
        negativesRanked = recall.negatives();
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0.0 : v;
    }

    @Override
    public void processElement1(StreamRecord<TrainingExample> element) throws Exception {
        examplesIn.inc();
        if (model == null) {
            return; // training disabled: the pipeline up to here is what a bench measures
        }
        batch.add(element.getValue());
        if (batchArrivals.length < batch.size()) {
            batchArrivals = Arrays.copyOf(batchArrivals, 2 * batch.size());
        }
        // the source's record timestamp: the play's arrival in Kafka (LearnerJob)
        batchArrivals[batch.size() - 1] = element.hasTimestamp() ? element.getTimestamp() : 0;
        pendingExamples = batch.size();
        if (batch.size() == 1) {
            scheduleBatchDeadline(getProcessingTimeService().getCurrentProcessingTime());
        }
        if (batch.size() >= config.batchSize()) {
            trainBatch();
        }
    }

    /** The examples ended (a bounded test source): the open batch is trained and published. */
    @Override
    public void endInput(int inputId) {
        if (inputId == 1 && model != null) {
            trainBatch();
            emitChangedRows();
            emitUserVectors();
        }
    }

    /**
     * A delta from the exchange topic. A stream of this attempt (same lineage and attempt) is
     * applied part by part unless this trainer sent it (it applied its own changes as it learned).
     * A stream of an earlier attempt that the restored checkpoint knows is applied from where the
     * checkpointed model stood ({@link ExchangeMarkKind#APPLIED}) up to where its sender stood
     * ({@link ExchangeMarkKind#SENT}): what the model lacks, nothing of what its sender sent after
     * the checkpoint. Any other stream is an attempt that was rolled back: dropped.
     */
    @Override
    public void processElement2(StreamRecord<ModelDelta> element) {
        if (model == null) {
            return;
        }
        ModelDelta d = element.getValue();
        bytesIn.inc(approximateBytes(d));
        long start = System.nanoTime();
        String stream = stream(d.getLineage(), d.getAttempt(), d.getSender());
        long position = position(d.getSeq(), d.getPart());
        boolean current = d.getLineage() == restoredCheckpoint && d.getAttempt() == attempt;
        if (current && d.getSender() == subtask) {
            return;
        }
        Long sent = current ? Long.valueOf(Long.MAX_VALUE) : sentUpTo.get(stream);
        if (sent == null || position > sent) {
            deltasDiscarded.inc();
            return;
        }
        if (position <= applied.getOrDefault(stream, -1L)) {
            return; // read again after a restore, or a producer retry: already in the model
        }
        try {
            exchange.apply(d);
        } catch (IllegalArgumentException notThisModel) {
            // Written for a model of other sizes (another job on this topic): refused whole.
            deltasDiscarded.inc();
            LOG.warn("refused a delta of stream {}: {}", stream, notThisModel.getMessage());
        }
        applied.put(stream, position);
        if (current) {
            peerSentAt.merge(d.getSender(), d.getSentAtMillis(), Math::max);
        }
        applyMillis.update((System.nanoTime() - start) / 1_000_000);
        publishModelFigures();
    }

    /**
     * Sends the rest of what this trainer changed, dense parameters included, before the barrier:
     * the checkpoint then records every change as sent, and a restore that lacks some finds them in
     * the stream.
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        freshness.barrier(checkpointId);
        if (exchange != null && !exchange.isEmpty()) {
            sendDelta(true);
        }
    }

    /** The vectors emitted before this checkpoint's barrier are now committed. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        freshness.completed(
                checkpointId,
                getProcessingTimeService().getCurrentProcessingTime(),
                freshnessMillis::update);
    }

    /** Sends what this trainer changed since its last delta: peers apply it as they read it. */
    private void sendDelta(boolean flush) {
        if (exchange == null || parallelism == 1) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        boolean withDense = flush || now - denseSentAt >= DENSE_EVERY_MILLIS;
        if (withDense) {
            denseSentAt = now;
        }
        List<ModelDelta> parts =
                exchange.take(
                        subtask,
                        parallelism,
                        restoredCheckpoint,
                        attempt,
                        nextSeq,
                        System.currentTimeMillis(),
                        ROWS_PER_DELTA,
                        withDense);
        for (ModelDelta d : parts) {
            bytesOut.inc(approximateBytes(d));
            output.collect(DELTAS, new StreamRecord<>(d));
        }
        applied.put(ownStream, position(nextSeq, parts.size() - 1));
        nextSeq++;
    }

    static String stream(long lineage, int attempt, int sender) {
        return attemptPrefix(lineage, attempt) + sender;
    }

    /** What the names of one attempt's streams start with. */
    private static String attemptPrefix(long lineage, int attempt) {
        return lineage + "/" + attempt + "/";
    }

    /** A part's place in its stream: parts of one delta follow each other. */
    static long position(long seq, int part) {
        return (seq << 20) + part;
    }

    private static long approximateBytes(ModelDelta d) {
        long bytes = 64 + d.getDense().remaining();
        for (RowDelta r : d.getRows()) {
            bytes += 12 + r.getItemId().length() + r.getValues().remaining();
        }
        return bytes;
    }

    /**
     * Deletes evicted items from the vectors topic: their owner emits a tombstone for each (every
     * replica evicts them). Rows moved in the table, so the owner of every row is looked up again.
     */
    private void deleteEvicted(List<String> ids) {
        ownerOfRow = new int[0];
        rowsWithOwner = 0;
        ownerRows = 0;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (String id : ids) {
            if (sharding.ownerOfItem(id, parallelism) == subtask) {
                unreportedPlays.remove(id);
                output.collect(
                        new StreamRecord<>(ItemVectorSerializer.removal(id, model.version(), now)));
                itemsEvicted.inc();
            }
        }
        LOG.info(
                "evicted {} items unplayed for {} (catalogue now {})",
                ids.size(),
                model.runtime().itemEvictionAfter(),
                model.catalogueSize());
    }

    /** Whether this trainer owns the row's shard (publishes and checkpoints it). */
    private boolean owns(int row) {
        int size = model.catalogueSize();
        if (rowsWithOwner < size) {
            if (ownerOfRow.length < size) {
                ownerOfRow = Arrays.copyOf(ownerOfRow, 2 * size);
            }
            for (int r = rowsWithOwner; r < size; r++) {
                ownerOfRow[r] = sharding.ownerOfItem(model.itemId(r), parallelism);
                ownerRows += ownerOfRow[r] == subtask ? 1 : 0;
            }
            rowsWithOwner = size;
        }
        return ownerOfRow[row] == subtask;
    }

    private void scheduleBatchDeadline(long now) {
        long generation = batchGeneration;
        getProcessingTimeService()
                .registerTimer(
                        now + config.batchMaxDelay().toMillis(),
                        t -> {
                            if (generation == batchGeneration) {
                                trainBatch();
                            }
                        });
    }

    private void scheduleEmission(long at) {
        getProcessingTimeService()
                .registerTimer(
                        at,
                        t -> {
                            emitChangedRows();
                            scheduleEmission(t + config.emissionInterval().toMillis());
                        });
    }

    private void scheduleFullRefresh(long at) {
        getProcessingTimeService()
                .registerTimer(
                        at,
                        t -> {
                            fullRefresh();
                            scheduleFullRefresh(t + config.fullRefreshInterval().toMillis());
                        });
    }

    /** Ranks the open batch with the current model, then learns from it. */
    private void trainBatch() {
        batchGeneration++;
        if (batch.isEmpty()) {
            return;
        }
        List<Example> examples = new ArrayList<>(batch.size());
        for (TrainingExample e : batch) {
            examples.add(Example.of(e));
        }
        rank(examples);
        learner.learn(examples);
        if (!learner.lastEvicted().isEmpty()) {
            deleteEvicted(learner.lastEvicted());
        }
        TrainStats stats = learner.lastTrainStats();

        trainingSteps.inc();
        lastStepMillis = stats.stepNanos() / 1_000_000;
        stepMillis.update(lastStepMillis);
        if (!Double.isNaN(stats.positiveLoss())) {
            lastPositiveLoss = stats.positiveLoss();
        }
        if (!Double.isNaN(stats.negativeLoss())) {
            lastNegativeLoss = stats.negativeLoss();
        }
        if (!Double.isNaN(stats.nextItemLoss())) {
            lastNextItemLoss = stats.nextItemLoss();
        }
        for (int i = 0; i < batch.size(); i++) {
            TrainingExample e = batch.get(i);
            long playTime = e.getTarget().getEventTimeMillis();
            unreportedPlays.merge(e.getTarget().getItemId(), playTime, Math::min);
            for (String item : e.getHistoryItems()) {
                unreportedPlays.merge(item, playTime, Math::min);
            }
            String user = e.getUserId();
            TrainingExample held = usersToPublish.get(user);
            if (held == null || held.getTarget().getEventTimeMillis() <= playTime) {
                usersToPublish.put(user, e);
            }
            if (batchArrivals[i] > 0) {
                freshness.trained(batchArrivals[i]);
                userArrivals.merge(user, batchArrivals[i], Math::max);
            }
        }
        batch.clear();
        pendingExamples = 0;
        sendDelta(false);
        publishModelFigures();
    }

    /**
     * Prequential evaluation: where is each target in the current top N? Unknown ones miss. Ranks
     * every batch, or at a ranked share below 1 an evenly spread share of them (every third batch
     * at 1/3), so ranking the catalogue need not cap training.
     */
    private void rank(List<Example> examples) {
        rankCredit += config.rankedShare();
        if (rankCredit < 1.0) {
            return;
        }
        rankCredit -= 1.0;
        int[] ranks = learner.rankTargets(examples, TOP_N[TOP_N.length - 1]);
        if (!fallbackLogged && model.catalogueFallback() != null) {
            fallbackLogged = true;
            LOG.warn("ranking runs on the Java kernel: {}", model.catalogueFallback());
        }
        for (int i = 0; i < examples.size(); i++) {
            double rate = examples.get(i).targetRate();
            recall.add(ranks[i], rate);
            if (gate != null) {
                boolean hit = ranks[i] >= 0 && ranks[i] < GATE_N;
                if (rate >= modelConfig.posThreshold()) {
                    gate.add(true, hit);
                } else if (rate < modelConfig.negThreshold()) {
                    gate.add(false, hit);
                }
            }
        }
        publishRecall();
        judgeQuality();
    }

    /**
     * Holds or resumes publication after a ranked batch. Resuming publishes the whole catalogue:
     * the rows changed while held were not sent, and the shared projection moved every vector.
     */
    private void judgeQuality() {
        if (gate == null) {
            return;
        }
        switch (gate.judge()) {
            case HOLD -> {
                gateHolds.inc();
                LOG.warn(
                        "quality gate: publication held at model version {}, consumers keep the"
                                + " vectors of version {}: {}",
                        model.version(),
                        lastGoodVersion,
                        gate.describe());
            }
            case RESUME -> {
                LOG.info(
                        "quality gate: publication resumes at model version {}: {}",
                        model.version(),
                        gate.describe());
                getProcessingTimeService()
                        .registerTimer(
                                getProcessingTimeService().getCurrentProcessingTime(),
                                t -> fullRefresh());
            }
            case NONE -> {}
        }
    }

    private boolean publicationHeld() {
        return gate != null && gate.held();
    }

    private void scheduleUserVectors(long at) {
        getProcessingTimeService()
                .registerTimer(
                        at,
                        t -> {
                            emitUserVectors();
                            scheduleUserVectors(t + config.userVectorInterval().toMillis());
                        });
    }

    /**
     * Publishes the current user vector of every listener trained on since the last time: the
     * vector of their newest play appended to the history it followed, at the model's version. Held
     * with the item vectors while the gate holds (a query of the held model against the last good
     * items would mix two models).
     */
    private void emitUserVectors() {
        if (model == null || usersToPublish.isEmpty() || publicationHeld()) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        int window = modelConfig.windowLength();
        List<TrainingExample> pending = new ArrayList<>(usersToPublish.values());
        for (int from = 0; from < pending.size(); from += USER_BLOCK) {
            List<TrainingExample> block =
                    pending.subList(from, Math.min(pending.size(), from + USER_BLOCK));
            List<Example> current = new ArrayList<>(block.size());
            for (TrainingExample e : block) {
                current.add(currentWindow(e, window));
            }
            double[][] users = model.userVectors(current);
            for (int i = 0; i < block.size(); i++) {
                if (users[i] != null) {
                    emitUserVector(block.get(i), current.get(i), users[i], now);
                }
            }
        }
        usersToPublish.clear();
        userArrivals.clear();
    }

    /** The listener's window after the example's play: its history and the play, newest last. */
    private static Example currentWindow(TrainingExample e, int window) {
        Example ex = Example.of(e);
        int n = Math.min(window, ex.historyLength() + 1);
        int skip = ex.historyLength() + 1 - n;
        String[] items = new String[n];
        double[] rates = new double[n];
        int[] intents = new int[n];
        for (int i = 0; i < n - 1; i++) {
            items[i] = ex.historyItem(skip + i);
            rates[i] = ex.historyRate(skip + i);
            intents[i] = ex.historyIntent(skip + i);
        }
        WindowPlay play = e.getTarget();
        items[n - 1] = play.getItemId();
        rates[n - 1] = play.getPlayRate();
        intents[n - 1] = play.getIntent().ordinal();
        // The target is not read: user vectors do not learn.
        return new Example(items, rates, intents, play.getItemId(), play.getPlayRate());
    }

    private void emitUserVector(TrainingExample e, Example window, double[] user, long now) {
        List<Float> values = new ArrayList<>(user.length);
        for (double v : user) {
            values.add((float) v);
        }
        List<String> recentItems = new ArrayList<>(window.historyLength());
        List<Float> recentRates = new ArrayList<>(window.historyLength());
        for (int i = 0; i < window.historyLength(); i++) {
            recentItems.add(window.historyItem(i));
            recentRates.add((float) window.historyRate(i));
        }
        output.collect(
                USER_VECTORS,
                new StreamRecord<>(
                        UserVector.newBuilder()
                                .setUserId(e.getUserId())
                                .setVector(values)
                                .setModelVersion(model.version())
                                .setEmittedAtMillis(Instant.ofEpochMilli(now))
                                .setRecentItems(recentItems)
                                .setRecentRates(recentRates)
                                .setLastPlayMillis(
                                        Instant.ofEpochMilli(e.getTarget().getEventTimeMillis()))
                                .setLastArrivalMillis(
                                        userArrivals.getOrDefault(e.getUserId().toString(), 0L))
                                .build()));
        userVectorsEmitted.inc();
    }

    private void emitChangedRows() {
        if (model == null || publicationHeld()) {
            return; // held: the changed rows stay marked, and resuming sends the whole catalogue
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        int[] touched = model.drainTouchedRows();
        int n = 0;
        for (int row : touched) {
            if (owns(row)) {
                touched[n++] = row;
            }
        }
        emit(Arrays.copyOf(touched, n), false, 0, now);
        unreportedPlays.clear();
        freshness.emitted();
    }

    private void fullRefresh() {
        if (model == null || model.catalogueSize() == 0 || publicationHeld()) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        model.drainTouchedRows(); // all rows go out now
        int size = model.catalogueSize();
        owns(size - 1);
        int owned = ownerRows;
        int[] rows = new int[owned];
        int n = 0;
        for (int row = 0; row < size && n < owned; row++) {
            if (owns(row)) {
                rows[n++] = row;
            }
        }
        emit(Arrays.copyOf(rows, n), true, owned, now);
        unreportedPlays.clear();
        freshness.emitted();
        fullRefreshes.inc();
    }

    /** Emits the vectors of {@code rows}, computed a block of rows at a time. */
    private void emit(int[] rows, boolean full, int refreshSize, long now) {
        int h = model.config().vectorDim();
        for (int from = 0; from < rows.length; from += DeepMatchModel.VECTOR_BLOCK) {
            int[] block =
                    Arrays.copyOfRange(
                            rows, from, Math.min(rows.length, from + DeepMatchModel.VECTOR_BLOCK));
            float[] vectors = model.itemVectors(block);
            for (int i = 0; i < block.length; i++) {
                emit(block[i], vectors, i * h, h, full, refreshSize, now);
            }
        }
    }

    private void emit(
            int row, float[] vectors, int offset, int h, boolean full, int refreshSize, long now) {
        String itemId = model.itemId(row);
        List<Float> values = new ArrayList<>(h);
        for (int j = 0; j < h; j++) {
            values.add(vectors[offset + j]);
        }
        output.collect(
                new StreamRecord<>(
                        ItemVector.newBuilder()
                                .setItemId(itemId)
                                .setVector(values)
                                .setModelVersion(model.version())
                                .setEmittedAtMillis(Instant.ofEpochMilli(now))
                                .setFullRefresh(full)
                                .setRefreshSize(refreshSize)
                                .build()));
        lastGoodVersion = model.version();
        vectorsEmitted.inc();
        Long playTime = unreportedPlays.get(itemId);
        if (playTime != null) {
            eventAgeMillis.update(Math.max(0, now - playTime));
        }
    }

    private void publishModelFigures() {
        if (model != null) {
            modelVersion = model.version();
            catalogueSize = model.catalogueSize();
            rejectedItems = model.rejectedItems() + exchange.rejectedRows();
            playsHeldBack = model.heldBackPlays();
            examplesCounted = model.examplesCounted();
            if (catalogueSize > 0) {
                owns(catalogueSize - 1);
            }
            rowsOwned = ownerRows;
        } else if (retainedShards != null && !retainedShards.isEmpty()) {
            modelVersion = retainedShards.get(0).getModelVersion();
        }
        pendingExamples = batch == null ? 0 : batch.size();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long start = System.nanoTime();
        List<ExchangeMark> marks = new ArrayList<>();
        if (model != null) {
            // Trainer 0 checkpoints the whole model with how far it had applied every stream;
            // every trainer records how far it had sent its own, and its version.
            modelState.update(subtask == 0 ? model.snapshot(config.modelShardBytes()) : List.of());
            if (subtask == 0) {
                // A stream of an earlier attempt applied up to its end needs no mark: without
                // one, the rest of it is dropped, as it would be with them.
                String current = attemptPrefix(restoredCheckpoint, attempt);
                applied.forEach(
                        (k, v) -> {
                            Long end = sentUpTo.get(k);
                            if (k.startsWith(current) || (end != null && v < end)) {
                                marks.add(mark(ExchangeMarkKind.APPLIED, k, v));
                            }
                        });
                sentUpTo.forEach(
                        (k, v) -> {
                            if (applied.getOrDefault(k, -1L) < v) {
                                marks.add(mark(ExchangeMarkKind.SENT, k, v));
                            }
                        });
            }
            Long sent = applied.get(ownStream);
            if (sent != null) {
                marks.add(mark(ExchangeMarkKind.SENT, ownStream, sent));
            }
            marks.add(mark(ExchangeMarkKind.VERSION, "", model.version()));
        } else {
            modelState.update(retainedShards);
            marks.addAll(retainedMarks);
        }
        marksState.update(marks);
        lastSnapshotMillis = (System.nanoTime() - start) / 1_000_000;
        pendingState.update(batch);
        recall.totals().forEach((k, v) -> totals.setValue(RECALL_PREFIX + k, v));
        if (gate != null) {
            double[] g = gate.snapshot();
            for (int k = 0; k < GATE_KEYS.length; k++) {
                long v = k == 2 ? (long) g[k] : Math.round((Double.isNaN(g[k]) ? 0 : g[k]) * 1e6);
                totals.setValue(GATE_PREFIX + GATE_KEYS[k], v);
            }
            totals.setValue(GATE_PREFIX + "subtasks", 1);
            totals.setValue(GATE_PREFIX + "lastGoodVersion", lastGoodVersion);
        }
        totals.snapshot();
    }

    private static ExchangeMark mark(ExchangeMarkKind kind, String stream, long position) {
        return ExchangeMark.newBuilder()
                .setKind(kind)
                .setStream(stream)
                .setPosition(position)
                .build();
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }

    /** The prequential POS@N / NEG@N counter, for tests. */
    RecallCounter recall() {
        return recall;
    }

    /** The quality gate, null when off; for tests. */
    dev.deepmatch.model.prequential.QualityGate gate() {
        return gate;
    }

    long lastGoodVersion() {
        return lastGoodVersion;
    }

    Histogram freshnessMillis() {
        return freshnessMillis;
    }

    /** The model, for tests and the local launcher's final figures; null if training is off. */
    public DeepMatchModel model() {
        return model;
    }
}
