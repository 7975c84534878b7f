package dev.deepmatch.tools.local;

import static dev.deepmatch.job.LearnerMetrics.*;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One reading of the job's metrics, as the local launcher prints and judges them. Counters are
 * summed over subtasks; figures not published yet read as 0 (NaN for the POS@50 / NEG@50 totals,
 * which only a job that ranks the top 50 publishes).
 */
public record Progress(
        long millis,
        long eventsIn,
        long invalid,
        long playsHandled,
        long examplesOut,
        long examplesIn,
        long pendingExamples,
        double positiveLoss,
        double negativeLoss,
        double pos10,
        double neg10,
        double pos10Total,
        double neg10Total,
        double pos50Total,
        double neg50Total,
        long modelVersion,
        long catalogueSize,
        long vectorsEmitted) {

    /** The short metric names {@link #of} reads, as published by the job's operators. */
    public static final Set<String> METRICS =
            Set.of(
                    EVENTS_IN,
                    INVALID_EVENTS_TOTAL,
                    PLAYS_ACCEPTED,
                    LATE_PLAYS_DROPPED,
                    DUPLICATE_PLAYS_DROPPED,
                    EXAMPLES_OUT,
                    EXAMPLES_IN,
                    PENDING_EXAMPLES,
                    POSITIVE_LOSS,
                    NEGATIVE_LOSS,
                    POS10,
                    NEG10,
                    POS10_TOTAL,
                    NEG10_TOTAL,
                    POS50_TOTAL,
                    NEG50_TOTAL,
                    POS10_HITS,
                    NEG10_HITS,
                    POS50_HITS,
                    NEG50_HITS,
                    POSITIVES_RANKED,
                    NEGATIVES_RANKED,
                    MODEL_VERSION,
                    CATALOGUE_SIZE,
                    VECTORS_EMITTED);

    public static Progress of(long millis, Map<String, Double> m) {
        return new Progress(
                millis,
                count(m, EVENTS_IN),
                count(m, INVALID_EVENTS_TOTAL),
                count(m, PLAYS_ACCEPTED)
                        + count(m, LATE_PLAYS_DROPPED)
                        + count(m, DUPLICATE_PLAYS_DROPPED),
                count(m, EXAMPLES_OUT),
                count(m, EXAMPLES_IN),
                count(m, PENDING_EXAMPLES),
                m.getOrDefault(POSITIVE_LOSS, 0.0),
                m.getOrDefault(NEGATIVE_LOSS, 0.0),
                m.getOrDefault(POS10, 0.0),
                m.getOrDefault(NEG10, 0.0),
                total(m, POS10_HITS, POSITIVES_RANKED, POS10_TOTAL, 0.0),
                total(m, NEG10_HITS, NEGATIVES_RANKED, NEG10_TOTAL, 0.0),
                total(m, POS50_HITS, POSITIVES_RANKED, POS50_TOTAL, Double.NaN),
                total(m, NEG50_HITS, NEGATIVES_RANKED, NEG50_TOTAL, Double.NaN),
                count(m, MODEL_VERSION),
                count(m, CATALOGUE_SIZE),
                count(m, VECTORS_EMITTED));
    }

    /**
     * Whether every event counted in has gone all the way through: handled by the window function
     * (or rejected), and every example it made was received and ranked by the trainer.
     */
    public boolean drained() {
        return playsHandled == eventsIn - invalid
                && examplesIn == examplesOut
                && pendingExamples == 0;
    }

    /** Same counts as {@code other}: nothing moved between two readings. */
    public boolean sameCounts(Progress other) {
        return other != null
                && eventsIn == other.eventsIn
                && playsHandled == other.playsHandled
                && examplesIn == other.examplesIn
                && examplesOut == other.examplesOut
                && pendingExamples == other.pendingExamples
                && modelVersion == other.modelVersion;
    }

    /** A progress line; {@code previous} (may be null) gives the rate. */
    public String line(Progress previous, long produced) {
        double seconds = millis / 1000.0;
        double rate =
                previous == null || millis == previous.millis
                        ? eventsIn / Math.max(seconds, 1e-3)
                        : (eventsIn - previous.eventsIn) * 1000.0 / (millis - previous.millis);
        return String.format(
                Locale.ROOT,
                "[%5.0fs] events=%d events/s=%.0f lag=%d invalid=%d loss+=%.4f loss-=%.4f"
                        + " POS@10=%.4f NEG@10=%.4f version=%d catalogue=%d vectors=%d",
                seconds,
                eventsIn,
                rate,
                Math.max(0, produced - eventsIn),
                invalid,
                positiveLoss,
                negativeLoss,
                pos10,
                neg10,
                modelVersion,
                catalogueSize,
                vectorsEmitted);
    }

    /**
     * The replay command's result line plus {@code vectors=N}: {@code POS@10=... NEG@10=...
     * POS@50=... NEG@50=... events=N seconds=S vectors=N}.
     */
    public String finalLine(double seconds) {
        return String.format(
                Locale.ROOT,
                "POS@10=%s NEG@10=%s POS@50=%s NEG@50=%s events=%d seconds=%.1f vectors=%d",
                figure(pos10Total),
                figure(neg10Total),
                figure(pos50Total),
                figure(neg50Total),
                eventsIn,
                seconds,
                vectorsEmitted);
    }

    private static String figure(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * A figure since start over all trainers: their hits over their ranked targets; a lone
     * trainer's own figure where the hits are not published.
     */
    private static double total(
            Map<String, Double> m, String hits, String ranked, String figure, double none) {
        Double h = m.get(hits);
        Double r = m.get(ranked);
        if (h != null && r != null && r > 0) {
            return h / r;
        }
        return m.getOrDefault(figure, none);
    }

    private static long count(Map<String, Double> m, String name) {
        return Math.round(m.getOrDefault(name, 0.0));
    }
}
