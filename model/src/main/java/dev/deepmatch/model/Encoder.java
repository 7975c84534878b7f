package dev.deepmatch.model;

import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.math.LayerNorm;
import dev.deepmatch.model.math.Precision;

/**
 * The feedback-aware self-attention encoder: input embedding sum, pre-norm causal multi-head
 * attention blocks with feed-forward, user vector = output at the last position. Forward keeps what
 * the hand-written backward needs. The last block computes its query, attention output and
 * feed-forward only at the last position, since nothing else reaches the user vector.
 */
final class Encoder {
    private final ModelConfig cfg;
    private final DenseLayout layout;
    private final int h;
    private final int heads;
    private final int dh;
    private final int ff;
    private final double scale;
    private final Precision precision;

    Encoder(ModelConfig cfg, Precision precision, DenseLayout layout) {
        this.cfg = cfg;
        this.layout = layout;
        this.h = cfg.hidden();
        this.heads = cfg.heads();
        this.dh = cfg.headDim();
        this.ff = cfg.ffDim();
        this.scale = 1.0 / Math.sqrt(dh);
        this.precision = precision;
    }

    /** Activations of one block kept for its backward pass. */
    static final class BlockCache {
        boolean lastOnly;
        int queries;
        int[] queryToken; // chunk token index of each query row
        double[] xhat1, rstd1, a; // attention pre-norm
        double[] q, k, v; // q: queries x H; k, v: tokens x H
        double[] probs; // attention weights
        int[] probOffset; // per (sequence, head)
        double[] ctx;
        double[] xhat2, rstd2, f; // feed-forward pre-norm
        double[] g; // relu of the first feed-forward layer; g > 0 exactly where its input was
        double[] out;
    }

    /** Everything the forward pass of one chunk produced. */
    static final class Cache {
        SequenceChunk chunk;
        double[] itemVectors;
        double[] xhat0, rstd0;
        BlockCache[] blocks;
        double[] users; // sequences x H
    }

    Cache forward(SequenceChunk chunk, double[] itemVectors, double[] w) {
        int t = chunk.tokens();
        double[] x = new double[t * h];
        for (int i = 0; i < t; i++) {
            int xi = i * h;
            System.arraycopy(itemVectors, chunk.item[i] * h, x, xi, h);
            Blas.axpy(1.0, w, layout.pos + chunk.position[i] * h, x, xi, h);
            if (cfg.rateAndIntent()) {
                double r = chunk.rate[i];
                int iv = chunk.item[i] * h;
                for (int j = 0; j < h; j++) {
                    double gate = w[layout.gateBase + j] + r * w[layout.rateGate + j];
                    x[xi + j] += r * w[layout.rateW + j] + gate * itemVectors[iv + j];
                }
                if (cfg.intentInput()) {
                    Blas.axpy(1.0, w, layout.intent + chunk.intent[i] * h, x, xi, h);
                }
            }
        }
        Cache c = new Cache();
        c.itemVectors = itemVectors;
        c.chunk = chunk;
        c.xhat0 = new double[t * h];
        c.rstd0 = new double[t];
        double[] hidden = new double[t * h];
        LayerNorm.forward(x, 0, t, h, w, layout.ln0Gamma, layout.ln0Beta, c.xhat0, c.rstd0, hidden);
        c.blocks = new BlockCache[layout.blocks.length];
        for (int b = 0; b < layout.blocks.length; b++) {
            boolean last = b == layout.blocks.length - 1;
            c.blocks[b] = blockForward(chunk, layout.blocks[b], w, hidden, last);
            hidden = c.blocks[b].out;
        }
        c.users = hidden; // the last block has exactly one query row per sequence
        return c;
    }

    private BlockCache blockForward(
            SequenceChunk chunk, DenseLayout.Block p, double[] w, double[] in, boolean lastOnly) {
        int t = chunk.tokens();
        int n = chunk.sequences;
        BlockCache bc = new BlockCache();
        bc.lastOnly = lastOnly;
        bc.queries = lastOnly ? n : t;
        bc.queryToken = new int[bc.queries];
        for (int qi = 0; qi < bc.queries; qi++) {
            bc.queryToken[qi] = lastOnly ? chunk.start[qi + 1] - 1 : qi;
        }
        int nq = bc.queries;
        bc.xhat1 = new double[t * h];
        bc.rstd1 = new double[t];
        bc.a = new double[t * h];
        LayerNorm.forward(in, 0, t, h, w, p.ln1Gamma, p.ln1Beta, bc.xhat1, bc.rstd1, bc.a);

        bc.k = linear(bc.a, t, w, p.wk, p.bk, h, h);
        bc.v = linear(bc.a, t, w, p.wv, p.bv, h, h);
        double[] aq = lastOnly ? gatherRows(bc.a, bc.queryToken, h) : bc.a;
        bc.q = linear(aq, nq, w, p.wq, p.bq, h, h);

        attentionForward(chunk, bc);

        double[] h1 = linear(bc.ctx, nq, w, p.wo, p.bo, h, h);
        for (int qi = 0; qi < nq; qi++) {
            Blas.axpy(1.0, in, bc.queryToken[qi] * h, h1, qi * h, h);
        }
        bc.xhat2 = new double[nq * h];
        bc.rstd2 = new double[nq];
        bc.f = new double[nq * h];
        LayerNorm.forward(h1, 0, nq, h, w, p.ln2Gamma, p.ln2Beta, bc.xhat2, bc.rstd2, bc.f);
        bc.g = new double[nq * ff];
        Blas.gemm(precision, bc.f, 0, w, p.w1, false, bc.g, 0, nq, h, ff, true, null);
        Blas.addBiasRelu(bc.g, 0, nq, ff, w, p.b1);
        double[] y = linear(bc.g, nq, w, p.w2, p.b2, ff, h);
        for (int i = 0; i < y.length; i++) {
            y[i] += h1[i];
        }
        bc.out = y;
        return bc;
    }

    /**
     * Per sequence and head: scores = (scaled Q) K^T and ctx = P V as matrix products over the
     * whole window, the causal part masked in the softmax; the wasted upper triangle costs less
     * than running short vectors per query.
     */
    private void attentionForward(SequenceChunk chunk, BlockCache bc) {
        int n = chunk.sequences;
        bc.probOffset = new int[n * heads + 1];
        int total = 0;
        for (int s = 0; s < n; s++) {
            int len = chunk.length(s);
            int perHead = bc.lastOnly ? len : len * len;
            for (int hd = 0; hd < heads; hd++) {
                bc.probOffset[s * heads + hd] = total;
                total += perHead;
            }
        }
        bc.probOffset[n * heads] = total;
        bc.probs = new double[total];
        bc.ctx = new double[bc.queries * h];
        int maxLen = cfg.windowLength();
        double[] qh = new double[maxLen * dh];
        double[] kt = new double[dh * maxLen];
        for (int s = 0; s < n; s++) {
            int t0 = chunk.start[s];
            int len = chunk.length(s);
            int firstQuery = bc.lastOnly ? s : t0;
            int queryCount = bc.lastOnly ? 1 : len;
            for (int hd = 0; hd < heads; hd++) {
                int col = hd * dh;
                int pOff = bc.probOffset[s * heads + hd];
                scaledQueries(bc.q, firstQuery, queryCount, col, qh);
                transposeHead(bc.k, t0, len, col, kt);
                Blas.gemm(qh, 0, kt, 0, bc.probs, pOff, queryCount, dh, len, true);
                for (int qq = 0; qq < queryCount; qq++) {
                    int pos = bc.lastOnly ? len - 1 : qq; // causal: keys 0..pos
                    softmaxPrefix(bc.probs, pOff + qq * len, pos + 1, len);
                }
                // ctx (this head's columns, fresh zeros) = P V, V's rows read in place
                Blas.gemm(
                        bc.probs,
                        pOff,
                        len,
                        bc.v,
                        t0 * h + col,
                        h,
                        bc.ctx,
                        firstQuery * h + col,
                        h,
                        queryCount,
                        len,
                        dh,
                        true);
            }
        }
    }

    /** Softmax over x[off, off + used); the rest of the row, up to width, is set to zero. */
    private static void softmaxPrefix(double[] x, int off, int used, int width) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < used; j++) {
            max = Math.max(max, x[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < used; j++) {
            double e = Math.exp(x[off + j] - max);
            x[off + j] = e;
            sum += e;
        }
        double inv = 1.0 / sum;
        for (int j = 0; j < used; j++) {
            x[off + j] *= inv;
        }
        java.util.Arrays.fill(x, off + used, off + width, 0.0);
    }

    /**
     * Backward of {@link #forward}: accumulates dense gradients into gw and item-vector gradients.
     */
    void backward(Cache c, double[] dUsers, double[] w, double[] gw, double[] dItemVectors) {
        SequenceChunk chunk = c.chunk;
        int t = chunk.tokens();
        double[] dOut = dUsers;
        for (int b = layout.blocks.length - 1; b >= 0; b--) {
            dOut = blockBackward(chunk, layout.blocks[b], c.blocks[b], w, gw, dOut);
        }
        double[] dx = new double[t * h];
        LayerNorm.backward(
                dOut, t, h, c.xhat0, c.rstd0, w, layout.ln0Gamma, gw, layout.ln0Beta, dx, 0);
        for (int i = 0; i < t; i++) {
            int xi = i * h;
            Blas.axpy(1.0, dx, xi, dItemVectors, chunk.item[i] * h, h);
            Blas.axpy(1.0, dx, xi, gw, layout.pos + chunk.position[i] * h, h);
            if (cfg.rateAndIntent()) {
                double r = chunk.rate[i];
                int iv = chunk.item[i] * h;
                for (int j = 0; j < h; j++) {
                    double d = dx[xi + j];
                    double gate = w[layout.gateBase + j] + r * w[layout.rateGate + j];
                    gw[layout.rateW + j] += r * d;
                    gw[layout.gateBase + j] += d * c.itemVectors[iv + j];
                    gw[layout.rateGate + j] += r * d * c.itemVectors[iv + j];
                    dItemVectors[iv + j] += gate * d;
                }
                if (cfg.intentInput()) {
                    Blas.axpy(1.0, dx, xi, gw, layout.intent + chunk.intent[i] * h, h);
                }
            }
        }
    }

    /** Returns the gradient with respect to the block's input (tokens x H). */
    private double[] blockBackward(
            SequenceChunk chunk,
            DenseLayout.Block p,
            BlockCache bc,
            double[] w,
            double[] gw,
            double[] dOut) {
        int t = chunk.tokens();
        int nq = bc.queries;
        // Only double products transpose weights into scratch; float ones pack them themselves.
        double[] scratch =
                precision == Precision.DOUBLE
                        ? new double[Math.max(h, ff) * Math.max(h, ff)]
                        : null;

        // The products below land in fresh zero arrays, so they accumulate instead of filling.
        // out = h1 + W2 relu(W1 f + b1) + b2
        Blas.gemmTnAcc(precision, bc.g, 0, dOut, 0, gw, p.w2, nq, ff, h);
        Blas.sumRowsAcc(dOut, 0, nq, h, gw, p.b2);
        double[] dz = new double[nq * ff];
        Blas.gemm(precision, dOut, 0, w, p.w2, true, dz, 0, nq, h, ff, true, scratch);
        Blas.zeroWhereNotPositive(dz, bc.g, dz.length);
        Blas.gemmTnAcc(precision, bc.f, 0, dz, 0, gw, p.w1, nq, h, ff);
        Blas.sumRowsAcc(dz, 0, nq, ff, gw, p.b1);
        double[] df = new double[nq * h];
        Blas.gemm(precision, dz, 0, w, p.w1, true, df, 0, nq, ff, h, true, scratch);
        double[] dh1 = dOut.clone();
        LayerNorm.backward(df, nq, h, bc.xhat2, bc.rstd2, w, p.ln2Gamma, gw, p.ln2Beta, dh1, 0);

        // h1 = in[query rows] + Wo ctx + bo
        double[] dIn = new double[t * h];
        for (int qi = 0; qi < nq; qi++) {
            Blas.axpy(1.0, dh1, qi * h, dIn, bc.queryToken[qi] * h, h);
        }
        Blas.gemmTnAcc(precision, bc.ctx, 0, dh1, 0, gw, p.wo, nq, h, h);
        Blas.sumRowsAcc(dh1, 0, nq, h, gw, p.bo);
        double[] dCtx = new double[nq * h];
        Blas.gemm(precision, dh1, 0, w, p.wo, true, dCtx, 0, nq, h, h, true, scratch);

        double[] dq = new double[nq * h];
        double[] dk = new double[t * h];
        double[] dv = new double[t * h];
        attentionBackward(chunk, bc, dCtx, dq, dk, dv);

        double[] aq = bc.lastOnly ? gatherRows(bc.a, bc.queryToken, h) : bc.a;
        Blas.gemmTnAcc(precision, aq, 0, dq, 0, gw, p.wq, nq, h, h);
        Blas.sumRowsAcc(dq, 0, nq, h, gw, p.bq);
        Blas.gemmTnAcc(precision, bc.a, 0, dk, 0, gw, p.wk, t, h, h);
        Blas.sumRowsAcc(dk, 0, t, h, gw, p.bk);
        Blas.gemmTnAcc(precision, bc.a, 0, dv, 0, gw, p.wv, t, h, h);
        Blas.sumRowsAcc(dv, 0, t, h, gw, p.bv);

        double[] da = new double[t * h];
        Blas.gemm(precision, dk, 0, w, p.wk, true, da, 0, t, h, h, true, scratch);
        Blas.gemm(precision, dv, 0, w, p.wv, true, da, 0, t, h, h, true, scratch);
        if (bc.lastOnly) {
            double[] daq = new double[nq * h];
            Blas.gemm(precision, dq, 0, w, p.wq, true, daq, 0, nq, h, h, true, scratch);
            for (int qi = 0; qi < nq; qi++) {
                Blas.axpy(1.0, daq, qi * h, da, bc.queryToken[qi] * h, h);
            }
        } else {
            Blas.gemm(precision, dq, 0, w, p.wq, true, da, 0, t, h, h, true, scratch);
        }
        LayerNorm.backward(da, t, h, bc.xhat1, bc.rstd1, w, p.ln1Gamma, gw, p.ln1Beta, dIn, 0);
        return dIn;
    }

    private void attentionBackward(
            SequenceChunk chunk,
            BlockCache bc,
            double[] dCtx,
            double[] dq,
            double[] dk,
            double[] dv) {
        int n = chunk.sequences;
        int maxLen = cfg.windowLength();
        double[] vt = new double[dh * maxLen];
        double[] dp = new double[maxLen * maxLen];
        // Each head's block of dq, dk and dv is fresh zeros, written once: products accumulate
        // into it in place.
        for (int s = 0; s < n; s++) {
            int t0 = chunk.start[s];
            int len = chunk.length(s);
            int firstQuery = bc.lastOnly ? s : t0;
            int queryCount = bc.lastOnly ? 1 : len;
            int queries = firstQuery * h;
            int keys = t0 * h;
            for (int hd = 0; hd < heads; hd++) {
                int col = hd * dh;
                int pOff = bc.probOffset[s * heads + hd];
                // dP = dCtx V^T; dV = P^T dCtx
                transposeHead(bc.v, t0, len, col, vt);
                Blas.gemm(
                        dCtx, queries + col, h, vt, 0, len, dp, 0, len, queryCount, dh, len, false);
                Blas.gemmTnAcc(
                        bc.probs,
                        pOff,
                        len,
                        dCtx,
                        queries + col,
                        h,
                        dv,
                        keys + col,
                        h,
                        queryCount,
                        len,
                        dh);
                // dS = P * (dP - rowsum(P * dP)) * scale, in place in dp
                for (int qq = 0; qq < queryCount; qq++) {
                    int pos = bc.lastOnly ? len - 1 : qq;
                    int row = qq * len;
                    int pRow = pOff + row;
                    double dot = 0;
                    for (int j = 0; j <= pos; j++) {
                        dot += bc.probs[pRow + j] * dp[row + j];
                    }
                    for (int j = 0; j <= pos; j++) {
                        dp[row + j] = bc.probs[pRow + j] * (dp[row + j] - dot) * scale;
                    }
                    java.util.Arrays.fill(dp, row + pos + 1, row + len, 0.0);
                }
                // dQ = dS K; dK = dS^T Q
                Blas.gemm(
                        dp,
                        0,
                        len,
                        bc.k,
                        keys + col,
                        h,
                        dq,
                        queries + col,
                        h,
                        queryCount,
                        len,
                        dh,
                        true);
                Blas.gemmTnAcc(
                        dp, 0, len, bc.q, queries + col, h, dk, keys + col, h, queryCount, len, dh);
            }
        }
    }

    /** dst[r * dh + d] = q[(first + r) * H + col + d] / sqrt(dh): one head's queries, scaled. */
    private void scaledQueries(double[] q, int first, int rows, int col, double[] dst) {
        for (int r = 0; r < rows; r++) {
            int o = (first + r) * h + col;
            for (int d = 0; d < dh; d++) {
                dst[r * dh + d] = q[o + d] * scale;
            }
        }
    }

    /** dst[d * len + j] = src[(t0 + j) * H + col + d] for one head of one sequence. */
    private void transposeHead(double[] src, int t0, int len, int col, double[] dst) {
        for (int j = 0; j < len; j++) {
            int r = (t0 + j) * h + col;
            for (int d = 0; d < dh; d++) {
                dst[d * len + j] = src[r + d];
            }
        }
    }

    private double[] linear(double[] x, int rows, double[] w, int wOff, int bOff, int in, int out) {
        double[] y = new double[rows * out];
        Blas.gemm(precision, x, 0, w, wOff, false, y, 0, rows, in, out, true, null); // fresh zeros
        Blas.addBias(y, 0, rows, out, w, bOff);
        return y;
    }

    private static double[] gatherRows(double[] x, int[] rows, int width) {
        double[] y = new double[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * width, y, i * width, width);
        }
        return y;
    }
}
