package dev.deepmatch.replay.eval;

import dev.deepmatch.model.prequential.RecallCounter;
import java.util.List;

/**
 * What a replay measured for one learner.
 *
 * @param byContext the same figures split by the feedback on the play before the target
 * @param seconds the learner's own ranking and learning time plus the shared reading time
 */
public record LearnerResult(
        String name,
        RecallCounter recall,
        ContextRecall byContext,
        long events,
        double seconds,
        List<CurvePoint> curve) {

    /** {@code POS@10=... NEG@10=... POS@50=... NEG@50=... events=N seconds=S}. */
    public String line() {
        return recall.figures()
                + " events="
                + events
                + " seconds="
                + String.format(java.util.Locale.ROOT, "%.1f", seconds);
    }
}
