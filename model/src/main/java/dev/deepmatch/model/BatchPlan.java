package dev.deepmatch.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mini-batch resolved against the catalogue: every item it uses (history, targets, sampled
 * negatives) appears once in {@link #rows}, so its vector is gathered once and its gradient
 * scatter-added once; histories are packed into chunks that can run on separate threads.
 */
final class BatchPlan {
    static final int NONE = 0;
    static final int POSITIVE = 1;
    static final int NEGATIVE = -1;

    /** Catalogue rows used by the batch; batch-local index i stands for rows[i]. */
    final int[] rows;

    final SequenceChunk[] chunks;

    /** For each packed sequence, the index of its example in the original batch. */
    final int[] exampleIndex;

    /** For each packed sequence, the batch-local index of its newest play's item. */
    final int[] lastLocal;

    /** For each packed sequence, the play rate of its newest play. */
    final double[] lastRate;

    final int[] targetLocal;
    final int[] targetRow;
    final double[] targetLogQ;
    final int[] label;

    final int[] negativeLocal;
    final int[] negativeRow;
    final double[] negativeLogQ;

    private BatchPlan(Builder b) {
        rows = b.rows.stream().mapToInt(Integer::intValue).toArray();
        chunks = b.chunks;
        exampleIndex = b.exampleIndex;
        lastLocal = b.lastLocal;
        lastRate = b.lastRate;
        targetLocal = b.targetLocal;
        targetRow = b.targetRow;
        targetLogQ = b.targetLogQ;
        label = b.label;
        negativeLocal = b.negativeLocal;
        negativeRow = b.negativeRow;
        negativeLogQ = b.negativeLogQ;
    }

    int sequences() {
        return exampleIndex.length;
    }

    /**
     * Resolves histories (and optionally targets) to catalogue rows. Plays of items the catalogue
     * does not hold are left out of histories; an example whose history is then empty is left out.
     *
     * @param localOf scratch of at least catalogue size, all -1; restored to all -1 on return
     */
    static Builder builder(ModelConfig cfg, ItemTable items, int[] localOf) {
        return new Builder(cfg, items, localOf);
    }

    static final class Builder {
        private final ModelConfig cfg;
        private final ItemTable items;
        private final int[] localOf;
        private final List<Integer> rows = new ArrayList<>();
        private SequenceChunk[] chunks;
        private int[] exampleIndex;
        private int[] lastLocal;
        private double[] lastRate;
        private int[] targetLocal;
        private int[] targetRow;
        private double[] targetLogQ;
        private int[] label;
        private int[] negativeLocal = new int[0];
        private int[] negativeRow = new int[0];
        private double[] negativeLogQ = new double[0];

        Builder(ModelConfig cfg, ItemTable items, int[] localOf) {
            this.cfg = cfg;
            this.items = items;
            this.localOf = localOf;
        }

        private int local(int row) {
            if (localOf[row] < 0) {
                localOf[row] = rows.size();
                rows.add(row);
            }
            return localOf[row];
        }

        /**
         * Packs the histories into chunks of similar token counts: about {@code chunkTokens} each,
         * and the same number for each of {@code workers}.
         *
         * @param withTargets also resolve targets and labels; examples whose target is unknown are
         *     then left out
         */
        Builder examples(List<Example> batch, boolean withTargets, int workers, int chunkTokens) {
            int l = cfg.windowLength();
            int[][] histRows = new int[batch.size()][];
            int[] usable = new int[batch.size()];
            int count = 0;
            long totalTokens = 0;
            for (int e = 0; e < batch.size(); e++) {
                Example ex = batch.get(e);
                if (withTargets && items.rowOf(ex.targetItem()) < 0) {
                    continue;
                }
                int[] hr = new int[Math.min(l, ex.historyLength())];
                int n = 0;
                for (int i = ex.historyLength() - 1; i >= 0 && n < hr.length; i--) {
                    int r = items.rowOf(ex.historyItem(i));
                    if (r >= 0) {
                        hr[hr.length - 1 - n++] = i; // example positions, newest last
                    }
                }
                if (n == 0) {
                    continue;
                }
                histRows[e] = Arrays.copyOfRange(hr, hr.length - n, hr.length);
                usable[count++] = e;
                totalTokens += n;
            }
            exampleIndex = Arrays.copyOf(usable, count);
            lastLocal = new int[count];
            lastRate = new double[count];
            targetLocal = new int[count];
            targetRow = new int[count];
            targetLogQ = new double[count];
            label = new int[count];

            long wanted = Math.max(workers, (totalTokens + chunkTokens - 1) / chunkTokens);
            wanted = (wanted + workers - 1) / workers * workers;
            int nParts = (int) Math.max(1, Math.min(wanted, count));
            chunks = new SequenceChunk[nParts];
            int seq = 0;
            long tokensDone = 0;
            for (int p = 0; p < nParts; p++) {
                long goal = totalTokens * (p + 1) / nParts;
                int leaveForLater = nParts - 1 - p;
                int first = seq;
                int tokens = 0;
                while (seq < count - leaveForLater
                        && (seq == first || tokensDone + tokens < goal)) {
                    tokens += histRows[exampleIndex[seq]].length;
                    seq++;
                }
                tokensDone += tokens;
                chunks[p] = fill(batch, histRows, first, seq, tokens, withTargets);
            }
            return this;
        }

        private SequenceChunk fill(
                List<Example> batch,
                int[][] histRows,
                int from,
                int to,
                int tokens,
                boolean withTargets) {
            SequenceChunk c = new SequenceChunk(to - from, tokens);
            int t = 0;
            for (int s = from; s < to; s++) {
                Example ex = batch.get(exampleIndex[s]);
                int[] hist = histRows[exampleIndex[s]];
                c.start[s - from] = t;
                for (int i = 0; i < hist.length; i++) {
                    int pos = hist[i];
                    c.item[t] = local(items.rowOf(ex.historyItem(pos)));
                    c.rate[t] = ex.historyRate(pos);
                    c.intent[t] = Math.floorMod(ex.historyIntent(pos), cfg.intentTypes());
                    c.position[t] = cfg.windowLength() - hist.length + i;
                    t++;
                }
                lastLocal[s] = c.item[t - 1];
                lastRate[s] = c.rate[t - 1];
                if (withTargets) {
                    int row = items.rowOf(ex.targetItem());
                    targetRow[s] = row;
                    targetLocal[s] = local(row);
                    targetLogQ[s] = Math.log(items.sampler.probability(row));
                    label[s] =
                            cfg.isPositive(ex.targetRate())
                                    ? POSITIVE
                                    : cfg.isNegative(ex.targetRate()) ? NEGATIVE : NONE;
                }
            }
            c.start[to - from] = t;
            return c;
        }

        /** Shared negatives for the sampled softmax (one draw per column, with replacement). */
        Builder negatives(int[] sampledRows) {
            negativeRow = sampledRows.clone();
            negativeLocal = new int[sampledRows.length];
            negativeLogQ = new double[sampledRows.length];
            for (int k = 0; k < sampledRows.length; k++) {
                negativeLocal[k] = local(sampledRows[k]);
                negativeLogQ[k] = Math.log(items.sampler.probability(sampledRows[k]));
            }
            return this;
        }

        BatchPlan build() {
            for (int r : rows) {
                localOf[r] = -1;
            }
            return new BatchPlan(this);
        }
    }
}
