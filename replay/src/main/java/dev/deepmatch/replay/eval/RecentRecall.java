package dev.deepmatch.replay.eval;

/**
 * POS@N and NEG@N over the last {@code window} examples, for learning curves: the cumulative
 * figures move slowly late in a long stream and hide what the learner does now.
 */
public final class RecentRecall {
    private static final byte OTHER = 0;
    private static final byte POSITIVE = 1;
    private static final byte NEGATIVE = 2;

    private final int n;
    private final double posThreshold;
    private final double negThreshold;
    private final byte[] kind;
    private final boolean[] hit;
    private int next;
    private int size;
    private int positives;
    private int negatives;
    private int posHits;
    private int negHits;

    public RecentRecall(int n, int window, double posThreshold, double negThreshold) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        this.n = n;
        this.posThreshold = posThreshold;
        this.negThreshold = negThreshold;
        this.kind = new byte[window];
        this.hit = new boolean[window];
    }

    public void add(int rank, double targetRate) {
        if (size == kind.length) {
            remove(next);
        } else {
            size++;
        }
        byte k =
                targetRate >= posThreshold
                        ? POSITIVE
                        : targetRate < negThreshold ? NEGATIVE : OTHER;
        boolean h = rank >= 0 && rank < n;
        kind[next] = k;
        hit[next] = h;
        if (k == POSITIVE) {
            positives++;
            posHits += h ? 1 : 0;
        } else if (k == NEGATIVE) {
            negatives++;
            negHits += h ? 1 : 0;
        }
        next = (next + 1) % kind.length;
    }

    private void remove(int slot) {
        if (kind[slot] == POSITIVE) {
            positives--;
            posHits -= hit[slot] ? 1 : 0;
        } else if (kind[slot] == NEGATIVE) {
            negatives--;
            negHits -= hit[slot] ? 1 : 0;
        }
    }

    public double pos() {
        return (double) posHits / positives;
    }

    public double neg() {
        return (double) negHits / negatives;
    }
}
