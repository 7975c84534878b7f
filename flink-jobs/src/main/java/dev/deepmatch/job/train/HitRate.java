package dev.deepmatch.job.train;

/**
 * Prequential hit rate (share of targets found in the top N) over the last {@code window} ranked
 * examples, and over everything since start. Written by the task thread, read by the metric
 * reporter: the published figures are volatile snapshots.
 */
final class HitRate {
    private final boolean[] ring;
    private int next;
    private int filled;
    private int hitsInWindow;
    private long hitsTotal;
    private long total;

    private volatile double recent;
    private volatile double overall;
    private volatile long ranked;

    HitRate(int window) {
        ring = new boolean[window];
    }

    void record(boolean hit) {
        if (filled == ring.length) {
            if (ring[next]) {
                hitsInWindow--;
            }
        } else {
            filled++;
        }
        ring[next] = hit;
        next = (next + 1) % ring.length;
        if (hit) {
            hitsInWindow++;
            hitsTotal++;
        }
        total++;
    }

    /** Publishes the figures; call once per batch rather than per example. */
    void publish() {
        recent = filled == 0 ? 0.0 : (double) hitsInWindow / filled;
        overall = total == 0 ? 0.0 : (double) hitsTotal / total;
        ranked = total;
    }

    /** Over the recent window; 0 before anything was ranked. */
    double recent() {
        return recent;
    }

    /** Since the operator started; 0 before anything was ranked. */
    double overall() {
        return overall;
    }

    /** Examples ranked since start, as of the last {@link #publish}. */
    long ranked() {
        return ranked;
    }
}
