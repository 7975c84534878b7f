package dev.deepmatch.model.prequential;

import java.io.Serializable;

/**
 * Decides whether the model's vectors may be published, from its prequential figures: recent POS@10
 * / NEG@10 (the last {@link Rule#window} positives and negatives ranked) against their trailing
 * level (an exponential average over about {@link Rule#trailing} of them). A poisoned or broken
 * stream drags the recent figures down first; the gate then holds publication at the last good
 * version and lets it go once the recent figures are back near the trailing level. The trailing
 * level stops moving while publication is held, so the bad stream cannot lower the bar it is judged
 * against.
 *
 * <p>Not thread-safe: the trainer's task thread feeds it; {@link #held()} and the levels may be
 * read from the metric reporter's thread (volatile).
 */
public final class QualityGate {

    /**
     * @param window positives (and negatives) each in the recent figures
     * @param trailing horizon of the trailing level, in positives (and negatives)
     * @param warmUp positives ranked before the gate judges at all
     * @param posDrop holds when recent POS@10 < trailing x (1 - posDrop); resumes at or above
     *     trailing x (1 - posDrop / 2)
     * @param negRise holds when recent NEG@10 > trailing + negRise; resumes at or below trailing +
     *     negRise / 2
     */
    public record Rule(int window, int trailing, int warmUp, double posDrop, double negRise)
            implements Serializable {
        public Rule {
            if (window < 1 || trailing < 1 || warmUp < 0) {
                throw new IllegalArgumentException(
                        "gate window and trailing must be positive, warm-up at least 0");
            }
            if (!(posDrop >= 0 && posDrop <= 1) || !(negRise >= 0 && negRise <= 1)) {
                throw new IllegalArgumentException("gate thresholds must be in [0, 1]");
            }
        }
    }

    /** What changed with the last {@link #judge()}. */
    public enum Transition {
        NONE,
        HOLD,
        RESUME
    }

    private final Rule rule;
    private final Ring recentPos;
    private final Ring recentNeg;
    private double trailingPos = Double.NaN;
    private double trailingNeg = Double.NaN;
    private long positives;
    private long trailingPosCount;
    private long trailingNegCount;
    private volatile boolean held;
    private volatile double lastRecentPos = Double.NaN;
    private volatile double lastRecentNeg = Double.NaN;

    public QualityGate(Rule rule) {
        this.rule = rule;
        this.recentPos = new Ring(rule.window());
        this.recentNeg = new Ring(rule.window());
    }

    /** One ranked example: a positive (well played) or a negative (skipped) target and a hit. */
    public void add(boolean positive, boolean inTop10) {
        double hit = inTop10 ? 1.0 : 0.0;
        if (positive) {
            positives++;
            recentPos.add(inTop10);
            if (!held) {
                trailingPosCount++;
                trailingPos = average(trailingPos, hit, trailingPosCount);
            }
        } else {
            recentNeg.add(inTop10);
            if (!held) {
                trailingNegCount++;
                trailingNeg = average(trailingNeg, hit, trailingNegCount);
            }
        }
    }

    /** The running mean of the first {@code trailing} values, an exponential average after. */
    private double average(double level, double value, long count) {
        if (count == 1) {
            return value;
        }
        return level + (value - level) / Math.min(count, rule.trailing());
    }

    /** Looks at the figures after a batch: whether publication is now held or resumes. */
    public Transition judge() {
        lastRecentPos = recentPos.mean();
        lastRecentNeg = recentNeg.mean();
        if (positives < rule.warmUp() || !recentPos.full()) {
            return Transition.NONE;
        }
        double pos = lastRecentPos;
        double neg = recentNeg.full() ? lastRecentNeg : Double.NaN;
        if (!held) {
            boolean posBad = pos < trailingPos * (1 - rule.posDrop());
            boolean negBad = !Double.isNaN(neg) && neg > trailingNeg + rule.negRise();
            if (posBad || negBad) {
                held = true;
                return Transition.HOLD;
            }
            return Transition.NONE;
        }
        boolean posOk = pos >= trailingPos * (1 - rule.posDrop() / 2);
        boolean negOk = Double.isNaN(neg) || neg <= trailingNeg + rule.negRise() / 2;
        if (posOk && negOk) {
            held = false;
            return Transition.RESUME;
        }
        return Transition.NONE;
    }

    public boolean held() {
        return held;
    }

    public double recentPos() {
        return lastRecentPos;
    }

    public double recentNeg() {
        return lastRecentNeg;
    }

    public double trailingPos() {
        return trailingPos;
    }

    public double trailingNeg() {
        return trailingNeg;
    }

    /** Why the gate holds (or would), for the log line an alert can use. */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "recent POS@10 %.4f against trailing %.4f (holds below %.4f), recent NEG@10 %.4f"
                        + " against trailing %.4f (holds above %.4f)",
                lastRecentPos,
                trailingPos,
                trailingPos * (1 - rule.posDrop()),
                lastRecentNeg,
                trailingNeg,
                trailingNeg + rule.negRise());
    }

    /** The state a restore needs: the trailing levels, the positives seen and whether held. */
    public double[] snapshot() {
        return new double[] {trailingPos, trailingNeg, positives, held ? 1 : 0};
    }

    /**
     * Continues from a {@link #snapshot()}. The recent windows start empty, so the gate judges
     * again once a window of new examples was ranked; until then it stays as it was.
     */
    public void restore(double[] state) {
        trailingPos = state[0];
        trailingNeg = state[1];
        positives = (long) state[2];
        held = state[3] != 0;
        // the levels rest on at least a trailing horizon's worth once warmed up
        trailingPosCount = trailingNegCount = Math.max(positives, 1);
    }

    /** The last n outcomes and their mean. */
    private static final class Ring {
        private final boolean[] values;
        private int next;
        private int size;
        private int hits;

        Ring(int n) {
            values = new boolean[n];
        }

        void add(boolean v) {
            if (size == values.length) {
                hits -= values[next] ? 1 : 0;
            } else {
                size++;
            }
            values[next] = v;
            hits += v ? 1 : 0;
            next = (next + 1) % values.length;
        }

        boolean full() {
            return size == values.length;
        }

        double mean() {
            return size == 0 ? Double.NaN : (double) hits / size;
        }
    }
}
