package dev.deepmatch.model;

import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.math.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The summed loss of a planned batch and its exact gradient: sampled softmax with logQ correction
 * over the target and shared negatives for well-played targets, plus weighted sigmoid cross-entropy
 * pushing the user vector away from skipped targets. A pure function of parameters and plan, which
 * is what the gradient checks exercise.
 */
final class Objective {
    private final ModelConfig cfg;
    private final DenseLayout layout;
    private final Encoder encoder;
    private final ExecutorService pool; // null: run chunks on the calling thread
    private final int threads;
    private final Precision precision;

    Objective(ModelConfig cfg, ModelRuntime runtime, DenseLayout layout, ExecutorService pool) {
        this.cfg = cfg;
        this.layout = layout;
        this.encoder = new Encoder(cfg, runtime.precision(), layout);
        this.precision = runtime.precision();
        this.pool = pool;
        this.threads = runtime.threads();
    }

    /**
     * Loss parts of one evaluation.
     *
     * @param nextItemTerm the auxiliary next-item loss, weighted, per positive example (0 when off)
     * @param successorTerm the successor loss, weighted, per sequence (0 when off)
     */
    record Loss(
            double positive,
            double negative,
            int positives,
            int negatives,
            double nextItemTerm,
            double successorTerm) {
        Loss withNextItemTerm(double term) {
            return new Loss(positive, negative, positives, negatives, term, successorTerm);
        }

        Loss withSuccessorTerm(double term) {
            return new Loss(positive, negative, positives, negatives, nextItemTerm, term);
        }

        double total(double negWeight) {
            return (positives > 0 ? positive : 0)
                    + (negatives > 0 ? negWeight * negative : 0)
                    + nextItemTerm
                    + successorTerm;
        }
    }

    /** Gradients of one evaluation: dense, and per batch-local item row (row width wide). */
    static final class Gradients {
        final double[] dense;
        double[] rows;

        Gradients(int denseSize) {
            dense = new double[denseSize];
        }
    }

    /** Item vectors (U x H) of the plan's rows: item table rows times the projection. */
    double[] itemVectors(int[] rows, double[] emb, double[] w) {
        int e = cfg.itemDim();
        int h = cfg.hidden();
        double[] gathered = gather(rows, emb, cfg.rowWidth(), e);
        if (!cfg.factorized()) {
            return gathered;
        }
        double[] iv = new double[rows.length * h];
        forRanges(
                rows.length,
                (from, to) ->
                        Blas.gemm(
                                gathered,
                                from * e,
                                w,
                                layout.proj,
                                iv,
                                from * h,
                                to - from,
                                e,
                                h,
                                true));
        return iv;
    }

    /**
     * The served item vectors of catalogue rows, rows x vectorDim: the item vector, then the
     * arrival row of the successor channel.
     */
    double[] servingItemVectors(int[] rows, double[] emb, double[] w) {
        double[] iv = itemVectors(rows, emb, w);
        int d = cfg.successorDim();
        if (d == 0) {
            return iv;
        }
        int h = cfg.hidden();
        int vd = cfg.vectorDim();
        double[] out = new double[rows.length * vd];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(iv, i * h, out, i * vd, h);
            System.arraycopy(emb, rows[i] * cfg.rowWidth() + cfg.itemDim(), out, i * vd + h, d);
        }
        return out;
    }

    /**
     * Forward only: served user vectors, in plan order, sequences x vectorDim (the encoder's user
     * vector, then the gated successor row of the newest play).
     */
    double[] users(BatchPlan plan, double[] emb, double[] w) {
        double[] iv = itemVectors(plan.rows, emb, w);
        double[] users = concatUsers(plan, forward(plan, iv, w));
        int d = cfg.successorDim();
        if (d == 0) {
            return users;
        }
        int h = cfg.hidden();
        int vd = cfg.vectorDim();
        SuccessorChannel succ = new SuccessorChannel(cfg, layout, plan, false, emb, users, w);
        double[] out = new double[plan.sequences() * vd];
        for (int s = 0; s < plan.sequences(); s++) {
            System.arraycopy(users, s * h, out, s * vd, h);
            succ.servingPart(s, out, s * vd + h);
        }
        return out;
    }

    /** Loss and, if {@code grads} is non-null, its gradient. */
    Loss evaluate(BatchPlan plan, double[] emb, double[] w, Gradients grads) {
        int h = cfg.hidden();
        double[] iv = itemVectors(plan.rows, emb, w);
        List<Encoder.Cache> caches = forward(plan, iv, w);
        double[] users = concatUsers(plan, caches);
        double[] dUsers = new double[users.length];
        double[] dIv = new double[iv.length];
        SuccessorChannel succ =
                cfg.successorDim() > 0
                        ? new SuccessorChannel(cfg, layout, plan, true, emb, users, w)
                        : null;
        Loss loss = lossAndUserGradients(plan, users, iv, dUsers, dIv, succ);
        if (layout.nextItemHead >= 0) {
            double term =
                    nextItemHead(
                            plan,
                            loss.positives(),
                            users,
                            iv,
                            w,
                            grads == null ? null : grads.dense,
                            dUsers,
                            dIv);
            loss = loss.withNextItemTerm(term);
        }
        if (succ != null) {
            loss = loss.withSuccessorTerm(succ.successorLoss(cfg.successorWeight()));
        }
        if (grads == null) {
            return loss;
        }
        int rw = cfg.rowWidth();
        double[] rowGrads = new double[plan.rows.length * rw];
        if (succ != null) {
            // Before the encoder's backward: the gate adds to dUsers.
            succ.backward(cfg, users, w, grads.dense, dUsers, rowGrads);
        }
        backward(plan, caches, dUsers, w, grads.dense, dIv);
        int e = cfg.itemDim();
        if (cfg.factorized()) {
            double[] gathered = gather(plan.rows, emb, rw, e);
            int u = plan.rows.length;
            // Projection gradient by blocks of its columns, row gradients by blocks of rows: each
            // element still sums in one order, whatever the number of workers.
            forRanges(
                    h,
                    (from, to) ->
                            Blas.gemmTnAcc(
                                    gathered,
                                    0,
                                    e,
                                    dIv,
                                    from,
                                    h,
                                    grads.dense,
                                    layout.proj + from,
                                    h,
                                    u,
                                    e,
                                    to - from));
            double[] projT = new double[h * e];
            Blas.transpose(w, layout.proj, e, h, projT, 0);
            double[] rows = new double[u * e];
            forRanges(
                    u,
                    (from, to) ->
                            Blas.gemm(
                                    dIv, from * h, projT, 0, rows, from * e, to - from, h, e,
                                    true));
            for (int i = 0; i < u; i++) {
                System.arraycopy(rows, i * e, rowGrads, i * rw, e);
            }
        } else {
            for (int i = 0; i < plan.rows.length; i++) {
                System.arraycopy(dIv, i * e, rowGrads, i * rw, e);
            }
        }
        grads.rows = rowGrads;
        return loss;
    }

    /**
     * The auxiliary next-item loss: for every target that was not played through, a sampled softmax
     * (same negatives and logQ correction as the main one) with query users x head, weighted by
     * nextItemWeight per positive example of the batch. Adds its gradient into dUsers and dIv, and
     * into gw (the head) unless gw is null; returns the weighted loss.
     */
    private double nextItemHead(
            BatchPlan plan,
            int positives,
            double[] users,
            double[] iv,
            double[] w,
            double[] gw,
            double[] dUsers,
            double[] dIv) {
        int h = cfg.hidden();
        int n = plan.sequences();
        int k = plan.negativeLocal.length;
        if (positives == 0) {
            return 0;
        }
        double scale = cfg.nextItemWeight() / positives;
        double[] query = new double[n * h];
        Blas.gemm(users, 0, w, layout.nextItemHead, query, 0, n, h, h, false);
        double[] dQuery = new double[n * h];
        SampledLogits logits = new SampledLogits(plan, query, iv, n, h);
        double[] probs = new double[k + 1];
        double loss = 0;
        for (int s = 0; s < n; s++) {
            if (plan.label[s] == BatchPlan.POSITIVE) {
                continue;
            }
            int qOff = s * h;
            int tgt = plan.targetLocal[s];
            loss +=
                    sampledSoftmax(
                                    plan,
                                    s,
                                    Blas.dot(query, qOff, iv, tgt * h, h),
                                    logits.negative,
                                    probs)
                            * scale;
            double g = (probs[0] - 1) * scale;
            Blas.axpy(g, iv, tgt * h, dQuery, qOff, h);
            Blas.axpy(g, query, qOff, dIv, tgt * h, h);
            for (int j = 1; j <= k; j++) {
                logits.gradient[s * k + j - 1] = probs[j] * scale;
            }
        }
        logits.backward(query, dQuery, null, dIv);
        if (gw != null) {
            Blas.gemmTnAcc(users, 0, dQuery, 0, gw, layout.nextItemHead, n, h, h);
            Blas.gemmNt(
                    dQuery, 0, w, layout.nextItemHead, dUsers, 0, n, h, h, true, new double[h * h]);
        }
        return loss;
    }

    /**
     * The sampled softmax of sequence s: its target's logit against the batch's shared negatives
     * ({@code negatives}, n x k), both logQ-corrected, a negative that is the target itself masked
     * out. Fills {@code probs} (target first, then the k negatives) and returns -log probs[0].
     */
    static double sampledSoftmax(
            BatchPlan plan, int s, double target, double[] negatives, double[] probs) {
        int k = plan.negativeLocal.length;
        probs[0] = target - plan.targetLogQ[s];
        double max = probs[0];
        for (int j = 0; j < k; j++) {
            probs[j + 1] =
                    plan.negativeRow[j] == plan.targetRow[s]
                            ? Double.NEGATIVE_INFINITY
                            : negatives[s * k + j] - plan.negativeLogQ[j];
            max = Math.max(max, probs[j + 1]);
        }
        double sum = 0;
        for (int j = 0; j <= k; j++) {
            probs[j] = Math.exp(probs[j] - max); // exp(-inf) = 0 masks accidental hits
            sum += probs[j];
        }
        for (int j = 0; j <= k; j++) {
            probs[j] /= sum;
        }
        return -Math.log(probs[0]);
    }

    private Loss lossAndUserGradients(
            BatchPlan plan,
            double[] users,
            double[] iv,
            double[] dUsers,
            double[] dIv,
            SuccessorChannel succ) {
        int h = cfg.hidden();
        int k = plan.negativeLocal.length;
        int positives = 0, negatives = 0;
        for (int s = 0; s < plan.sequences(); s++) {
            if (plan.label[s] == BatchPlan.POSITIVE) {
                positives++;
            } else if (plan.label[s] == BatchPlan.NEGATIVE) {
                negatives++;
            }
        }
        double posLoss = 0, negLoss = 0;
        // probs[0] is the target, probs[1..k] the shared negatives; dLogit scales each column.
        SampledLogits logits = new SampledLogits(plan, users, iv, plan.sequences(), h);
        if (succ != null) {
            for (int s = 0; s < plan.sequences(); s++) {
                for (int j = 0; j < k; j++) {
                    logits.negative[s * k + j] += succ.gamma[s] * succ.negative[s * k + j];
                }
            }
        }
        double[] itemScales = new double[plan.sequences()];
        double[] probs = new double[k + 1];
        double[] dLogit = new double[k + 1];
        boolean relative = cfg.negativeLoss() == NegativeLoss.RELATIVE;
        for (int s = 0; s < plan.sequences(); s++) {
            int label = plan.label[s];
            if (label == BatchPlan.NONE) {
                continue;
            }
            int uOff = s * h;
            int tgt = plan.targetLocal[s];
            double raw = Blas.dot(users, uOff, iv, tgt * h, h);
            if (succ != null) {
                raw += succ.gamma[s] * succ.target[s];
            }
            if (label == BatchPlan.NEGATIVE && !relative) {
                double share = negativeShare(plan, s);
                negLoss += softplus(raw) * share;
                double g = sigmoid(raw) * share * cfg.negWeight() / negatives;
                Blas.axpy(g, iv, tgt * h, dUsers, uOff, h);
                Blas.axpy(g * cfg.negItemGradient(), users, uOff, dIv, tgt * h, h);
                if (succ != null) {
                    succ.addMain(s, g, null, cfg.negItemGradient());
                }
                continue;
            }
            // Sampled softmax over target and negatives, logQ-corrected, accidental hits masked.
            probs[0] = raw - plan.targetLogQ[s];
            double max = probs[0];
            double maxNeg = Double.NEGATIVE_INFINITY;
            int kept = 0;
            for (int j = 0; j < k; j++) {
                if (plan.negativeRow[j] == plan.targetRow[s]) {
                    probs[j + 1] = Double.NEGATIVE_INFINITY;
                } else {
                    kept++;
                    probs[j + 1] = logits.negative[s * k + j] - plan.negativeLogQ[j];
                    maxNeg = Math.max(maxNeg, probs[j + 1]);
                }
            }
            max = Math.max(max, maxNeg);
            double target = probs[0];
            double sumNeg = 0;
            for (int j = 1; j <= k; j++) {
                probs[j] = Math.exp(probs[j] - max); // exp(-inf) = 0 masks hits
                sumNeg += probs[j];
            }
            double expTarget = Math.exp(target - max);
            if (label == BatchPlan.POSITIVE) {
                double sum = expTarget + sumNeg;
                posLoss += -Math.log(expTarget / sum);
                double scale = 1.0 / positives;
                dLogit[0] = (expTarget / sum - 1) * scale;
                for (int j = 1; j <= k; j++) {
                    dLogit[j] = probs[j] / sum * scale;
                }
            } else {
                // Target against an average sampled item: softplus(target - log mean exp(neg)).
                double x = target - (max + Math.log(sumNeg / kept));
                double share = negativeShare(plan, s);
                negLoss += softplus(x) * share;
                double g = sigmoid(x) * share * cfg.negWeight() / negatives;
                dLogit[0] = g;
                for (int j = 1; j <= k; j++) {
                    dLogit[j] = -g * probs[j] / sumNeg;
                }
            }
            // Skips say more about the listener's state than about the item: the negative loss
            // may reach item vectors only partly (negItemGradient), else it drags often-skipped
            // items away from every user.
            double itemScale = label == BatchPlan.POSITIVE ? 1.0 : cfg.negItemGradient();
            itemScales[s] = itemScale;
            if (succ != null) {
                succ.addMain(s, dLogit[0], dLogit, itemScale);
            }
            Blas.axpy(dLogit[0], iv, tgt * h, dUsers, uOff, h);
            if (itemScale != 0) {
                Blas.axpy(dLogit[0] * itemScale, users, uOff, dIv, tgt * h, h);
            }
            System.arraycopy(dLogit, 1, logits.gradient, s * k, k);
        }
        logits.backward(users, dUsers, itemScales, dIv);
        return new Loss(
                positives > 0 ? posLoss / positives : Double.NaN,
                negatives > 0 ? negLoss / negatives : Double.NaN,
                positives,
                negatives,
                0,
                0);
    }

    /**
     * The share of the skip loss a skipped target of sequence s carries: all of it in a run of
     * skips (its newest play was skipped too), {@link ModelConfig#negAfterPlay()} after a play that
     * was not skipped, where the next play is mostly kept and pushing its item away costs more of
     * the recall of plays kept than it saves.
     */
    private double negativeShare(BatchPlan plan, int s) {
        return cfg.isNegative(plan.lastRate[s]) ? 1.0 : cfg.negAfterPlay();
    }

    /**
     * Chunks [first, last) of each worker, in order: a fixed deal, so each worker's gradient sum
     * runs over the same chunks in the same order whoever schedules it.
     */
    private int[] groupBounds(int chunks) {
        int groups = pool == null ? 1 : Math.max(1, Math.min(threads, chunks));
        int[] bounds = new int[groups + 1];
        for (int g = 0; g <= groups; g++) {
            bounds[g] = chunks * g / groups;
        }
        return bounds;
    }

    private List<Encoder.Cache> forward(BatchPlan plan, double[] iv, double[] w) {
        int[] bounds = groupBounds(plan.chunks.length);
        List<Callable<List<Encoder.Cache>>> tasks = new ArrayList<>();
        for (int g = 0; g + 1 < bounds.length; g++) {
            int first = bounds[g];
            int last = bounds[g + 1];
            tasks.add(
                    () -> {
                        List<Encoder.Cache> caches = new ArrayList<>(last - first);
                        for (int c = first; c < last; c++) {
                            caches.add(encoder.forward(plan.chunks[c], iv, w));
                        }
                        return caches;
                    });
        }
        List<Encoder.Cache> all = new ArrayList<>(plan.chunks.length);
        for (List<Encoder.Cache> part : runAll(tasks)) {
            all.addAll(part);
        }
        return all;
    }

    private void backward(
            BatchPlan plan,
            List<Encoder.Cache> caches,
            double[] dUsers,
            double[] w,
            double[] gDense,
            double[] dIv) {
        int h = cfg.hidden();
        int[] bounds = groupBounds(caches.size());
        boolean alone = bounds.length == 2;
        List<Callable<double[][]>> tasks = new ArrayList<>();
        int[] userOffset = new int[caches.size() + 1];
        for (int c = 0; c < caches.size(); c++) {
            userOffset[c + 1] = userOffset[c] + caches.get(c).chunk.sequences * h;
        }
        for (int g = 0; g + 1 < bounds.length; g++) {
            int first = bounds[g];
            int last = bounds[g + 1];
            tasks.add(
                    () -> {
                        double[] gd = alone ? gDense : new double[gDense.length];
                        double[] gi = alone ? dIv : new double[dIv.length];
                        for (int c = first; c < last; c++) {
                            double[] du =
                                    Arrays.copyOfRange(dUsers, userOffset[c], userOffset[c + 1]);
                            encoder.backward(caches.get(c), du, w, gd, gi);
                        }
                        return new double[][] {gd, gi};
                    });
        }
        List<double[][]> parts = runAll(tasks);
        if (parts.size() > 1) {
            // Each element adds the parts in order, whichever worker takes its slice.
            forRanges(gDense.length, (from, to) -> addParts(parts, 0, gDense, from, to));
            forRanges(dIv.length, (from, to) -> addParts(parts, 1, dIv, from, to));
        }
    }

    /** target[from, to) += every part's array {@code which}, part by part. */
    private static void addParts(
            List<double[][]> parts, int which, double[] target, int from, int to) {
        for (double[][] p : parts) {
            Blas.axpy(1.0, p[which], from, target, from, to - from);
        }
    }

    private double[] concatUsers(BatchPlan plan, List<Encoder.Cache> caches) {
        int h = cfg.hidden();
        double[] users = new double[plan.sequences() * h];
        int off = 0;
        for (Encoder.Cache c : caches) {
            System.arraycopy(c.users, 0, users, off, c.users.length);
            off += c.users.length;
        }
        return users;
    }

    /** A piece of work over the index range [from, to). */
    interface RangeTask {
        void run(int from, int to);
    }

    /**
     * Runs body over [0, n) in one contiguous range per worker (inline without a pool or for small
     * n). For work whose elements are independent, so the split cannot change a result.
     */
    void forRanges(int n, RangeTask body) {
        int parts = pool == null ? 1 : Math.min(threads, n / MIN_RANGE);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        List<Callable<Void>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            tasks.add(
                    () -> {
                        body.run(from, to);
                        return null;
                    });
        }
        runAll(tasks);
    }

    /** Below this many indices per worker a hand-off costs more than it saves. */
    private static final int MIN_RANGE = 32;

    /** Runs the tasks on the worker pool (inline without one), results in task order. */
    <T> List<T> runAll(List<Callable<T>> tasks) {
        List<T> out = new ArrayList<>(tasks.size());
        try {
            if (pool == null || tasks.size() == 1) {
                for (Callable<T> t : tasks) {
                    out.add(t.call());
                }
                return out;
            }
            for (Future<T> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working on a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("work on a batch failed", e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("work on a batch failed", e);
        }
    }

    /** The first {@code width} columns of the rows (stride columns apart) of a table. */
    static double[] gather(int[] rows, double[] table, int stride, int width) {
        double[] out = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(table, rows[i] * stride, out, i * width, width);
        }
        return out;
    }

    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /**
     * The logits of a batch's queries against its shared sampled negatives, as one matrix product
     * (queries n x H times the negatives' item vectors k x H, transposed) at the runtime's
     * precision, and the backward of the gradient the loss writes into {@link #gradient}.
     */
    private final class SampledLogits {
        private final BatchPlan plan;
        private final int n;
        private final int k;
        private final int h;

        /** The negatives' item vectors, k x H, gathered from the plan's rows. */
        private final double[] vectors;

        /** n x k: query s against negative j, before the logQ correction. */
        final double[] negative;

        /** n x k: d loss / d logit, filled by the loss. */
        final double[] gradient;

        SampledLogits(BatchPlan plan, double[] queries, double[] iv, int n, int h) {
            this.plan = plan;
            this.n = n;
            this.k = plan.negativeLocal.length;
            this.h = h;
            vectors = new double[k * h];
            for (int j = 0; j < k; j++) {
                System.arraycopy(iv, plan.negativeLocal[j] * h, vectors, j * h, h);
            }
            negative = new double[n * k];
            gradient = new double[n * k];
            if (n > 0 && k > 0) {
                Blas.gemm(
                        precision,
                        queries,
                        0,
                        vectors,
                        0,
                        true,
                        negative,
                        0,
                        n,
                        h,
                        k,
                        false,
                        new double[h * k]);
            }
        }

        /**
         * dQueries += gradient x vectors; each negative's item-vector gradient gradient^T x
         * queries, with row s of the gradient scaled by {@code itemScales[s]} (all 1 when null),
         * added into dIv at the negative's row.
         */
        void backward(double[] queries, double[] dQueries, double[] itemScales, double[] dIv) {
            if (n == 0 || k == 0) {
                return;
            }
            Blas.gemm(precision, gradient, 0, vectors, 0, false, dQueries, 0, n, k, h, true, null);
            if (itemScales != null) {
                for (int s = 0; s < n; s++) {
                    if (itemScales[s] != 1.0) {
                        for (int j = 0; j < k; j++) {
                            gradient[s * k + j] *= itemScales[s];
                        }
                    }
                }
            }
            double[] dVectors = new double[k * h];
            Blas.gemmTnAcc(precision, gradient, 0, queries, 0, dVectors, 0, n, k, h);
            for (int j = 0; j < k; j++) {
                Blas.axpy(1.0, dVectors, j * h, dIv, plan.negativeLocal[j] * h, h);
            }
        }
    }
}
