package dev.deepmatch.model.math;

/** Row-wise layer normalization with learned gain and bias, forward and backward. */
public final class LayerNorm {
    public static final double EPS = 1e-5;

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
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n;
            int yi = i * n;
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += x[xi + j];
            }
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[xi + j] - mean;
                var += d * d;
            }
            double r = 1.0 / Math.sqrt(var / n + EPS);
            rstd[i] = r;
            for (int j = 0; j < n; j++) {
                double h = (x[xi + j] - mean) * r;
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
        for (int i = 0; i < m; i++) {
            int yi = i * n;
            double sumG = 0, sumGx = 0;
            for (int j = 0; j < n; j++) {
                double g = dy[yi + j] * w[gammaOff + j];
                sumG += g;
                sumGx += g * xhat[yi + j];
                gw[gammaOff + j] += dy[yi + j] * xhat[yi + j];
                gw[betaOff + j] += dy[yi + j];
            }
            double r = rstd[i] / n;
            int di = dxOff + i * n;
            for (int j = 0; j < n; j++) {
                double g = dy[yi + j] * w[gammaOff + j];
                dx[di + j] += r * (n * g - sumG - xhat[yi + j] * sumGx);
            }
        }
    }
}
