package dev.deepmatch.job.window;

import static dev.deepmatch.job.Plays.play;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps the window state bounded (issue 13), through the real window function on RocksDB as in
 * the job: the number of windows by the state TTL (a million listeners of one play each, all
 * forgotten a TTL later, the gauge falling with them), and the size of one window by {@code
 * window-length} and {@code dedup-memory} (one listener with 100,000 plays in a burst).
 */
class UserWindowGrowthTest {

    private static final int L = 50;
    private static final int DEDUP = 100;
    private static final Duration LATENESS = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofMinutes(30);

    private static final int LISTENERS = 1_000_000;

    /** Listeners whose play falls in the same millisecond of processing time. */
    private static final int PER_MILLI = 100;

    private static final int BURST = 100_000;

    @TempDir Path checkpoints;

    private KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample> harness;

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, PlaybackEvent, TrainingExample>
            newHarness() throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new UserWindowFunction(
                                        new WindowRule(L, DEDUP, LATENESS.toMillis()), TTL)),
                        PlaybackEvent::getUserId,
                        Types.STRING);
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend();
        // The harness gives RocksDB 3 MB of managed memory: it then flushes its memtable all the
        // time and a million windows take 10 minutes instead of seconds. A slot's worth instead.
        rocksDb.getMemoryConfiguration().setFixedMemoryPerSlot(MemorySize.ofMebiBytes(256));
        h.setStateBackend(rocksDb);
        // a million windows are far beyond the in-memory checkpoint storage's 5 MB
        h.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.toUri()));
        return h;
    }

    /**
     * A million listeners play once each, spread over 10 s of processing time; a tenth of them play
     * again just before their window would expire. A TTL after each listener's last play their
     * window is gone: the gauge and the keys in the backend fall together to the returning
     * listeners, then to none. A snapshot taken with the million windows restores them with their
     * timers, and they all expire too.
     */
    @Test
    void aMillionListenersWindowsAllExpireAndTheGaugeFallsToZero() throws Exception {
        long start = System.nanoTime();
        harness = newHarness();
        harness.open();
        for (int i = 0; i < LISTENERS; i++) {
            if (i % PER_MILLI == 0) {
                at(i / PER_MILLI);
            }
            send(play("e" + i, "u" + i, "t" + i % 1000, 1_000 + i));
        }
        long lastFirstPlay = (LISTENERS - 1) / PER_MILLI;
        assertThat(windows()).isEqualTo(LISTENERS);
        assertThat(keys()).isEqualTo(LISTENERS);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(LISTENERS);
        long played = System.nanoTime();

        OperatorSubtaskState full = harness.snapshot(1, 1);
        long checkpointSize = keyedStateSize(full);
        long fullSize = savepointSize(2);
        long snapshotted = System.nanoTime();

        // Every tenth listener plays again 1 ms before the first window expires: their timers
        // move.
        at(TTL.toMillis() - 1);
        for (int i = 0; i < LISTENERS; i += 10) {
            send(play("r" + i, "u" + i, "s" + i % 1000, 2_000_000 + i));
        }
        List<TrainingExample> again = harness.extractOutputValues();
        assertThat(again).hasSize(LISTENERS / 10);
        assertThat(again.get(7).getHistoryItems()).containsExactly("t70");
        harness.getOutput().clear();
        assertThat(windows()).isEqualTo(LISTENERS);

        // Half-way through the expiries: the windows of the first plays up to then are gone.
        long half = lastFirstPlay / 2;
        at(TTL.toMillis() + half);
        long gone = 0;
        for (int i = 0; i < LISTENERS; i++) {
            if (i / PER_MILLI <= half && i % 10 != 0) {
                gone++;
            }
        }
        assertThat(windows()).isEqualTo(LISTENERS - gone);
        assertThat(keys()).isEqualTo(LISTENERS - gone);

        // Every first play's expiry has passed: the returning listeners are left.
        at(TTL.toMillis() + lastFirstPlay);
        assertThat(windows()).isEqualTo(LISTENERS / 10);
        assertThat(keys()).isEqualTo(LISTENERS / 10);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(LISTENERS / 10);

        // A TTL after their second play, they are gone too.
        at(2 * TTL.toMillis() - 1);
        assertThat(windows()).isZero();
        assertThat(keys()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        long emptySize = savepointSize(3);
        assertThat(emptySize).isLessThan(fullSize / 1000);
        long expired = System.nanoTime();
        harness.close();

        // The snapshot of the million windows restores them with their count and their timers.
        harness = newHarness();
        harness.initializeState(full);
        harness.open();
        long restored = System.nanoTime();
        assertThat(windows()).isEqualTo(LISTENERS);
        assertThat(keys()).isEqualTo(LISTENERS);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(LISTENERS);
        at(TTL.toMillis() + lastFirstPlay);
        assertThat(windows()).isZero();
        assertThat(keys()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        long end = System.nanoTime();

        System.out.printf(
                "UserWindowGrowthTest: %,d listeners played in %.1f s; checkpoint of %,d bytes of"
                        + " keyed state, savepoint of %,d (%.0f bytes per window), both in %.1f s; second plays and"
                        + " expiry to 0 in %.1f s (empty state %,d bytes); restore %.1f s,"
                        + " restored windows expired in %.1f s; total %.1f s%n",
                LISTENERS,
                seconds(start, played),
                checkpointSize,
                fullSize,
                (double) fullSize / LISTENERS,
                seconds(played, snapshotted),
                seconds(snapshotted, expired),
                emptySize,
                seconds(expired, restored),
                seconds(restored, end),
                seconds(start, end));
    }

    /** One listener plays 100,000 times in a burst, in event-time order. */
    @Test
    void aBurstOfPlaysInOrderKeepsTheWindowAtItsLength() throws Exception {
        burst(new Random(13), false);
    }

    /**
     * The same with event times in steps of 100 ms (ten plays per step) and up to 200 ms out of
     * order, every hundredth play 9 s old (behind the watermark, within the allowed lateness of 10
     * s), and every tenth play a replay of a recent one.
     */
    @Test
    void aBurstOfPlaysWithEqualAndOutOfOrderTimesKeepsTheWindowAtItsLength() throws Exception {
        burst(new Random(13), true);
    }

    private void burst(Random random, boolean disorder) throws Exception {
        long start = System.nanoTime();
        harness = newHarness();
        harness.open();
        at(1_000);
        long base = 1_700_000_000_000L;
        long maxTime = Long.MIN_VALUE;
        int accepted = 0;
        int examples = 0;
        int old = 0;
        int windowSize1k = 0;
        long keyedSize1k = 0;
        long checkpoint1k = 0;
        for (int i = 0; i < BURST; i++) {
            boolean replay = disorder && i % 10 == 9;
            // fixed-width ids and items: a window of the same plays has the same size
            int j = replay ? i - 5 : i; // a replay: the play of 5 plays ago, among the last ids
            long time;
            if (!disorder) {
                time = base + i * 10L;
            } else if (i % 100 == 50) {
                time = maxTime - LATENESS.toMillis() + 1_000;
                old++;
            } else {
                time = base + (i / 10) * 100L - random.nextInt(3) * 100L;
            }
            PlaybackEvent event =
                    play(String.format("e%06d", j), "u", String.format("t%03d", j % 977), time);
            if (disorder && i % 1000 == 999) {
                harness.processWatermark(maxTime - LATENESS.toMillis() / 2);
            }
            maxTime = Math.max(maxTime, time);
            send(event);
            if (!replay) {
                accepted++;
            }

            List<TrainingExample> out = harness.extractOutputValues();
            harness.getOutput().clear();
            assertThat(out.size()).as("examples of play %d", i).isLessThanOrEqualTo(1);
            if (replay) {
                assertThat(out).as("a replay makes no example").isEmpty();
            }
            for (TrainingExample e : out) {
                assertThat(e.getHistoryItems()).hasSizeBetween(1, L);
                assertThat(e.getHistoryRates()).hasSameSizeAs(e.getHistoryItems());
                assertThat(e.getTarget().getEventId()).isEqualTo(event.getEventId());
            }
            examples += out.size();

            UserWindow w = window("u");
            assertThat(w.getPlays()).as("window after play %d", i).hasSize(Math.min(accepted, L));
            assertThat(w.getRecentEventIds())
                    .as("dedup memory after play %d", i)
                    .hasSize(Math.min(accepted, DEDUP));
            if (i == 999) {
                windowSize1k = serializedSize(w);
                keyedSize1k = savepointSize(1);
                checkpoint1k = keyedStateSize(harness.snapshot(2, 2));
            }
        }
        UserWindow w = window("u");
        int windowSize = serializedSize(w);
        long keyedSize = savepointSize(3);
        long checkpoint = keyedStateSize(harness.snapshot(4, 4));
        assertThat(w.getPlays()).hasSize(L);
        assertThat(w.getRecentEventIds()).hasSize(DEDUP);
        // fixed-width ids and items, times of the same varint length: the same bytes
        assertThat(windowSize).isEqualTo(windowSize1k);
        assertThat(keyedSize).isLessThanOrEqualTo(keyedSize1k + 64);
        assertThat(windows()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        if (disorder) {
            // Nothing is late; plays older than the whole window (the 9 s old ones, and a few of
            // the others) make no example.
            assertThat(accepted).isEqualTo(BURST - BURST / 10);
            assertThat(examples).isBetween(accepted - 1 - old - accepted / 100, accepted - 1 - old);
        } else {
            assertThat(examples).isEqualTo(BURST - 1);
        }
        System.out.printf(
                "UserWindowGrowthTest: burst of %,d plays (%s): %,d examples, window %,d bytes"
                        + " serialized (%,d after 1,000 plays), keyed state snapshot %,d bytes"
                        + " (%,d after 1,000 plays), incremental checkpoint %,d bytes (%,d after"
                        + " 1,000 plays); %.1f s%n",
                BURST,
                disorder ? "equal and out-of-order times, replays" : "in order",
                examples,
                windowSize,
                windowSize1k,
                keyedSize,
                keyedSize1k,
                checkpoint,
                checkpoint1k,
                seconds(start, System.nanoTime()));
    }

    private void send(PlaybackEvent event) throws Exception {
        harness.processElement(event, event.getEventTimeMillis().toEpochMilli());
    }

    /** Processing time of the timers and of the state TTL, as they are in a job. */
    private void at(long millis) throws Exception {
        harness.setStateTtlProcessingTime(millis);
        harness.setProcessingTime(millis);
    }

    private long windows() {
        return ((UserWindowFunction)
                        ((KeyedProcessOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
                .windows();
    }

    /** Listeners with a window in the backend (RocksDB: a scan of the state's column family). */
    private long keys() throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        try (Stream<String> keys =
                backend.getKeys(UserWindowFunction.WINDOW_STATE, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** The listener's window as the function holds it. */
    private UserWindow window(String user) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(user);
        ValueState<UserWindow> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        UserWindowFunction.windowStateDescriptor(TTL));
        return state.value();
    }

    private static int serializedSize(UserWindow w) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        new AvroSerializer<>(UserWindow.class).serialize(w, out);
        return out.length();
    }

    /**
     * Bytes of keyed state (windows and timers) in a canonical savepoint: every live entry once.
     * (An incremental checkpoint of RocksDB, as the harness takes by default, ships SST files with
     * overwritten versions not yet compacted away.)
     */
    private long savepointSize(long id) throws Exception {
        return keyedStateSize(
                harness.snapshotWithLocalState(
                                id, id, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                        .getJobManagerOwnedState());
    }

    private static long keyedStateSize(OperatorSubtaskState snapshot) {
        return snapshot.getManagedKeyedState().stream()
                        .mapToLong(KeyedStateHandle::getStateSize)
                        .sum()
                + snapshot.getRawKeyedState().stream()
                        .mapToLong(KeyedStateHandle::getStateSize)
                        .sum();
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }
}
