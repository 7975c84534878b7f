package dev.deepmatch.model;

/** How a skipped target pushes the user vector away. Both are sigmoid cross-entropy to label 0. */
public enum NegativeLoss {
    /**
     * On the raw score u.v: pushes every skipped item down whatever its rank, as in the PyTorch
     * reference; strong weights drag frequently skipped items away from all users.
     */
    ABSOLUTE,
    /**
     * On the score relative to the sampled softmax (logQ-corrected, minus the log-sum-exp of the
     * shared negatives): -log(1 - p(skipped item)). Its gradient fades once the item is no longer a
     * likely recommendation, so it lowers NEG@N without flattening the ranking.
     */
    RELATIVE
}
