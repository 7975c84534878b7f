package dev.deepmatch.model.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the {@link Blas} matrix products through the incubating Vector API. HotSpot's
 * auto-vectorizer leaves the scalar loops at about a sixth of what explicit vectors reach, because
 * each multiply-add there loads and stores C. Here a block of C stays in registers for the whole
 * reduction. The order of every floating-point operation is the scalar kernels' (groups of four
 * products summed left to right, then added to C), so both give bit-identical results and golden
 * values hold whichever runs. Columns beyond the last whole vector run as scalar loops: masked
 * vector loads are not compiled to SIMD on Java 17. Loaded only when the JVM has {@code
 * jdk.incubator.vector}.
 */
final class VectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorKernels() {}

    /** C[m x n] = (C +) A[m x k] * B[k x n]; see {@link Blas#gemm}. */
    static void gemm(
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            double[] c,
            int cOff,
            int m,
            int k,
            int n,
            boolean accumulate) {
        int full = n - n % L;
        int i = 0;
        // Four rows of A at a time against every block of columns: A's rows and all of B stay in
        // cache, and each loaded vector of B serves four accumulators. (Two vectors per row, eight
        // accumulators, defeat C2's inlining of the Vector API on Java 17 and run boxed.)
        for (; i + 3 < m; i += 4) {
            for (int j = 0; j < full; j += L) {
                rows4x1(a, aOff + i * k, b, bOff + j, c, cOff + i * n + j, k, n, accumulate);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < full; j += L) {
                int c0 = cOff + i * n + j;
                DoubleVector r0 = start(c, c0, accumulate);
                int a0 = aOff + i * k;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    int o = bOff + p * n + j;
                    r0 =
                            r0.add(
                                    group(
                                            DoubleVector.fromArray(S, b, o),
                                            DoubleVector.fromArray(S, b, o + n),
                                            DoubleVector.fromArray(S, b, o + 2 * n),
                                            DoubleVector.fromArray(S, b, o + 3 * n),
                                            a,
                                            a0 + p));
                }
                for (; p < k; p++) {
                    r0 = r0.add(DoubleVector.fromArray(S, b, bOff + p * n + j).mul(a[a0 + p]));
                }
                r0.intoArray(c, c0);
            }
        }
        for (int row = 0; row < m; row++) {
            for (int j = full; j < n; j++) {
                int a0 = aOff + row * k;
                double r = accumulate ? c[cOff + row * n + j] : 0.0;
                int p = 0;
                for (; p + 3 < k; p += 4) {
                    int o = bOff + p * n + j;
                    r +=
                            a[a0 + p] * b[o]
                                    + a[a0 + p + 1] * b[o + n]
                                    + a[a0 + p + 2] * b[o + 2 * n]
                                    + a[a0 + p + 3] * b[o + 3 * n];
                }
                for (; p < k; p++) {
                    r += a[a0 + p] * b[bOff + p * n + j];
                }
                c[cOff + row * n + j] = r;
            }
        }
    }

    /** C[4 x L] block at c0 (row stride n) from four rows of A at a0 and B's columns at b0. */
    private static void rows4x1(
            double[] a, int a0, double[] b, int b0, double[] c, int c0, int k, int n, boolean acc) {
        int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        DoubleVector r0 = start(c, c0, acc);
        DoubleVector r1 = start(c, c0 + n, acc);
        DoubleVector r2 = start(c, c0 + 2 * n, acc);
        DoubleVector r3 = start(c, c0 + 3 * n, acc);
        int p = 0;
        for (; p + 3 < k; p += 4) {
            int o = b0 + p * n;
            DoubleVector v0 = DoubleVector.fromArray(S, b, o);
            DoubleVector v1 = DoubleVector.fromArray(S, b, o + n);
            DoubleVector v2 = DoubleVector.fromArray(S, b, o + 2 * n);
            DoubleVector v3 = DoubleVector.fromArray(S, b, o + 3 * n);
            r0 = r0.add(group(v0, v1, v2, v3, a, a0 + p));
            r1 = r1.add(group(v0, v1, v2, v3, a, a1 + p));
            r2 = r2.add(group(v0, v1, v2, v3, a, a2 + p));
            r3 = r3.add(group(v0, v1, v2, v3, a, a3 + p));
        }
        for (; p < k; p++) {
            DoubleVector v = DoubleVector.fromArray(S, b, b0 + p * n);
            r0 = r0.add(v.mul(a[a0 + p]));
            r1 = r1.add(v.mul(a[a1 + p]));
            r2 = r2.add(v.mul(a[a2 + p]));
            r3 = r3.add(v.mul(a[a3 + p]));
        }
        r0.intoArray(c, c0);
        r1.intoArray(c, c0 + n);
        r2.intoArray(c, c0 + 2 * n);
        r3.intoArray(c, c0 + 3 * n);
    }

    /**
     * C[k x n] += A[m x k]^T * B[m x n]; see {@link Blas#gemmTnAcc}. Rows of A and B are taken in
     * slabs that stay in cache while every block of C passes over them; slabs are a multiple of
     * four rows, so each element of C still sums its groups of four in the scalar order.
     */
    static void gemmTnAcc(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        int full = n - n % L;
        int wholeGroups = m - m % 4;
        for (int from = 0; from < wholeGroups; from += SLAB) {
            int to = Math.min(wholeGroups, from + SLAB);
            tnSlab(a, aOff, b, bOff, c, cOff, from, to, k, n, full);
        }
        for (int i = wholeGroups; i < m; i++) {
            tnRow(a, aOff + i * k, b, bOff + i * n, c, cOff, k, n, full);
        }
        for (int p = 0; p < k; p++) {
            for (int j = full; j < n; j++) {
                double r = c[cOff + p * n + j];
                int i = 0;
                for (; i + 3 < m; i += 4) {
                    int x = aOff + i * k + p;
                    int o = bOff + i * n + j;
                    r +=
                            a[x] * b[o]
                                    + a[x + k] * b[o + n]
                                    + a[x + 2 * k] * b[o + 2 * n]
                                    + a[x + 3 * k] * b[o + 3 * n];
                }
                for (; i < m; i++) {
                    r += a[aOff + i * k + p] * b[bOff + i * n + j];
                }
                c[cOff + p * n + j] = r;
            }
        }
    }

    private static final int SLAB = 64;

    /** Rows [from, to) of A and B, a multiple of four, into the whole-vector columns of C. */
    private static void tnSlab(
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            double[] c,
            int cOff,
            int from,
            int to,
            int k,
            int n,
            int full) {
        for (int j = 0; j < full; j += L) {
            int p = 0;
            for (; p + 3 < k; p += 4) {
                int c0 = cOff + p * n + j;
                DoubleVector r0 = DoubleVector.fromArray(S, c, c0);
                DoubleVector r1 = DoubleVector.fromArray(S, c, c0 + n);
                DoubleVector r2 = DoubleVector.fromArray(S, c, c0 + 2 * n);
                DoubleVector r3 = DoubleVector.fromArray(S, c, c0 + 3 * n);
                for (int i = from; i < to; i += 4) {
                    int o = bOff + i * n + j;
                    DoubleVector v0 = DoubleVector.fromArray(S, b, o);
                    DoubleVector v1 = DoubleVector.fromArray(S, b, o + n);
                    DoubleVector v2 = DoubleVector.fromArray(S, b, o + 2 * n);
                    DoubleVector v3 = DoubleVector.fromArray(S, b, o + 3 * n);
                    int x = aOff + i * k + p;
                    r0 = r0.add(column(v0, v1, v2, v3, a, x, k));
                    r1 = r1.add(column(v0, v1, v2, v3, a, x + 1, k));
                    r2 = r2.add(column(v0, v1, v2, v3, a, x + 2, k));
                    r3 = r3.add(column(v0, v1, v2, v3, a, x + 3, k));
                }
                r0.intoArray(c, c0);
                r1.intoArray(c, c0 + n);
                r2.intoArray(c, c0 + 2 * n);
                r3.intoArray(c, c0 + 3 * n);
            }
            for (; p < k; p++) {
                int c0 = cOff + p * n + j;
                DoubleVector r0 = DoubleVector.fromArray(S, c, c0);
                for (int i = from; i < to; i += 4) {
                    int o = bOff + i * n + j;
                    r0 =
                            r0.add(
                                    column(
                                            DoubleVector.fromArray(S, b, o),
                                            DoubleVector.fromArray(S, b, o + n),
                                            DoubleVector.fromArray(S, b, o + 2 * n),
                                            DoubleVector.fromArray(S, b, o + 3 * n),
                                            a,
                                            aOff + i * k + p,
                                            k));
                }
                r0.intoArray(c, c0);
            }
        }
    }

    /** One leftover row: C[p][j] += a[p] * b[j] over the whole-vector columns. */
    private static void tnRow(
            double[] a,
            int aRow,
            double[] b,
            int bRow,
            double[] c,
            int cOff,
            int k,
            int n,
            int full) {
        for (int p = 0; p < k; p++) {
            double x = a[aRow + p];
            for (int j = 0; j < full; j += L) {
                int c0 = cOff + p * n + j;
                DoubleVector.fromArray(S, c, c0)
                        .add(DoubleVector.fromArray(S, b, bRow + j).mul(x))
                        .intoArray(c, c0);
            }
        }
    }

    /** y[n] += alpha * x[n]; see {@link Blas#axpy}. */
    static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            DoubleVector.fromArray(S, y, yOff + i)
                    .add(DoubleVector.fromArray(S, x, xOff + i).mul(alpha))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    private static DoubleVector start(double[] c, int off, boolean load) {
        return load ? DoubleVector.fromArray(S, c, off) : DoubleVector.zero(S);
    }

    /** x[o]*v0 + x[o+1]*v1 + x[o+2]*v2 + x[o+3]*v3, summed left to right like the scalar code. */
    private static DoubleVector group(
            DoubleVector v0, DoubleVector v1, DoubleVector v2, DoubleVector v3, double[] x, int o) {
        return v0.mul(x[o]).add(v1.mul(x[o + 1])).add(v2.mul(x[o + 2])).add(v3.mul(x[o + 3]));
    }

    /** The same with x[o], x[o+stride], x[o+2*stride], x[o+3*stride]. */
    private static DoubleVector column(
            DoubleVector v0,
            DoubleVector v1,
            DoubleVector v2,
            DoubleVector v3,
            double[] x,
            int o,
            int stride) {
        return v0.mul(x[o])
                .add(v1.mul(x[o + stride]))
                .add(v2.mul(x[o + 2 * stride]))
                .add(v3.mul(x[o + 3 * stride]));
    }
}
