package dev.deepmatch.model.optim;

/**
 * Adagrad (Duchi, Hazan and Singer, 2011): each parameter's step is the base rate over the root of
 * its own summed squared gradients, so a row trained a few times still takes large steps while a
 * row trained often settles. The sum lives next to the parameters, like Adam's moments.
 */
public final class Adagrad {
    private static final double EPSILON = 1e-10;

    private Adagrad() {}

    /**
     * Updates {@code w[off, off + n)} and its squared-gradient sums {@code acc} (same offsets) with
     * the gradient {@code g[gOff, gOff + n)}.
     */
    public static void update(
            double[] w, double[] acc, int off, double[] g, int gOff, int n, double rate) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            if (gi == 0) {
                continue;
            }
            double a = acc[off + i] += gi * gi;
            w[off + i] -= rate * gi / (Math.sqrt(a) + EPSILON);
        }
    }
}
