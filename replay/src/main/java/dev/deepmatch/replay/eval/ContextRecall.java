package dev.deepmatch.replay.eval;

import dev.deepmatch.model.prequential.RecallCounter;

/**
 * POS@N and NEG@N split by what happened to the play just before the target: skipped (rate below
 * the negative threshold) or not. Skips come in runs, so the two contexts trade POS for NEG very
 * differently; the split shows where a model gains or pays.
 */
public record ContextRecall(RecallCounter afterPlay, RecallCounter afterSkip) {

    /** e.g. {@code after a play: POS@10=... (positives=45375) ...; after a skip: ...}. */
    public String describe() {
        return "after a play: " + part(afterPlay) + "; after a skip: " + part(afterSkip);
    }

    private static String part(RecallCounter c) {
        return c.figures() + " (positives=" + c.positives() + " negatives=" + c.negatives() + ")";
    }
}
