package dev.deepmatch.model;

/** How a skipped target pushes the user vector away. Both are sigmoid cross-entropy to label 0. */
public enum NegativeLoss {
    /**
     * On the raw score u.v: pushes every skipped item down whatever its rank, as in the PyTorch
     * reference; strong weights drag frequently skipped items away from all users.
     */
    ABSOLUTE,
    /**
     * On the score relative to an average sampled item: target logit minus the log of the mean
     * exp-logit of the shared negatives (both logQ-corrected). It pushes a skipped item until it is
     * no more likely than a typical item, then fades, so it lowers NEG@N without flattening the
     * ranking.
     */
    RELATIVE
}
