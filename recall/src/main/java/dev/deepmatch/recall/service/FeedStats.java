package dev.deepmatch.recall.service;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** What the feed applied, refused and skipped, for {@code /v1/status}. Thread-safe. */
final class FeedStats {
    final AtomicLong itemsApplied = new AtomicLong();
    final AtomicLong itemsStale = new AtomicLong();
    final AtomicLong itemTombstones = new AtomicLong();
    final AtomicLong fullRefreshRecords = new AtomicLong();
    final AtomicLong usersApplied = new AtomicLong();
    final AtomicLong usersStale = new AtomicLong();
    final AtomicLong userTombstones = new AtomicLong();
    final AtomicLong badRecords = new AtomicLong();
    final AtomicLong newestItemEmittedAt = new AtomicLong();
    final AtomicLong newestUserEmittedAt = new AtomicLong();
    final AtomicLong lastFullRefreshVersion = new AtomicLong(-1);
    volatile String lastBadReason = "";

    /** Arrival of the newest play in Kafka to its user vector applied here, last 10,000. */
    private final long[] playToApplied = new long[10_000];

    private int next;
    private int size;

    synchronized void playToApplied(long millis) {
        playToApplied[next] = millis;
        next = (next + 1) % playToApplied.length;
        size = Math.min(size + 1, playToApplied.length);
    }

    /** The p-quantile (0..1) of the recent play-to-applied delays; -1 before any. */
    synchronized long playToAppliedQuantile(double p) {
        if (size == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(playToApplied, size);
        Arrays.sort(sorted);
        return sorted[(int) Math.min(size - 1, Math.floor(p * size))];
    }
}
