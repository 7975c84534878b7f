package dev.deepmatch.job.train;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.window.TrainingExample;
import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.TrainStats;
import dev.deepmatch.model.eval.DeepMatchLearner;
import dev.deepmatch.model.math.Blas;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelShard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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
 * <p>State: the whole model as {@link ModelShard}s in union list state, written at every
 * checkpoint, plus the examples of the open batch. Runs with parallelism 1.
 */
public class TrainerOperator extends AbstractStreamOperator<ItemVector>
        implements OneInputStreamOperator<TrainingExample, ItemVector>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);

    /** N of the prequential POS@N / NEG@N gauges. */
    public static final int TOP_N = 10;

    /** The larger N, also reported since start, as in the replay's final line. */
    public static final int TOP_N_WIDE = 50;

    private final JobConfig config;

    private transient ModelConfig modelConfig;

    /** Null when training is disabled. */
    private transient DeepMatchModel model;

    /** Ranks and trains exactly as the replay harness does; wraps {@link #model}. */
    private transient DeepMatchLearner learner;

    /** Restored shards kept as they are while training is disabled, so nothing is lost. */
    private transient List<ModelShard> retainedShards;

    private transient boolean restored;
    private transient ListState<ModelShard> modelState;
    private transient ListState<TrainingExample> pendingState;

    private transient List<TrainingExample> batch;

    /** Increments whenever a batch closes; a deadline timer of an older batch does nothing. */
    private transient long batchGeneration;

    /** Item id -> event time of the earliest play, since the last emission, that changed it. */
    private transient Map<String, Long> unreportedPlays;

    private transient Counter examplesIn;
    private transient Counter trainingSteps;
    private transient Counter vectorsEmitted;
    private transient Counter fullRefreshes;
    private transient Histogram stepMillis;
    private transient Histogram freshnessMillis;
    private transient HitRate positives;
    private transient HitRate negatives;
    private transient HitRate positivesWide;
    private transient HitRate negativesWide;
    private transient volatile double lastPositiveLoss;
    private transient volatile double lastNegativeLoss;
    private transient volatile double lastNextItemLoss;
    private transient volatile long lastStepMillis;
    private transient volatile long modelVersion;
    private transient volatile int catalogueSize;
    private transient volatile int pendingExamples;
    private transient volatile long rejectedItems;

    public TrainerOperator(JobConfig config) {
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
                                        "model-shards", new AvroTypeInfo<>(ModelShard.class)));
        pendingState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-examples",
                                        TypeInformation.of(TrainingExample.class)));

        modelConfig = config.modelConfig();
        List<ModelShard> shards = new ArrayList<>();
        modelState.get().forEach(shards::add);
        restored = context.isRestored() && !shards.isEmpty();
        if (!config.trainingEnabled()) {
            retainedShards = shards;
        } else if (restored) {
            model = DeepMatchModel.restore(shards);
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
            model = new DeepMatchModel(modelConfig);
        }
        learner = model == null ? null : new DeepMatchLearner(model);
        batch = new ArrayList<>();
        pendingState.get().forEach(batch::add);
    }

    @Override
    public void open() throws Exception {
        super.open();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException(
                    "the trainer holds the one model and must run with parallelism 1, got "
                            + parallelism);
        }
        if (!Blas.VECTORIZED) {
            LOG.warn(
                    "the model runs its scalar matrix kernels (several times slower per step): start"
                            + " TaskManagers with --add-modules jdk.incubator.vector, e.g."
                            + " env.java.opts.taskmanager in config.yaml");
        }
        unreportedPlays = new HashMap<>();
        registerMetrics(getMetricGroup());
        publishModelFigures();

        long now = getProcessingTimeService().getCurrentProcessingTime();
        scheduleEmission(now + config.emissionInterval().toMillis());
        scheduleFullRefresh(now + config.fullRefreshInterval().toMillis());
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
        examplesIn = metrics.counter("examplesIn");
        metrics.meter("examplesPerSecond", new MeterView(examplesIn));
        trainingSteps = metrics.counter("trainingSteps");
        vectorsEmitted = metrics.counter("vectorsEmitted");
        fullRefreshes = metrics.counter("fullRefreshes");
        stepMillis =
                metrics.histogram("trainingStepMillis", new DescriptiveStatisticsHistogram(500));
        freshnessMillis =
                metrics.histogram(
                        "vectorFreshnessMillis", new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge("lastTrainingStepMillis", (Gauge<Long>) () -> lastStepMillis);
        metrics.gauge("positiveLoss", (Gauge<Double>) () -> lastPositiveLoss);
        metrics.gauge("negativeLoss", (Gauge<Double>) () -> lastNegativeLoss);
        metrics.gauge("nextItemLoss", (Gauge<Double>) () -> lastNextItemLoss);
        positives = new HitRate(config.metricsWindow());
        negatives = new HitRate(config.metricsWindow());
        metrics.gauge("pos10", (Gauge<Double>) positives::recent);
        metrics.gauge("neg10", (Gauge<Double>) negatives::recent);
        metrics.gauge("pos10Total", (Gauge<Double>) positives::overall);
        metrics.gauge("neg10Total", (Gauge<Double>) negatives::overall);
        positivesWide = new HitRate(config.metricsWindow());
        negativesWide = new HitRate(config.metricsWindow());
        metrics.gauge("pos50", (Gauge<Double>) positivesWide::recent);
        metrics.gauge("neg50", (Gauge<Double>) negativesWide::recent);
        metrics.gauge("pos50Total", (Gauge<Double>) positivesWide::overall);
        metrics.gauge("neg50Total", (Gauge<Double>) negativesWide::overall);
        metrics.gauge("positivesRanked", (Gauge<Long>) positives::ranked);
        metrics.gauge("negativesRanked", (Gauge<Long>) negatives::ranked);
        metrics.gauge("modelVersion", (Gauge<Long>) () -> modelVersion);
        metrics.gauge("catalogueSize", (Gauge<Integer>) () -> catalogueSize);
        metrics.gauge("pendingExamples", (Gauge<Integer>) () -> pendingExamples);
        metrics.gauge("rejectedItems", (Gauge<Long>) () -> rejectedItems);
    }

    @Override
    public void processElement(StreamRecord<TrainingExample> element) throws Exception {
        examplesIn.inc();
        if (model == null) {
            return; // training disabled: the pipeline up to here is what a bench measures
        }
        batch.add(element.getValue());
        pendingExamples = batch.size();
        if (batch.size() == 1) {
            scheduleBatchDeadline(getProcessingTimeService().getCurrentProcessingTime());
        }
        if (batch.size() >= config.batchSize()) {
            trainBatch();
        }
    }

    @Override
    public void endInput() {
        if (model != null) {
            trainBatch();
            emitChangedRows();
        }
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
            examples.add(e.toModelExample());
        }
        rank(examples);
        learner.learn(examples);
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
        for (TrainingExample e : batch) {
            unreportedPlays.merge(e.targetItem, e.targetEventTimeMillis, Math::min);
            for (String item : e.historyItems) {
                unreportedPlays.merge(item, e.targetEventTimeMillis, Math::min);
            }
        }
        batch.clear();
        pendingExamples = 0;
        publishModelFigures();
    }

    /** Prequential evaluation: is each target in the current top N? Unknown targets miss. */
    private void rank(List<Example> examples) {
        int[] ranks = learner.rankTargets(examples, TOP_N_WIDE);
        for (int i = 0; i < examples.size(); i++) {
            double rate = examples.get(i).targetRate();
            boolean positive = modelConfig.isPositive(rate);
            if (!positive && !modelConfig.isNegative(rate)) {
                continue;
            }
            (positive ? positives : negatives).record(ranks[i] >= 0 && ranks[i] < TOP_N);
            (positive ? positivesWide : negativesWide).record(ranks[i] >= 0);
        }
        positives.publish();
        negatives.publish();
        positivesWide.publish();
        negativesWide.publish();
    }

    private void emitChangedRows() {
        if (model == null) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int row : model.drainTouchedRows()) {
            emit(row, false, 0, now);
        }
        unreportedPlays.clear();
    }

    private void fullRefresh() {
        if (model == null || model.catalogueSize() == 0) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        model.drainTouchedRows(); // all rows go out now
        int size = model.catalogueSize();
        for (int row = 0; row < size; row++) {
            emit(row, true, size, now);
        }
        unreportedPlays.clear();
        fullRefreshes.inc();
    }

    private void emit(int row, boolean full, int refreshSize, long now) {
        String itemId = model.itemId(row);
        float[] vector = model.itemVector(row);
        List<Float> values = new ArrayList<>(vector.length);
        for (float v : vector) {
            values.add(v);
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
        vectorsEmitted.inc();
        Long playTime = unreportedPlays.get(itemId);
        if (playTime != null) {
            freshnessMillis.update(Math.max(0, now - playTime));
        }
    }

    private void publishModelFigures() {
        if (model != null) {
            modelVersion = model.version();
            catalogueSize = model.catalogueSize();
            rejectedItems = model.rejectedItems();
        } else if (retainedShards != null && !retainedShards.isEmpty()) {
            modelVersion = retainedShards.get(0).getModelVersion();
        }
        pendingExamples = batch == null ? 0 : batch.size();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        modelState.update(
                model != null ? model.snapshot(config.modelShardBytes()) : retainedShards);
        pendingState.update(batch);
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }

    /** Prequential hit rates of well-played / skipped targets, for tests. */
    HitRate positiveHits() {
        return positives;
    }

    HitRate negativeHits() {
        return negatives;
    }

    /** The model, for tests and the local launcher's final figures; null if training is off. */
    public DeepMatchModel model() {
        return model;
    }
}
