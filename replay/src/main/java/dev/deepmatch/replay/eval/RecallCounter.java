package dev.deepmatch.replay.eval;

import java.util.Arrays;

/**
 * POS@N and NEG@N of a stream of ranked examples: among examples whose target was well played (rate
 * >= posThreshold), the share ranked within the top N; the same for skipped targets (rate <
 * negThreshold). Examples in between count for neither.
 */
public final class RecallCounter {
    private final int[] ns;
    private final double posThreshold;
    private final double negThreshold;
    private final long[] posHits;
    private final long[] negHits;
    private long positives;
    private long negatives;
    private long examples;

    public RecallCounter(int[] ns, double posThreshold, double negThreshold) {
        this.ns = ns.clone();
        this.posThreshold = posThreshold;
        this.negThreshold = negThreshold;
        this.posHits = new long[ns.length];
        this.negHits = new long[ns.length];
    }

    /**
     * @param rank 0-based rank of the target, or -1 if it was not among the ranked items
     */
    public void add(int rank, double targetRate) {
        examples++;
        if (targetRate >= posThreshold) {
            positives++;
            count(rank, posHits);
        } else if (targetRate < negThreshold) {
            negatives++;
            count(rank, negHits);
        }
    }

    private void count(int rank, long[] hits) {
        for (int i = 0; i < ns.length; i++) {
            if (rank >= 0 && rank < ns[i]) {
                hits[i]++;
            }
        }
    }

    public int[] ns() {
        return ns.clone();
    }

    /** POS@ns[i]; NaN while no positive example was seen. */
    public double pos(int i) {
        return (double) posHits[i] / positives;
    }

    /** NEG@ns[i]; NaN while no negative example was seen. */
    public double neg(int i) {
        return (double) negHits[i] / negatives;
    }

    public long positives() {
        return positives;
    }

    public long negatives() {
        return negatives;
    }

    public long examples() {
        return examples;
    }

    /** e.g. {@code POS@10=0.1530 NEG@10=0.1350 POS@50=0.4560 NEG@50=0.4570}. */
    public String figures() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ns.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append("POS@").append(ns[i]).append('=').append(format(pos(i)));
            sb.append(" NEG@").append(ns[i]).append('=').append(format(neg(i)));
        }
        return sb.toString();
    }

    static String format(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    @Override
    public String toString() {
        return figures() + " " + Arrays.toString(ns);
    }
}
