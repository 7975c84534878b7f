package dev.deepmatch.model.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LayerNorm} on 8-lane vectors: lane l holds the partial sum of elements j = l mod 8, which
 * is exactly the scalar code's order, so the results are bit-identical. Used only where the
 * preferred double vector has 8 lanes (AVX-512); loaded only with the Vector API.
 */
final class VectorLayerNorm {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    /** Whether this machine's vectors match the scalar code's eight partial sums. */
    static final boolean USABLE = S.length() == 8;

    private VectorLayerNorm() {}

    static void forward(
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
        int whole = n - n % 8;
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n;
            int yi = i * n;
            DoubleVector acc = DoubleVector.zero(S);
            for (int j = 0; j < whole; j += 8) {
                acc = acc.add(DoubleVector.fromArray(S, x, xi + j));
            }
            double sum = lanesInOrder(acc);
            for (int j = whole; j < n; j++) {
                sum += x[xi + j];
            }
            double mean = sum / n;
            acc = DoubleVector.zero(S);
            for (int j = 0; j < whole; j += 8) {
                DoubleVector d = DoubleVector.fromArray(S, x, xi + j).sub(mean);
                d.intoArray(xhat, yi + j);
                acc = acc.add(d.mul(d));
            }
            double squares = lanesInOrder(acc);
            for (int j = whole; j < n; j++) {
                double d = x[xi + j] - mean;
                xhat[yi + j] = d;
                squares += d * d;
            }
            double r = 1.0 / Math.sqrt(squares / n + LayerNorm.EPS);
            rstd[i] = r;
            for (int j = 0; j < whole; j += 8) {
                DoubleVector h = DoubleVector.fromArray(S, xhat, yi + j).mul(r);
                h.intoArray(xhat, yi + j);
                h.mul(DoubleVector.fromArray(S, w, gammaOff + j))
                        .add(DoubleVector.fromArray(S, w, betaOff + j))
                        .intoArray(y, yi + j);
            }
            for (int j = whole; j < n; j++) {
                double h = xhat[yi + j] * r;
                xhat[yi + j] = h;
                y[yi + j] = h * w[gammaOff + j] + w[betaOff + j];
            }
        }
    }

    static void backward(
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
        int whole = n - n % 8;
        double[] g = new double[n];
        for (int i = 0; i < m; i++) {
            int yi = i * n;
            DoubleVector accG = DoubleVector.zero(S);
            DoubleVector accGx = DoubleVector.zero(S);
            for (int j = 0; j < whole; j += 8) {
                DoubleVector d = DoubleVector.fromArray(S, dy, yi + j);
                DoubleVector h = DoubleVector.fromArray(S, xhat, yi + j);
                DoubleVector gj = d.mul(DoubleVector.fromArray(S, w, gammaOff + j));
                gj.intoArray(g, j);
                DoubleVector.fromArray(S, gw, gammaOff + j)
                        .add(d.mul(h))
                        .intoArray(gw, gammaOff + j);
                DoubleVector.fromArray(S, gw, betaOff + j).add(d).intoArray(gw, betaOff + j);
                accG = accG.add(gj);
                accGx = accGx.add(gj.mul(h));
            }
            double sumG = lanesInOrder(accG);
            double sumGx = lanesInOrder(accGx);
            for (int j = whole; j < n; j++) {
                double gj = dy[yi + j] * w[gammaOff + j];
                g[j] = gj;
                gw[gammaOff + j] += dy[yi + j] * xhat[yi + j];
                gw[betaOff + j] += dy[yi + j];
                sumG += gj;
                sumGx += gj * xhat[yi + j];
            }
            double r = rstd[i] / n;
            int di = dxOff + i * n;
            for (int j = 0; j < whole; j += 8) {
                DoubleVector t =
                        DoubleVector.fromArray(S, g, j)
                                .mul(n)
                                .sub(sumG)
                                .sub(DoubleVector.fromArray(S, xhat, yi + j).mul(sumGx));
                DoubleVector.fromArray(S, dx, di + j).add(t.mul(r)).intoArray(dx, di + j);
            }
            for (int j = whole; j < n; j++) {
                dx[di + j] += r * (n * g[j] - sumG - xhat[yi + j] * sumGx);
            }
        }
    }

    /** lane 0 + lane 1 + ... + lane 7, left to right, as the scalar partials are added. */
    private static double lanesInOrder(DoubleVector v) {
        return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6)
                + v.lane(7);
    }
}
