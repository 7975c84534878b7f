package dev.deepmatch.model;

/**
 * What one call to {@link DeepMatchModel#train} did.
 *
 * @param positiveLoss mean sampled-softmax loss over well-played targets (NaN if none)
 * @param negativeLoss mean sigmoid cross-entropy over skipped targets, before weighting (NaN if
 *     none)
 * @param positives examples trained with the sampled softmax
 * @param negatives examples trained with the sigmoid loss
 * @param nextItemLoss the next-item head's term as added to the objective (weighted, per positive
 *     example of the batch); 0 with the head off, NaN if nothing was trained
 * @param admittedItems item ids added to the catalogue by this batch
 * @param stepNanos wall time of the whole call
 */
public record TrainStats(
        double positiveLoss,
        double negativeLoss,
        int positives,
        int negatives,
        double nextItemLoss,
        int admittedItems,
        long stepNanos) {}
