package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the packed, last-position-only encoder against a plain textbook version: histories
 * left-padded to the window, padding and causal masks, every block computed at every position.
 */
class ReferenceEncoderTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void packedEncoderMatchesPaddedMaskedReference(int blocks) {
        ModelConfig cfg = Fixtures.tiny().set(BLOCKS, blocks).build();
        DeepMatchModel model = Fixtures.modelWithItems(cfg, 12);
        List<Example> batch = Fixtures.batch(12, 17);
        double[][] users = model.userVectors(batch);
        for (int i = 0; i < batch.size(); i++) {
            assertThat(users[i])
                    .as("example %s", i)
                    .containsExactly(reference(model, batch.get(i)), within(1e-12));
        }
    }

    private static double[] reference(DeepMatchModel model, Example ex) {
        ModelConfig c = model.config();
        DenseLayout lay = model.layout();
        double[] w = model.dense;
        int l = c.windowLength(), h = c.hidden();
        int n = Math.min(l, ex.historyLength());
        int pad = l - n;
        double[][] x = new double[l][h];
        boolean[] valid = new boolean[l];
        for (int p = pad; p < l; p++) {
            int i = ex.historyLength() - n + (p - pad);
            valid[p] = true;
            double[] ivd = itemVector(model, model.rowOf(ex.historyItem(i)));
            for (int j = 0; j < h; j++) {
                x[p][j] = ivd[j] + w[lay.pos + p * h + j];
                if (c.rateAndIntent()) {
                    double r = ex.historyRate(i);
                    x[p][j] +=
                            r * w[lay.rateW + j]
                                    + (w[lay.gateBase + j] + r * w[lay.rateGate + j]) * ivd[j]
                                    + (c.intentInput()
                                            ? w[lay.intent + ex.historyIntent(i) * h + j]
                                            : 0);
                }
            }
        }
        double[][] hid = norm(x, w, lay.ln0Gamma, lay.ln0Beta);
        for (DenseLayout.Block b : lay.blocks) {
            double[][] a = norm(hid, w, b.ln1Gamma, b.ln1Beta);
            double[][] q = lin(a, w, b.wq, b.bq, h, h);
            double[][] k = lin(a, w, b.wk, b.bk, h, h);
            double[][] v = lin(a, w, b.wv, b.bv, h, h);
            double[][] ctx = new double[l][h];
            int dh = c.headDim();
            for (int hd = 0; hd < c.heads(); hd++) {
                for (int i = 0; i < l; i++) {
                    double[] s = new double[l];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < l; j++) {
                        boolean allowed = j <= i && valid[j];
                        s[j] = Double.NEGATIVE_INFINITY;
                        if (allowed) {
                            s[j] = 0;
                            for (int d = 0; d < dh; d++) {
                                s[j] += q[i][hd * dh + d] * k[j][hd * dh + d];
                            }
                            s[j] /= Math.sqrt(dh);
                            max = Math.max(max, s[j]);
                        }
                    }
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue; // a padding query with nothing to attend to
                    }
                    double sum = 0;
                    for (int j = 0; j < l; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < l; j++) {
                        for (int d = 0; d < dh; d++) {
                            ctx[i][hd * dh + d] += s[j] / sum * v[j][hd * dh + d];
                        }
                    }
                }
            }
            double[][] o = lin(ctx, w, b.wo, b.bo, h, h);
            double[][] h1 = add(hid, o);
            double[][] f = norm(h1, w, b.ln2Gamma, b.ln2Beta);
            double[][] z = lin(f, w, b.w1, b.b1, h, c.ffDim());
            for (double[] row : z) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(0, row[j]);
                }
            }
            hid = add(h1, lin(z, w, b.w2, b.b2, c.ffDim(), h));
        }
        return hid[l - 1];
    }

    private static double[] itemVector(DeepMatchModel model, int row) {
        return model.objective().itemVectors(new int[] {row}, model.items.emb, model.dense);
    }

    private static double[][] norm(double[][] x, double[] w, int gamma, int beta) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            int n = x[i].length;
            double mean = 0, var = 0;
            for (double v : x[i]) {
                mean += v / n;
            }
            for (double v : x[i]) {
                var += (v - mean) * (v - mean) / n;
            }
            y[i] = new double[n];
            for (int j = 0; j < n; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + 1e-5) * w[gamma + j] + w[beta + j];
            }
        }
        return y;
    }

    private static double[][] lin(double[][] x, double[] w, int wOff, int bOff, int in, int out) {
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = w[bOff + o];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * w[wOff + k * out + o];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }
}
