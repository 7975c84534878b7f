package dev.deepmatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobSettings;
import dev.deepmatch.job.LearnerJob;
import dev.deepmatch.job.LearnerMetrics;
import dev.deepmatch.job.window.UserWindowFunction;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.UserWindow;
import dev.deepmatch.schema.WindowPlay;
import dev.deepmatch.sources.generator.GeneratorConfig;
import dev.deepmatch.sources.generator.ListenerGenerator;
import dev.deepmatch.tools.local.EmbeddedKafka;
import dev.deepmatch.tools.local.RestMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window operator of the production job (RocksDB, real broker, a MiniCluster of 2 TaskManagers
 * x 1 slot) moved by savepoints: plays at parallelism 1, stop with a savepoint, restore at 2, more
 * plays, stop with a savepoint, restore at 1, and so on. The windows are read out of every
 * savepoint with the State Processor API (operator {@code user-windows}, state {@code
 * user-window}):
 *
 * <ul>
 *   <li>a savepoint taken right after a restore at the new parallelism, before any new play, holds
 *       exactly the windows of the savepoint it was restored from: every listener, every field;
 *   <li>after new plays, every listener's window is their old window (as the savepoint before held
 *       it) with the new plays, by the window rule: the last {@code window-length} plays by event
 *       time (ties in arrival order), the last {@code dedup-memory} event ids; the probe listeners
 *       replay a play from before the move, which the window drops as a duplicate (the event ids
 *       moved with the window);
 *   <li>the window operator's counters carry across each move and count every play once: accepted =
 *       distinct plays sent, duplicates = replays, none late; its window count = windows held; a
 *       job that restarts meanwhile fails the test at once, with its failure.
 * </ul>
 *
 * <p>Restore time from each savepoint (submission to job RUNNING, to every task RUNNING, to the
 * restored job's first completed checkpoint) is printed.
 */
class WindowRescaleITCase {

    private static final String PREFIX = "wr";
    private static final String EVENTS = PREFIX + "-events";
    private static final int WINDOW = 8;
    private static final int DEDUP = 12;
    private static final int[] PARALLELISM = {1, 2, 1, 2};
    private static final int PLAYS_PER_PHASE = 800;
    private static final int PROBES = 4;
    private static final Duration STATE_TTL = JobSettings.STATE_TTL.defaultValue();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private EmbeddedKafka kafka;
    private MiniCluster cluster;

    /** Every play sent, by event id, to replay one. */
    private final Map<String, PlaybackEvent> sent = new HashMap<>();

    private long distinctPlays;
    private long replays;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        Jobs.createTopics(kafka, PREFIX);
        cluster = Jobs.miniCluster(2, 1, new Configuration());
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
    void windowsMoveUnchangedAtEachRescaleAndGoOnWithNewPlays(
            @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
        ListenerGenerator generator =
                new ListenerGenerator(
                        GeneratorConfig.builder().seed(23).users(150).tracks(300).build());
        Set<Integer> owners = new TreeSet<>();
        for (int k = 0; k < PROBES; k++) {
            owners.add(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            probe(k), JobSettings.MAX_PARALLELISM.defaultValue(), 2));
        }
        assertThat(owners)
                .as("subtasks of the probes' windows at parallelism 2")
                .containsExactly(0, 1);
        Map<String, UserWindow> windows = Map.of(); // as the last savepoint holds them
        Path savepoint = null;
        List<String> starts = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Jobs.producer(kafka)) {
            for (int phase = 0; phase < PARALLELISM.length; phase++) {
                int p = PARALLELISM[phase];
                Start r = start(checkpoints, p, savepoint);
                JobID job = r.job();
                String move =
                        phase == 0 ? "fresh start at " + p : PARALLELISM[phase - 1] + " -> " + p;
                starts.add(move + ": " + r);
                System.out.printf("window rescale, %s: %s%n", move, r);
                // the windows as the restored subtasks hold them, before any new play (read
                // once the job has stopped: the reader needs the cluster's slots)
                Path moved = phase == 0 ? null : Jobs.savepoint(cluster, job, savepoints);
                awaitCounters(job, windows.size(), "after " + move, Duration.ofSeconds(20));

                Map<String, List<PlaybackEvent>> batch = sendPhase(producer, generator, windows);
                Set<String> listeners = new HashSet<>(windows.keySet());
                listeners.addAll(batch.keySet());
                awaitCounters(
                        job, listeners.size(), "phase " + phase + " at parallelism " + p, WAIT);
                Path stopped = Jobs.stopWithSavepoint(cluster, job, savepoints);

                if (moved != null) {
                    Map<String, UserWindow> restored = readWindows(moved);
                    assertThat(restored.keySet())
                            .as("listeners with a window after %s", move)
                            .isEqualTo(windows.keySet());
                    for (String user : windows.keySet()) {
                        assertThat(restored.get(user))
                                .as("window of %s after %s", user, move)
                                .isEqualTo(windows.get(user));
                    }
                }
                Map<String, UserWindow> after = readWindows(stopped);
                checkWindows(windows, batch, after, phase, p);
                windows = after;
                savepoint = stopped;
            }
        }
        System.out.printf(
                "window rescale: parallelism %s, %d listeners' windows the same at each move, %d"
                        + " plays accepted once, %d replays dropped; %s%n",
                java.util.Arrays.toString(PARALLELISM),
                windows.size(),
                distinctPlays,
                replays,
                starts);
    }

    private Map<String, String> settings(Path checkpoints, int parallelism) {
        Map<String, String> s = Jobs.settings(kafka.bootstrapServers(), PREFIX, checkpoints);
        s.put("parallelism", String.valueOf(parallelism));
        s.put("window-length", String.valueOf(WINDOW));
        s.put("dedup-memory", String.valueOf(DEDUP));
        return s;
    }

    /**
     * Sends one phase: first each probe listener replays their last play before it (a duplicate the
     * window must drop), then generator plays with the probes' plays among them, probe {@code k}
     * playing {@code 2 + 3k} times at the generator's current event time (probe 0 twice at the same
     * time: a tie). Returns the plays per listener in the order sent.
     */
    private Map<String, List<PlaybackEvent>> sendPhase(
            KafkaProducer<byte[], byte[]> producer,
            ListenerGenerator generator,
            Map<String, UserWindow> before) {
        Map<String, List<PlaybackEvent>> batch = new LinkedHashMap<>();
        for (int k = 0; k < PROBES; k++) {
            UserWindow old = before.get(probe(k));
            if (old != null) {
                List<String> ids = old.getRecentEventIds();
                PlaybackEvent replay = sent.get(ids.get(ids.size() - 1));
                send(producer, replay, batch);
            }
        }
        List<String> probePlays = new ArrayList<>();
        for (int k = 0; k < PROBES; k++) {
            for (int i = 0; i < 2 + 3 * k; i++) {
                probePlays.add(probe(k));
            }
        }
        java.util.Collections.shuffle(probePlays, new java.util.Random(before.size()));
        int every = PLAYS_PER_PHASE / (probePlays.size() + 1);
        int next = 0;
        for (int i = 0; i < PLAYS_PER_PHASE; i++) {
            PlaybackEvent e = generator.next();
            send(producer, e, batch);
            if ((i + 1) % every == 0 && next < probePlays.size()) {
                String user = probePlays.get(next++);
                long time = e.getEventTimeMillis().toEpochMilli();
                send(producer, probePlay(user, time), batch);
                if (user.equals(probe(0))) {
                    send(producer, probePlay(user, time), batch);
                }
            }
        }
        producer.flush();
        return batch;
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer,
            PlaybackEvent play,
            Map<String, List<PlaybackEvent>> batch) {
        if (sent.putIfAbsent(play.getEventId(), play) == null) {
            distinctPlays++;
        } else {
            replays++;
        }
        batch.computeIfAbsent(play.getUserId(), u -> new ArrayList<>()).add(play);
        Jobs.send(producer, EVENTS, play);
    }

    private PlaybackEvent probePlay(String user, long time) {
        int n = sent.size();
        return PlaybackEvent.newBuilder()
                .setEventId(user + "-" + n)
                .setUserId(user)
                .setItemId("probe-item-" + (n % 17))
                .setEventTimeMillis(Instant.ofEpochMilli(time))
                .setPlayRate(0.25 + (n % 4) / 4.0)
                .setIntent(IntentType.RECOMMENDATION)
                .build();
    }

    private static String probe(int k) {
        return "probe-" + k;
    }

    /**
     * Every listener's window after a phase against their window before it with the phase's plays,
     * by the window rule; the probes' replays must be the duplicates.
     */
    private void checkWindows(
            Map<String, UserWindow> before,
            Map<String, List<PlaybackEvent>> batch,
            Map<String, UserWindow> after,
            int phase,
            int parallelism) {
        Set<String> users = new TreeSet<>(before.keySet());
        users.addAll(batch.keySet());
        assertThat(after.keySet())
                .as("listeners with a window after phase %d", phase)
                .isEqualTo(users);
        int duplicates = 0;
        for (String user : users) {
            UserWindow old = before.get(user);
            List<WindowPlay> plays = new ArrayList<>(old == null ? List.of() : old.getPlays());
            List<String> ids = new ArrayList<>(old == null ? List.of() : old.getRecentEventIds());
            for (PlaybackEvent e : batch.getOrDefault(user, List.of())) {
                if (ids.contains(e.getEventId())) {
                    duplicates++;
                    continue;
                }
                plays.add(
                        new WindowPlay(
                                e.getEventId(),
                                e.getItemId(),
                                e.getEventTimeMillis().toEpochMilli(),
                                e.getPlayRate(),
                                e.getIntent()));
                ids.add(e.getEventId());
            }
            // stable: plays at the same event time stay in arrival order
            plays.sort(Comparator.comparingLong(WindowPlay::getEventTimeMillis));
            UserWindow got = after.get(user);
            String what = user + " after phase " + phase + " at parallelism " + parallelism;
            assertThat(got.getPlays())
                    .as("plays in the window of %s", what)
                    .containsExactlyElementsOf(last(plays, WINDOW));
            assertThat(got.getRecentEventIds())
                    .as("event ids remembered for %s", what)
                    .containsExactlyElementsOf(last(ids, DEDUP));
            if (!batch.containsKey(user)) {
                assertThat(got).as("window of %s (no plays)", what).isEqualTo(old);
            }
        }
        assertThat(duplicates)
                .as("the probes' replays of plays from before the move")
                .isEqualTo(phase == 0 ? 0 : PROBES);
        for (int k = 0; k < PROBES; k++) {
            assertThat(after.get(probe(k)).getPlays())
                    .as("probe %d's window", k)
                    .hasSize(Math.min(WINDOW, (phase + 1) * (2 + 3 * k + (k == 0 ? 2 : 0))));
        }
    }

    private static <T> List<T> last(List<T> list, int n) {
        return list.subList(Math.max(0, list.size() - n), list.size());
    }

    /**
     * Waits for the window operator's counters (summed over its subtasks) to account for every play
     * sent, then checks each: accepted once, replays dropped, none late, and (if given) the windows
     * it counts.
     */
    private void awaitCounters(JobID job, int windows, String when, Duration wait)
            throws Exception {
        String accepted = LearnerMetrics.PLAYS_ACCEPTED;
        String duplicate = LearnerMetrics.DUPLICATE_PLAYS_DROPPED;
        String late = LearnerMetrics.LATE_PLAYS_DROPPED;
        String count = LearnerMetrics.USERS_IN_WINDOW_STATE;
        RestMetrics metrics = Jobs.metrics(cluster, job);
        Map<String, Double> m =
                Jobs.awaitMetrics(
                        metrics,
                        Set.of(accepted, duplicate, late, count),
                        v -> {
                            // a job that fails (and restarts) fails the test at once
                            if (Jobs.jobMetric(metrics, "numRestarts") > 0) {
                                throw new AssertionError(
                                        "the job restarted " + when + " after " + failure(job));
                            }
                            return v.get(accepted) + v.get(duplicate) + v.get(late) >= sent();
                        },
                        wait);
        assertThat(m.get(accepted)).as("plays accepted %s: %s", when, m).isEqualTo(distinctPlays);
        assertThat(m.get(duplicate)).as("replays dropped %s: %s", when, m).isEqualTo(replays);
        assertThat(m.get(late)).as("late plays %s: %s", when, m).isZero();
        if (windows >= 0) {
            assertThat(m.get(count)).as("windows counted %s: %s", when, m).isEqualTo(windows);
        }
    }

    /** The job's latest failure: the first lines of its exception, or null. */
    private String failure(JobID job) {
        try {
            var info = cluster.getExecutionGraph(job).get().getFailureInfo();
            return info == null
                    ? null
                    : info.getExceptionAsString().lines().limit(3).toList().toString();
        } catch (Exception e) {
            return "(not readable: " + e + ")";
        }
    }

    private double sent() {
        return distinctPlays + replays;
    }

    /** How long a start (a restore from a savepoint) took, from the job's submission. */
    private record Start(
            JobID job,
            long runningMillis,
            long tasksMillis,
            long checkpointMillis,
            String slowestTask,
            long slowestInitMillis,
            long windowsInitMillis) {
        @Override
        public String toString() {
            return String.format(
                    "job RUNNING %d ms, every task RUNNING %d ms, first checkpoint %d ms"
                            + " (longest INITIALIZING: %s, %d ms; the windows' %d ms)",
                    runningMillis,
                    tasksMillis,
                    checkpointMillis,
                    slowestTask,
                    slowestInitMillis,
                    windowsInitMillis);
        }
    }

    /**
     * Submits the job at this parallelism, restored from the savepoint if given, and times it: to
     * job RUNNING, to every task RUNNING, to its first completed checkpoint (1 s interval).
     */
    private Start start(Path checkpoints, int parallelism, Path savepoint) throws Exception {
        StreamGraph graph =
                Jobs.define(settings(checkpoints, parallelism), savepoint).getStreamGraph();
        long start = System.nanoTime();
        JobID job = cluster.submitJob(graph).get().getJobID();
        long running = -1;
        long tasks = -1;
        long checkpoint = -1;
        long deadline = start + WAIT.toNanos();
        while (checkpoint < 0) {
            AccessExecutionGraph g = cluster.getExecutionGraph(job).get();
            long now = (System.nanoTime() - start) / 1_000_000;
            assertThat(g.getState().isGloballyTerminalState())
                    .as("restored job %s ended: %s", job, failure(job))
                    .isFalse();
            if (running < 0 && g.getState() == JobStatus.RUNNING) {
                running = now;
            }
            if (tasks < 0 && allRunning(g)) {
                tasks = now;
            }
            CheckpointStatsSnapshot stats = g.getCheckpointStatsSnapshot();
            if (stats != null && stats.getCounts().getNumberOfCompletedCheckpoints() > 0) {
                checkpoint = now;
                assertThat(g.getStateBackendName())
                        .as("state backend of the restored job")
                        .hasValueSatisfying(
                                name -> assertThat(name).containsIgnoringCase("rocksdb"));
            }
            assertThat(System.nanoTime()).as("restore within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
        // the task that took longest to initialize (restore its state, open its operators)
        String slowest = null;
        long slowestMillis = -1;
        long windowsMillis = -1;
        for (AccessExecutionVertex v :
                cluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
            long init =
                    v.getStateTimestamp(ExecutionState.RUNNING)
                            - v.getStateTimestamp(ExecutionState.INITIALIZING);
            if (v.getTaskNameWithSubtaskIndex().contains(LearnerJob.WINDOW_NAME)) {
                windowsMillis = Math.max(windowsMillis, init);
            }
            if (init > slowestMillis) {
                slowestMillis = init;
                slowest = v.getTaskNameWithSubtaskIndex().replaceAll(" ->.*\\(", " (");
            }
        }
        return new Start(job, running, tasks, checkpoint, slowest, slowestMillis, windowsMillis);
    }

    private static boolean allRunning(AccessExecutionGraph g) {
        int running = 0;
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
            running++;
        }
        return running > 0;
    }

    /** The windows in a savepoint, by listener, read with the State Processor API and RocksDB. */
    private Map<String, UserWindow> readWindows(Path savepoint) throws Exception {
        TestStreamEnvironment env = new TestStreamEnvironment(cluster, 2);
        SavepointReader reader =
                SavepointReader.read(
                        env, savepoint.toUri().toString(), new EmbeddedRocksDBStateBackend());
        Map<String, UserWindow> windows = new HashMap<>();
        try (CloseableIterator<Tuple2<String, UserWindow>> it =
                reader.readKeyedState(
                                OperatorIdentifier.forUid(LearnerJob.WINDOW_UID),
                                new WindowReader(STATE_TTL),
                                Types.STRING,
                                Types.TUPLE(Types.STRING, new AvroTypeInfo<>(UserWindow.class)))
                        .executeAndCollect("windows of " + savepoint.getFileName())) {
            while (it.hasNext()) {
                Tuple2<String, UserWindow> w = it.next();
                assertThat(windows.put(w.f0, w.f1)).as("window of %s twice", w.f0).isNull();
            }
        }
        Set<String> probes = new HashSet<>();
        for (int k = 0; k < PROBES; k++) {
            probes.add(probe(k));
        }
        assertThat(windows.keySet()).as("probe windows in %s", savepoint).containsAll(probes);
        return windows;
    }

    /** Each listener's window, declared as the job declares it (TTL included). */
    static final class WindowReader
            extends KeyedStateReaderFunction<String, Tuple2<String, UserWindow>> {
        private final Duration stateTtl;
        private transient ValueState<UserWindow> window;

        WindowReader(Duration stateTtl) {
            this.stateTtl = stateTtl;
        }

        @Override
        public void open(OpenContext openContext) {
            window =
                    getRuntimeContext()
                            .getState(UserWindowFunction.windowStateDescriptor(stateTtl));
        }

        @Override
        public void readKey(String user, Context ctx, Collector<Tuple2<String, UserWindow>> out)
                throws Exception {
            out.collect(Tuple2.of(user, window.value()));
        }
    }
}
