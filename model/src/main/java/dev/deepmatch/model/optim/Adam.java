package dev.deepmatch.model.optim;

/**
 * Adam (Kingma and Ba, 2015) with the bias correction folded into the step size. Holds only its
 * hyperparameters: the first and second moment slots live next to the parameters they belong to
 * (dense arrays, item table rows), so they are snapshotted, restored and sharded with them, and a
 * sparse update touches only the rows a batch used (lazy Adam).
 */
public final class Adam {
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    public Adam(double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** The bias-corrected step size of step {@code t} (1 for the first) at a base rate. */
    public double stepSize(double learningRate, long t) {
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        return learningRate * Math.sqrt(c2) / c1;
    }

    /**
     * Updates {@code w[off, off + n)} and its moments {@code m}, {@code v} (same offsets) with the
     * gradient {@code g[gOff, gOff + n)}.
     */
    public void update(
            double[] w, double[] m, double[] v, int off, double[] g, int gOff, int n, double step) {
        update(w, off, m, off, v, off, g, gOff, n, step);
    }

    /** {@link #update} where the parameters and their two moments sit at offsets of their own. */
    public void update(
            double[] w,
            int wOff,
            double[] m,
            int mOff,
            double[] v,
            int vOff,
            double[] g,
            int gOff,
            int n,
            double step) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double mi = m[mOff + i] = beta1 * m[mOff + i] + (1 - beta1) * gi;
            double vi = v[vOff + i] = beta2 * v[vOff + i] + (1 - beta2) * gi * gi;
            w[wOff + i] -= step * mi / (Math.sqrt(vi) + epsilon);
        }
    }
}
