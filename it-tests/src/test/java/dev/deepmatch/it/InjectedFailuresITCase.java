package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.JobSettings;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.job.train.TrainerOperator;
import dev.deepmatch.job.train.TrainerSettings;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecution;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures injected into one part of the job at a time, mid-stream, while plays stream in through
 * Kafka: the window operator, the trainer and the item-vector sink (a wrapper of the job's
 * transactional Kafka sink) each fail twice, in turn (a MiniCluster of 2 TaskManagers x 2 slots;
 * restarts from the cluster's configuration, as in production). Each failure strikes the part's
 * subtask 0 once that attempt has taken two checkpoints, so every attempt makes progress and the
 * next one restores from a checkpoint of its own. Afterwards:
 *
 * <ul>
 *   <li>the job restarted once per failure, and each failure was the one injected, in the operator
 *       it was meant for;
 *   <li>every play produced is counted exactly once by the window operator (accepted + late =
 *       produced, no duplicate dropped): a play replayed after a restore that had been counted
 *       before it would show as one too many, one lost as one too few;
 *   <li>on the vectors topic, read {@code read_committed}: versions never go backwards and each
 *       (item, version) has one value; each restore published the whole catalogue once, at a
 *       version above 0 and at least that of every vector committed before it (the model went on
 *       from the restored checkpoint, not from 0).
 * </ul>
 *
 * It prints, per failure, how long the job took to run again (every task RUNNING) and to complete
 * its first checkpoint after it, from the execution graph's timestamps and checkpoint history.
 */
class InjectedFailuresITCase {

    private static final String PREFIX = "inj";
    private static final int RATE = 200;
    private static final int FAILURES_EACH = 2;
    private static final int FAILURES = FAILURES_EACH * Target.values().length;

    /** Checkpoints a part takes in an attempt before the failure may strike. */
    private static final int CHECKPOINTS_FIRST = 2;

    /** Elements a part handles after those checkpoints before it fails. */
    private static final int FAIL_AFTER = 100;

    private static final Duration WAIT = Duration.ofSeconds(120);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    /**
     * The parts failures are injected into, in the order they fail: each job attempt below {@link
     * #FAILURES} fails in one part (attempt a in part a mod 3), on the part's subtask 0. A job of
     * one pipelined region restarts every task together, so every task's attempt number is the
     * number of restarts so far.
     */
    enum Target {
        WINDOWS(LearnerJob.WINDOW_NAME),
        TRAINER(LearnerJob.TRAINER_NAME),
        VECTOR_SINK("Item-vector sink");

        /** The name of the operator (in the failing task's name). */
        final String operator;

        Target(String operator) {
            this.operator = operator;
        }

        boolean failsIn(TaskInfo task) {
            int attempt = task.getAttemptNumber();
            return task.getIndexOfThisSubtask() == 0
                    && attempt < FAILURES
                    && attempt % values().length == ordinal();
        }

        String message() {
            return "injected failure of " + this;
        }

        IllegalStateException failure(TaskInfo task, String where) {
            return new IllegalStateException(
                    message() + " (" + where + "), attempt " + task.getAttemptNumber());
        }
    }

    /** The job's window function, failing at its turn. */
    static final class FailingWindows extends UserWindowFunction {
        private static final long serialVersionUID = 1L;
        private transient int checkpoints;
        private transient int seen;

        FailingWindows(JobConfig config) {
            super(LearnerJob.windowRule(config), config.get(JobSettings.STATE_TTL));
        }

        @Override
        public void processElement(PlaybackEvent event, Context ctx, Collector<TrainingExample> out)
                throws Exception {
            TaskInfo task = getRuntimeContext().getTaskInfo();
            if (checkpoints >= CHECKPOINTS_FIRST
                    && ++seen == FAIL_AFTER
                    && Target.WINDOWS.failsIn(task)) {
                throw Target.WINDOWS.failure(task, "play of " + event.getUserId());
            }
            super.processElement(event, ctx, out);
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            super.snapshotState(context);
            checkpoints++;
        }
    }

    /** The job's trainer, failing at its turn. */
    static final class FailingTrainer extends TrainerOperator {
        private static final long serialVersionUID = 1L;
        private transient int checkpoints;
        private transient int seen;

        FailingTrainer(TrainerSettings settings) {
            super(settings);
        }

        @Override
        public void processElement1(StreamRecord<TrainingExample> element) throws Exception {
            TaskInfo task = getRuntimeContext().getTaskInfo();
            if (checkpoints >= CHECKPOINTS_FIRST
                    && ++seen == FAIL_AFTER
                    && Target.TRAINER.failsIn(task)) {
                throw Target.TRAINER.failure(task, "example of " + element.getValue().getUserId());
            }
            super.processElement1(element);
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            checkpoints++;
        }
    }

    /**
     * The job's transactional item-vector sink, its writer failing at its turn: in its first
     * failing attempt while writing (a transaction open with vectors in it), in its second while
     * pre-committing at a checkpoint barrier (the transaction about to be handed to the committer).
     * It has the Kafka sink's committer and post-commit topology, so it commits as the job's does.
     * What it hands to each checkpoint's transaction it notes in {@link #WRITTEN} (the MiniCluster
     * runs in the test's JVM), so the test can tell whether a checkpoint that completed lost any.
     */
    static final class FailingVectorSink
            implements Sink<ItemVector>,
                    SupportsWriterState<ItemVector, KafkaWriterState>,
                    SupportsCommitter<KafkaCommittable>,
                    SupportsPostCommitTopology<KafkaCommittable> {
        private static final long serialVersionUID = 1L;

        /** Checkpoint id -> {@code item@version} of every vector written in its transaction. */
        static final Map<Long, Set<String>> WRITTEN = new ConcurrentHashMap<>();

        private final KafkaSink<ItemVector> sink;

        FailingVectorSink(KafkaSink<ItemVector> sink) {
            this.sink = sink;
        }

        @Override
        public Writer createWriter(WriterInitContext context) throws IOException {
            return new Writer(sink.createWriter(context), context.getTaskInfo());
        }

        @Override
        public Writer restoreWriter(
                WriterInitContext context, Collection<KafkaWriterState> recoveredState)
                throws IOException {
            return new Writer(sink.restoreWriter(context, recoveredState), context.getTaskInfo());
        }

        @Override
        public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
            return sink.getWriterStateSerializer();
        }

        @Override
        public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
            return sink.createCommitter(context);
        }

        @Override
        public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
            return sink.getCommittableSerializer();
        }

        @Override
        public void addPostCommitTopology(
                DataStream<CommittableMessage<KafkaCommittable>> committables) {
            sink.addPostCommitTopology(committables);
        }

        static final class Writer
                implements StatefulSinkWriter<ItemVector, KafkaWriterState>,
                        CommittingSinkWriter<ItemVector, KafkaCommittable> {
            private final PrecommittingStatefulSinkWriter<
                            ItemVector, KafkaWriterState, KafkaCommittable>
                    writer;
            private final TaskInfo task;
            private final boolean whileWriting;
            private int checkpoints;
            private int count;
            private Set<String> written = new HashSet<>();

            Writer(
                    PrecommittingStatefulSinkWriter<ItemVector, KafkaWriterState, KafkaCommittable>
                            writer,
                    TaskInfo task) {
                this.writer = writer;
                this.task = task;
                this.whileWriting = task.getAttemptNumber() < Target.values().length;
            }

            @Override
            public void write(ItemVector vector, Context context)
                    throws IOException, InterruptedException {
                if (whileWriting
                        && checkpoints >= CHECKPOINTS_FIRST
                        && ++count == FAIL_AFTER
                        && Target.VECTOR_SINK.failsIn(task)) {
                    throw Target.VECTOR_SINK.failure(task, "writing " + vector.getItemId());
                }
                writer.write(vector, context);
                written.add(vector.getItemId() + "@" + vector.getModelVersion());
            }

            @Override
            public Collection<KafkaCommittable> prepareCommit()
                    throws IOException, InterruptedException {
                if (!whileWriting
                        && checkpoints >= CHECKPOINTS_FIRST
                        && Target.VECTOR_SINK.failsIn(task)) {
                    throw Target.VECTOR_SINK.failure(task, "pre-committing");
                }
                return writer.prepareCommit();
            }

            @Override
            public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
                List<KafkaWriterState> state = writer.snapshotState(checkpointId);
                WRITTEN.computeIfAbsent(checkpointId, id -> ConcurrentHashMap.newKeySet())
                        .addAll(written);
                written = new HashSet<>();
                checkpoints++;
                return state;
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void writeWatermark(org.apache.flink.api.common.eventtime.Watermark watermark)
                    throws IOException, InterruptedException {
                writer.writeWatermark(watermark);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        FailingVectorSink.WRITTEN.clear();
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
        Configuration conf = Jobs.restartingAfter(Duration.ofSeconds(1));
        // every checkpoint of the run in the history, for the restore times
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1000);
        cluster = Jobs.miniCluster(2, 2, conf);
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void nothingLostNothingDoubledThroughFailuresOfEachPart(@TempDir Path checkpoints)
            throws Exception {
        JobID job =
                cluster.submitJob(
                                Jobs.define(
                                                settings(checkpoints),
                                                null,
                                                config ->
                                                        LearnerJob.Parts.kafka(config)
                                                                .withWindows(
                                                                        new FailingWindows(config))
                                                                .withTrainer(
                                                                        new FailingTrainer(
                                                                                config
                                                                                        .trainerSettings()))
                                                                .withVectorSink(
                                                                        new FailingVectorSink(
                                                                                LearnerJob
                                                                                        .vectorSink(
                                                                                                config))))
                                        .getStreamGraph())
                        .get()
                        .getJobID();
        RestMetrics metrics =
                new RestMetrics(cluster.getRestAddress().get().toString(), job.toString());

        // Plays keep coming until every failure has struck and the last attempt has taken two
        // checkpoints.
        Set<String> items = new HashSet<>();
        AtomicBoolean more = new AtomicBoolean(true);
        CompletableFuture<Integer> producer =
                Jobs.produce(
                        kafka,
                        PREFIX + "-events",
                        GeneratorConfig.builder().seed(29).users(300).tracks(700).build(),
                        RATE,
                        sent -> more.get(),
                        items);
        Jobs.await(
                () -> Jobs.jobMetric(metrics, "numRestarts") >= FAILURES,
                FAILURES + " restarts",
                WAIT);
        AtomicLong checkpointsBefore = new AtomicLong(-1); // -1: REST not answering yet
        Jobs.await(
                () -> {
                    checkpointsBefore.compareAndSet(-1, Jobs.completed(metrics));
                    return checkpointsBefore.get() >= 0
                            && Jobs.completed(metrics) >= checkpointsBefore.get() + 2;
                },
                "two checkpoints after the last restart",
                WAIT);
        more.set(false);
        int sent = producer.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Map<String, Double> m = Jobs.awaitAllPlaysIn(metrics, sent, WAIT);
        double restarts = metrics.jobMetric("numRestarts");
        assertThat(restarts).as("restarts").isEqualTo(FAILURES);
        assertThat(m.get("eventsIn")).as("plays read, counted once: %s", m).isEqualTo(sent);
        assertThat(m.get("playsAccepted") + m.get("latePlaysDropped"))
                .as("plays in the windows: %s", m)
                .isEqualTo(sent);
        assertThat(m.get("duplicatePlaysDropped")).as("plays seen twice by the windows").isZero();

        // Each failure is the injected one, in its operator, one per attempt and in turn.
        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(job).get();
        List<Failure> failures = failures(graph);
        assertThat(failures).as("failures").hasSize(FAILURES);
        for (int attempt = 0; attempt < FAILURES; attempt++) {
            Failure f = failures.get(attempt);
            Target target = Target.values()[attempt % Target.values().length];
            assertThat(f.attempt()).as("attempt of failure %s", f).isEqualTo(attempt);
            assertThat(f.task()).as("task of failure %s", f).contains(target.operator);
            assertThat(f.cause()).as("cause of failure %s", f).contains(target.message());
        }

        // The vectors, read as a consumer would, once every vector the sink handed to a checkpoint
        // that completed is there (the commit follows the checkpoint) and the final version too.
        Set<String> handed = new HashSet<>();
        for (AbstractCheckpointStats c :
                graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                handed.addAll(
                        FailingVectorSink.WRITTEN.getOrDefault(c.getCheckpointId(), Set.of()));
            }
        }
        double finalVersion = m.get("modelVersion");
        List<ItemVector> vectors =
                TopicReader.itemVectors(
                        TopicReader.readUntil(
                                kafka,
                                PREFIX + "-vectors",
                                WAIT,
                                l ->
                                        missing(handed, TopicReader.itemVectors(l)).isEmpty()
                                                && TopicReader.itemVectors(l).stream()
                                                        .anyMatch(
                                                                v ->
                                                                        v.getModelVersion()
                                                                                >= finalVersion)));
        Set<String> lost = missing(handed, vectors);
        assertThat(lost.size())
                .as(
                        "vectors of completed checkpoints missing from the topic (of %d), e.g. %s",
                        handed.size(), lost.stream().limit(5).toList())
                .isZero();
        assertThat(vectors)
                .as("a vector at the final version %s", finalVersion)
                .anyMatch(v -> v.getModelVersion() >= finalVersion);
        TopicReader.assertVersionsForwardOneValueEach(vectors);
        List<Long> refreshes = restoreRefreshes(vectors);
        assertThat(refreshes).as("versions of the refreshes after each restore").hasSize(FAILURES);

        List<String> restores = restoreTimes(graph, failures);
        restores.forEach(System.out::println);
        System.out.printf(
                "injected failures: %.0f restarts; %d plays sent, %.0f read, %.0f accepted + %.0f"
                        + " late, %.0f doubled; %d vectors committed (all %d of completed"
                        + " checkpoints), versions up to %.0f; refreshes after the restores at"
                        + " versions %s%n",
                restarts,
                sent,
                m.get("eventsIn"),
                m.get("playsAccepted"),
                m.get("latePlaysDropped"),
                m.get("duplicatePlaysDropped"),
                vectors.size(),
                handed.size(),
                finalVersion,
                refreshes);
        cluster.cancelJob(job).get();
    }

    /** Those of {@code item@version} keys that none of the vectors has. */
    private static Set<String> missing(Set<String> keys, List<ItemVector> vectors) {
        Set<String> out = new HashSet<>(keys);
        vectors.forEach(v -> out.remove(v.getItemId() + "@" + v.getModelVersion()));
        return out;
    }

    /** A task attempt that failed: the attempt, the task (with subtask), the cause and when. */
    record Failure(int attempt, String task, String cause, long at) {}

    /** Every failed task attempt of the job, in the order they failed. */
    private static List<Failure> failures(ArchivedExecutionGraph graph) {
        List<Failure> out = new ArrayList<>();
        for (ArchivedExecutionVertex v : graph.getAllExecutionVertices()) {
            for (AccessExecution e : attempts(v)) {
                if (e.getState() == ExecutionState.FAILED) {
                    var info = e.getFailureInfo().orElseThrow();
                    out.add(
                            new Failure(
                                    e.getAttemptNumber(),
                                    v.getTaskNameWithSubtaskIndex(),
                                    info.getExceptionAsString(),
                                    info.getTimestamp()));
                }
            }
        }
        out.sort(Comparator.comparingLong(Failure::at));
        return out;
    }

    private static List<AccessExecution> attempts(ArchivedExecutionVertex v) {
        List<AccessExecution> all =
                new ArrayList<>(v.getExecutionHistory().getHistoricalExecutions());
        all.add(v.getCurrentExecutionAttempt());
        return all;
    }

    /**
     * Per failure, the time from it to every task of the next attempt RUNNING (state restored) and
     * to the first checkpoint completed after it.
     */
    private static List<String> restoreTimes(ArchivedExecutionGraph graph, List<Failure> failures) {
        Map<Integer, Long> running = new HashMap<>();
        for (ArchivedExecutionVertex v : graph.getAllExecutionVertices()) {
            for (AccessExecution e : attempts(v)) {
                long at = e.getStateTimestamp(ExecutionState.RUNNING);
                running.merge(e.getAttemptNumber(), at == 0 ? Long.MAX_VALUE : at, Math::max);
            }
        }
        List<long[]> completed = new ArrayList<>();
        for (AbstractCheckpointStats c :
                graph.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                completed.add(
                        new long[] {
                            c.getTriggerTimestamp(),
                            c.getTriggerTimestamp() + c.getEndToEndDuration()
                        });
            }
        }
        List<String> out = new ArrayList<>();
        List<Long> toRunning = new ArrayList<>();
        List<Long> toCheckpoint = new ArrayList<>();
        for (Failure f : failures) {
            long up = running.getOrDefault(f.attempt() + 1, Long.MAX_VALUE);
            long checkpoint =
                    completed.stream()
                            .filter(c -> c[0] > f.at())
                            .mapToLong(c -> c[1])
                            .min()
                            .orElse(Long.MAX_VALUE);
            assertThat(up).as("attempt %d running", f.attempt() + 1).isNotEqualTo(Long.MAX_VALUE);
            assertThat(checkpoint)
                    .as("a checkpoint after failure %s", f)
                    .isNotEqualTo(Long.MAX_VALUE);
            toRunning.add(up - f.at());
            toCheckpoint.add(checkpoint - f.at());
            out.add(
                    String.format(
                            "failure %d (%s, in task %s): running again after %d ms, first"
                                    + " checkpoint after %d ms",
                            f.attempt() + 1,
                            Target.values()[f.attempt() % Target.values().length],
                            f.task().split(" -> ")[0],
                            up - f.at(),
                            checkpoint - f.at()));
        }
        out.add(
                String.format(
                        "restore times over %d failures: running again p50 %d ms, max %d ms;"
                                + " first checkpoint p50 %d ms, max %d ms",
                        failures.size(),
                        median(toRunning),
                        toRunning.stream().mapToLong(Long::longValue).max().orElse(0),
                        median(toCheckpoint),
                        toCheckpoint.stream().mapToLong(Long::longValue).max().orElse(0)));
        return out;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get((sorted.size() - 1) / 2);
    }

    /**
     * The version of each full refresh on the topic, checked as it goes: every full refresh here
     * follows a restore (the interval is longer than the run), holds its {@code refreshSize} items
     * once each, and is at a version above 0 and at least every version committed before it.
     */
    private static List<Long> restoreRefreshes(List<ItemVector> vectors) {
        List<Long> versions = new ArrayList<>();
        long before = 0;
        Set<String> refresh = null;
        for (ItemVector v : vectors) {
            if (!v.getFullRefresh()) {
                assertThat(refresh).as("refresh at version %d cut short", before).isNull();
                before = Math.max(before, v.getModelVersion());
                continue;
            }
            if (refresh == null) {
                assertThat(v.getModelVersion())
                        .as("version of a restored model, after vectors up to %d", before)
                        .isPositive()
                        .isGreaterThanOrEqualTo(before);
                versions.add(v.getModelVersion());
                refresh = new HashSet<>();
            }
            assertThat(refresh.add(v.getItemId()))
                    .as("%s twice in the refresh at version %d", v.getItemId(), v.getModelVersion())
                    .isTrue();
            before = Math.max(before, v.getModelVersion());
            if (refresh.size() == v.getRefreshSize()) {
                refresh = null;
            }
        }
        return versions;
    }

    private Map<String, String> settings(Path checkpoints) {
        return Jobs.settings(kafka.bootstrapServers(), PREFIX, checkpoints);
    }
}
