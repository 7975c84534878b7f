package dev.deepmatch.model;

import dev.deepmatch.model.math.Blas;

/**
 * The successor channel of one planned batch: what tends to follow the listener's last play, as a
 * score that stays one dot product. Every item has two extra rows of width D in the item table: its
 * successor row s (what comes after it) and its arrival row o (what it looks like as the next
 * play). A sequence whose newest play is item i adds gamma * (s_i . o_j) to its score of item j,
 * where the gate gamma = softplus(w . user + b) lets the listener's state decide how much playlist
 * order counts (little in a run of skips). Served, the user vector is [user, gamma * s_i] and the
 * item vector [itemVector, o_j].
 *
 * <p>Two losses reach the rows: the main losses through the gated score, and the successor loss, a
 * sampled softmax of the ungated s_i . o over every next play, played through or not, so playlist
 * order is learned from all plays as next-item counts would be.
 *
 * <p>Created per evaluation: the main loss adds its logit gradients with {@link #addMain}, then
 * {@link #successorLoss} adds its own, and {@link #backward} turns them into gradients of the gate,
 * the user vectors and the rows.
 */
final class SuccessorChannel {
    private final BatchPlan plan;
    private final int n;
    private final int k;
    private final int d;
    private final int gate;

    /** Successor rows of each sequence's newest play, n x D. */
    private final double[] query;

    /** Arrival rows of every batch-local item, U x D. */
    private final double[] arrival;

    /** softplus argument and gate per sequence. */
    private final double[] preGate;

    final double[] gamma;

    /** Ungated successor scores: the target's (n) and the shared negatives' (n x k). */
    final double[] target;

    final double[] negative;

    // Gradients with respect to the ungated scores: for the query side and the arrival side (the
    // main negative loss may reach arrival rows only partly, as it reaches item vectors).
    private final double[] dTargetQuery;
    private final double[] dTargetArrival;
    private final double[] dNegativeQuery;
    private final double[] dNegativeArrival;
    private final double[] dGamma;

    SuccessorChannel(
            ModelConfig cfg,
            DenseLayout layout,
            BatchPlan plan,
            boolean withTargets,
            double[] emb,
            double[] users,
            double[] w) {
        this.plan = plan;
        this.n = plan.sequences();
        this.k = plan.negativeLocal.length;
        this.d = cfg.successorDim();
        this.gate = layout.successorGate;
        int h = cfg.hidden();
        int rw = cfg.rowWidth();
        int arrivalOff = cfg.itemDim();
        int successorOff = arrivalOff + d;
        int u = plan.rows.length;
        arrival = new double[u * d];
        for (int i = 0; i < u; i++) {
            System.arraycopy(emb, plan.rows[i] * rw + arrivalOff, arrival, i * d, d);
        }
        query = new double[n * d];
        preGate = new double[n];
        gamma = new double[n];
        for (int s = 0; s < n; s++) {
            System.arraycopy(
                    emb, plan.rows[plan.lastLocal[s]] * rw + successorOff, query, s * d, d);
            preGate[s] = Blas.dot(w, gate, users, s * h, h) + w[gate + h];
            gamma[s] = Objective.softplus(preGate[s]);
        }
        target = new double[n];
        negative = new double[n * k];
        if (withTargets) {
            for (int s = 0; s < n; s++) {
                target[s] = Blas.dot(query, s * d, arrival, plan.targetLocal[s] * d, d);
                for (int j = 0; j < k; j++) {
                    negative[s * k + j] =
                            Blas.dot(query, s * d, arrival, plan.negativeLocal[j] * d, d);
                }
            }
        }
        dTargetQuery = new double[n];
        dTargetArrival = new double[n];
        dNegativeQuery = new double[n * k];
        dNegativeArrival = new double[n * k];
        dGamma = new double[n];
    }

    /** The served user vector's successor part of sequence s: gamma * s_i, into out[off, off+D). */
    void servingPart(int s, double[] out, int off) {
        for (int c = 0; c < d; c++) {
            out[off + c] = gamma[s] * query[s * d + c];
        }
    }

    /**
     * Adds the main loss's gradient with respect to sequence s's gated logits: dTarget for its
     * target and dNegatives[1..k] (may be null) for the shared negatives; itemScale is the share
     * that reaches the arrival rows.
     */
    void addMain(int s, double dTarget, double[] dNegatives, double itemScale) {
        double g = gamma[s];
        dGamma[s] += dTarget * target[s];
        dTargetQuery[s] += g * dTarget;
        dTargetArrival[s] += g * dTarget * itemScale;
        if (dNegatives == null) {
            return;
        }
        for (int j = 0; j < k; j++) {
            double dl = dNegatives[j + 1];
            dGamma[s] += dl * negative[s * k + j];
            dNegativeQuery[s * k + j] += g * dl;
            dNegativeArrival[s * k + j] += g * dl * itemScale;
        }
    }

    /**
     * The successor loss: for every sequence with a target, the sampled softmax (logQ-corrected,
     * accidental hits masked) of its ungated successor scores, weighted {@code weight} per
     * sequence. Adds its gradient; returns the weighted loss.
     */
    double successorLoss(double weight) {
        if (n == 0 || weight == 0) {
            return 0;
        }
        double scale = weight / n;
        double loss = 0;
        double[] p = new double[k + 1];
        for (int s = 0; s < n; s++) {
            loss += Objective.sampledSoftmax(plan, s, target[s], negative, p) * scale;
            double dt = (p[0] - 1) * scale;
            dTargetQuery[s] += dt;
            dTargetArrival[s] += dt;
            for (int j = 0; j < k; j++) {
                double dl = p[j + 1] * scale;
                dNegativeQuery[s * k + j] += dl;
                dNegativeArrival[s * k + j] += dl;
            }
        }
        return loss;
    }

    /**
     * Gradients of everything added so far: the gate's weights into gDense (may be null), the user
     * vectors into dUsers, the arrival and successor rows into rowGrads (U x rowWidth, at their
     * columns).
     */
    void backward(
            ModelConfig cfg,
            double[] users,
            double[] w,
            double[] gDense,
            double[] dUsers,
            double[] rowGrads) {
        int h = cfg.hidden();
        int rw = cfg.rowWidth();
        int arrivalOff = cfg.itemDim();
        int successorOff = arrivalOff + d;
        for (int s = 0; s < n; s++) {
            double da = dGamma[s] * Objective.sigmoid(preGate[s]);
            Blas.axpy(da, w, gate, dUsers, s * h, h);
            if (gDense != null) {
                Blas.axpy(da, users, s * h, gDense, gate, h);
                gDense[gate + h] += da;
            }
            int q = plan.lastLocal[s] * rw + successorOff;
            int t = plan.targetLocal[s];
            Blas.axpy(dTargetQuery[s], arrival, t * d, rowGrads, q, d);
            Blas.axpy(dTargetArrival[s], query, s * d, rowGrads, t * rw + arrivalOff, d);
            for (int j = 0; j < k; j++) {
                int neg = plan.negativeLocal[j];
                Blas.axpy(dNegativeQuery[s * k + j], arrival, neg * d, rowGrads, q, d);
                Blas.axpy(
                        dNegativeArrival[s * k + j],
                        query,
                        s * d,
                        rowGrads,
                        neg * rw + arrivalOff,
                        d);
            }
        }
    }
}
