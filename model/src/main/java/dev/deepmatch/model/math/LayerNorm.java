package dev.deepmatch.model.math;

/**
 * Row-wise layer normalization with learned gain and bias, forward and backward. Row sums run as
 * eight interleaved partial sums (element j into partial j mod 8 up to the last whole eight, the
 * partials then added in order, then the rest): the same numbers on every machine, and eight
 * independent add chains instead of one long one. Where double vectors have eight lanes the rows
 * run on {@link VectorLayerNorm}, which keeps exactly that order.
 */
public final class LayerNorm {
    public static final double EPS = 1e-5;

    private static final int PARTIALS = 8;

    /** Whether rows run on eight-lane vectors (same results, see the class comment). */
    private static final boolean VECTOR_ROWS = Blas.VECTORIZED && VectorLayerNorm.USABLE;

    private LayerNorm() {}

    /**
     * y = gamma * xhat + beta per row of x[m x n]; keeps xhat and 1/std per row for the backward
     * pass.
     */
    public static void forward(
            double[] x,
            int xOff,
            int m,
            int n,
            double[] w,
            int gammaOff,
            int betaOff,
            double[] xhat,
            double[] rstd,
            double[] y) {
        if (VECTOR_ROWS) {
            VectorLayerNorm.forward(x, xOff, m, n, w, gammaOff, betaOff, xhat, rstd, y);
            return;
        }
        scalarForward(x, xOff, m, n, w, gammaOff, betaOff, xhat, rstd, y);
    }

    /** The scalar {@link #forward}; public so tests can compare the two. */
    public static void scalarForward(
            double[] x,
            int xOff,
            int m,
            int n,
            double[] w,
            int gammaOff,
            int betaOff,
            double[] xhat,
            double[] rstd,
            double[] y) {
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n;
            int yi = i * n;
            double mean = sum(x, xi, n) / n;
            for (int j = 0; j < n; j++) {
                xhat[yi + j] = x[xi + j] - mean;
            }
            double r = 1.0 / Math.sqrt(dot(xhat, yi, xhat, yi, n) / n + EPS);
            rstd[i] = r;
            for (int j = 0; j < n; j++) {
                double h = xhat[yi + j] * r;
                xhat[yi + j] = h;
                y[yi + j] = h * w[gammaOff + j] + w[betaOff + j];
            }
        }
    }

    /** dx (+)= backward of the normalization given dy; accumulates gamma/beta gradients. */
    public static void backward(
            double[] dy,
            int m,
            int n,
            double[] xhat,
            double[] rstd,
            double[] w,
            int gammaOff,
            double[] gw,
            int betaOff,
            double[] dx,
            int dxOff) {
        if (VECTOR_ROWS) {
            VectorLayerNorm.backward(dy, m, n, xhat, rstd, w, gammaOff, gw, betaOff, dx, dxOff);
            return;
        }
        scalarBackward(dy, m, n, xhat, rstd, w, gammaOff, gw, betaOff, dx, dxOff);
    }

    /** The scalar {@link #backward}. */
    public static void scalarBackward(
            double[] dy,
            int m,
            int n,
            double[] xhat,
            double[] rstd,
            double[] w,
            int gammaOff,
            double[] gw,
            int betaOff,
            double[] dx,
            int dxOff) {
        double[] g = new double[n];
        for (int i = 0; i < m; i++) {
            int yi = i * n;
            for (int j = 0; j < n; j++) {
                g[j] = dy[yi + j] * w[gammaOff + j];
                gw[gammaOff + j] += dy[yi + j] * xhat[yi + j];
                gw[betaOff + j] += dy[yi + j];
            }
            double sumG = sum(g, 0, n);
            double sumGx = dot(g, 0, xhat, yi, n);
            double r = rstd[i] / n;
            int di = dxOff + i * n;
            for (int j = 0; j < n; j++) {
                dx[di + j] += r * (n * g[j] - sumG - xhat[yi + j] * sumGx);
            }
        }
    }

    /** a[off] + ... + a[off + n - 1] as eight interleaved partial sums. */
    static double sum(double[] a, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + PARTIALS <= n; j += PARTIALS) {
            int o = off + j;
            s0 += a[o];
            s1 += a[o + 1];
            s2 += a[o + 2];
            s3 += a[o + 3];
            s4 += a[o + 4];
            s5 += a[o + 5];
            s6 += a[o + 6];
            s7 += a[o + 7];
        }
        double s = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        for (; j < n; j++) {
            s += a[off + j];
        }
        return s;
    }

    /** The dot product of n values of a and b, as eight interleaved partial sums. */
    static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + PARTIALS <= n; j += PARTIALS) {
            int x = aOff + j;
            int y = bOff + j;
            s0 += a[x] * b[y];
            s1 += a[x + 1] * b[y + 1];
            s2 += a[x + 2] * b[y + 2];
            s3 += a[x + 3] * b[y + 3];
            s4 += a[x + 4] * b[y + 4];
            s5 += a[x + 5] * b[y + 5];
            s6 += a[x + 6] * b[y + 6];
            s7 += a[x + 7] * b[y + 7];
        }
        double s = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        for (; j < n; j++) {
            s += a[aOff + j] * b[bOff + j];
        }
        return s;
    }
}
