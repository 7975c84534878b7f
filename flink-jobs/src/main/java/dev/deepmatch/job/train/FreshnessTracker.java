package dev.deepmatch.job.train;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * How long a play takes from its arrival in Kafka to a vector it changed being visible to a {@code
 * read_committed} consumer. A trained play's changes leave with the next emission of changed
 * vectors; the emission is in the transaction of the next checkpoint barrier; that transaction
 * commits when the checkpoint completes. So arrival times move from trained, to emitted, to
 * awaiting one checkpoint id, and are measured when a checkpoint of that id or later completes (an
 * aborted checkpoint's transaction commits with the next one). Not thread-safe: the trainer's task
 * thread owns it.
 */
final class FreshnessTracker {
    /** Arrivals kept per stage; beyond it later plays are not sampled until the stage drains. */
    static final int MAX_PER_STAGE = 50_000;

    /** Checkpoints awaited at most; more pending barriers fold into the newest. */
    static final int MAX_AWAITING = 8;

    private final Stage trained = new Stage();
    private Stage emitted = new Stage();
    private final ArrayDeque<Awaiting> awaiting = new ArrayDeque<>();

    private record Awaiting(long checkpointId, Stage arrivals) {}

    /** A play trained, with its arrival time; ignored when unknown (0 or negative). */
    void trained(long arrivalMillis) {
        if (arrivalMillis > 0) {
            trained.add(arrivalMillis);
        }
    }

    /** Changed vectors were emitted: every play trained so far is in them. */
    void emitted() {
        emitted.addAll(trained);
        trained.clear();
    }

    /** The barrier of {@code checkpointId} passes: emitted vectors are in its transaction. */
    void barrier(long checkpointId) {
        if (emitted.size == 0) {
            return;
        }
        if (awaiting.size() >= MAX_AWAITING) {
            // Checkpoints keep failing: fold into the newest, measured at this later id (late
            // rather than early, so an alert on the figure still fires).
            Stage newest = awaiting.pollLast().arrivals();
            newest.addAll(emitted);
            emitted.clear();
            awaiting.add(new Awaiting(checkpointId, newest));
            return;
        }
        awaiting.add(new Awaiting(checkpointId, emitted));
        emitted = new Stage();
    }

    /** Checkpoint {@code checkpointId} completed at {@code nowMillis}: its vectors are visible. */
    void completed(long checkpointId, long nowMillis, LongConsumer freshnessMillis) {
        while (!awaiting.isEmpty() && awaiting.peek().checkpointId() <= checkpointId) {
            Stage s = awaiting.poll().arrivals();
            for (int i = 0; i < s.size; i++) {
                freshnessMillis.accept(Math.max(0, nowMillis - s.values[i]));
            }
        }
    }

    /** Arrivals held in all stages (bounded by {@link #MAX_PER_STAGE} per stage). */
    int held() {
        int n = trained.size + emitted.size;
        for (Awaiting a : awaiting) {
            n += a.arrivals().size;
        }
        return n;
    }

    private static final class Stage {
        long[] values = new long[64];
        int size;

        void add(long v) {
            if (size == MAX_PER_STAGE) {
                return;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.min(MAX_PER_STAGE, 2 * size));
            }
            values[size++] = v;
        }

        void addAll(Stage other) {
            for (int i = 0; i < other.size; i++) {
                add(other.values[i]);
            }
        }

        void clear() {
            size = 0;
        }
    }
}
