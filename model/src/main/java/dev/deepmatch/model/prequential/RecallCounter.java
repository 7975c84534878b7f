package dev.deepmatch.model.prequential;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * POS@N and NEG@N of a stream of ranked examples, the one counter the job and the replay use: among
 * examples whose target was well played (rate at least the positive threshold), the share ranked
 * within the top N; the same for skipped targets (rate below the negative threshold). Examples in
 * between count for neither.
 *
 * <p>Each figure is kept since the start and, with a recent window of W, over the last W positive
 * (respectively negative) examples. Not thread-safe.
 */
public final class RecallCounter {
    private final int[] ns;
    private final double posThreshold;
    private final double negThreshold;
    private final Tally positives;
    private final Tally negatives;
    private long examples;

    /**
     * @param ns the N of POS@N / NEG@N, ascending
     * @param recentWindow W of the recent figures; 0 keeps only the figures since the start
     */
    public RecallCounter(int[] ns, double posThreshold, double negThreshold, int recentWindow) {
        if (ns.length == 0 || recentWindow < 0) {
            throw new IllegalArgumentException("needs at least one N and a window of at least 0");
        }
        this.ns = ns.clone();
        this.posThreshold = posThreshold;
        this.negThreshold = negThreshold;
        this.positives = new Tally(ns, recentWindow);
        this.negatives = new Tally(ns, recentWindow);
    }

    /**
     * @param rank 0-based rank of the target, or -1 if it was not among the ranked items
     */
    public void add(int rank, double targetRate) {
        examples++;
        if (targetRate >= posThreshold) {
            positives.add(rank);
        } else if (targetRate < negThreshold) {
            negatives.add(rank);
        }
    }

    public int[] ns() {
        return ns.clone();
    }

    /** POS@ns[i] since the start; NaN while no positive example was seen. */
    public double pos(int i) {
        return positives.total(i);
    }

    /** NEG@ns[i] since the start; NaN while no negative example was seen. */
    public double neg(int i) {
        return negatives.total(i);
    }

    /** POS@ns[i] over the recent window of positives; NaN while none. */
    public double recentPos(int i) {
        return positives.recent(i);
    }

    /** NEG@ns[i] over the recent window of negatives; NaN while none. */
    public double recentNeg(int i) {
        return negatives.recent(i);
    }

    public long positives() {
        return positives.count;
    }

    public long negatives() {
        return negatives.count;
    }

    /**
     * The counts behind the figures since the start, by name ({@code examples}, {@code positives},
     * {@code positiveHits@N}, and the same for negatives): what a restart must keep for them to
     * continue. The recent window is not part of it.
     */
    public Map<String, Long> totals() {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("examples", examples);
        t.put("positives", positives.count);
        t.put("negatives", negatives.count);
        for (int i = 0; i < ns.length; i++) {
            t.put("positiveHits@" + ns[i], positives.hits[i]);
            t.put("negativeHits@" + ns[i], negatives.hits[i]);
        }
        return t;
    }

    /** Adds {@link #totals()} of an earlier run (a restored checkpoint); missing names count 0. */
    public void addTotals(Map<String, Long> earlier) {
        examples += earlier.getOrDefault("examples", 0L);
        positives.count += earlier.getOrDefault("positives", 0L);
        negatives.count += earlier.getOrDefault("negatives", 0L);
        for (int i = 0; i < ns.length; i++) {
            positives.hits[i] += earlier.getOrDefault("positiveHits@" + ns[i], 0L);
            negatives.hits[i] += earlier.getOrDefault("negativeHits@" + ns[i], 0L);
        }
    }

    /** Every example added, neutral ones included. */
    public long examples() {
        return examples;
    }

    /** e.g. {@code POS@10=0.1530 NEG@10=0.1350 POS@50=0.4560 NEG@50=0.4570}, since the start. */
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

    /** Four decimals, or NaN. */
    public static String format(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Hits of one kind of target, since the start and over a ring of the last ranks. */
    private static final class Tally {
        private final int[] ns;
        private final long[] hits;
        private final int[] ring;
        private final int[] recentHits;
        private long count;
        private int next;
        private int filled;

        Tally(int[] ns, int window) {
            this.ns = ns;
            this.hits = new long[ns.length];
            this.ring = new int[window];
            this.recentHits = new int[ns.length];
        }

        void add(int rank) {
            count++;
            for (int i = 0; i < ns.length; i++) {
                if (isHit(rank, i)) {
                    hits[i]++;
                }
            }
            if (ring.length == 0) {
                return;
            }
            if (filled == ring.length) {
                int leaving = ring[next];
                for (int i = 0; i < ns.length; i++) {
                    if (isHit(leaving, i)) {
                        recentHits[i]--;
                    }
                }
            } else {
                filled++;
            }
            ring[next] = rank;
            next = (next + 1) % ring.length;
            for (int i = 0; i < ns.length; i++) {
                if (isHit(rank, i)) {
                    recentHits[i]++;
                }
            }
        }

        private boolean isHit(int rank, int i) {
            return rank >= 0 && rank < ns[i];
        }

        double total(int i) {
            return (double) hits[i] / count;
        }

        double recent(int i) {
            return (double) recentHits[i] / filled;
        }
    }
}
