package dev.deepmatch.model.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD versions of the {@link Blas} kernels through the incubating Vector API. A block of C stays
 * in registers for the whole reduction: four rows by four vectors where the shape allows (sixteen
 * independent FMA chains, enough to hide the FMA latency on two ports), then four rows by one
 * vector, one by one, and scalar loops for the columns beyond the last whole vector (masked loads
 * are not compiled to SIMD on Java 17). Each element is the same FMA chain as in the scalar loops,
 * so the results are bit-identical. Loaded only when the JVM has {@code jdk.incubator.vector}.
 */
final class VectorKernels {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int WIDE = 4 * L;

    /** Rows of A and B per pass of gemmTnAcc: they stay in cache while C's blocks pass over. */
    private static final int SLAB = 64;

    private VectorKernels() {}

    /**
     * C[m x n] = (C +) A[m x k] * B[k x n] with row strides lda, ldb, ldc; see {@link Blas#gemm}.
     */
    static void gemm(
            double[] a,
            int aOff,
            int lda,
            double[] b,
            int bOff,
            int ldb,
            double[] c,
            int cOff,
            int ldc,
            int m,
            int k,
            int n,
            boolean accumulate) {
        if (!accumulate) {
            // Always loading C keeps the kernels free of vector phis, which C2 would box.
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
            }
        }
        int wide = n - n % WIDE;
        int full = n - n % L;
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int a0 = aOff + i * lda;
            int c0 = cOff + i * ldc;
            int j = 0;
            for (; j < wide; j += WIDE) {
                rows4x4(a, a0, lda, b, bOff + j, ldb, c, c0 + j, ldc, k);
            }
            for (; j < full; j += L) {
                rows4x1(a, a0, lda, b, bOff + j, ldb, c, c0 + j, ldc, k);
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < full; j += L) {
                row1x1(a, aOff + i * lda, b, bOff + j, ldb, c, cOff + i * ldc + j, k);
            }
        }
        for (int row = 0; row < m; row++) {
            int a0 = aOff + row * lda;
            for (int j = full; j < n; j++) {
                int ci = cOff + row * ldc + j;
                double r = c[ci];
                for (int p = 0; p < k; p++) {
                    r = Math.fma(a[a0 + p], b[bOff + p * ldb + j], r);
                }
                c[ci] = r;
            }
        }
    }

    /** C[4 x 4L] block at c0 from four rows of A at a0 and B's columns at b0. */
    private static void rows4x4(
            double[] a,
            int a0,
            int lda,
            double[] b,
            int b0,
            int ldb,
            double[] c,
            int c0,
            int ldc,
            int k) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        DoubleVector r00 = load(c, c0), r01 = load(c, c0 + L);
        DoubleVector r02 = load(c, c0 + 2 * L), r03 = load(c, c0 + 3 * L);
        DoubleVector r10 = load(c, c1), r11 = load(c, c1 + L);
        DoubleVector r12 = load(c, c1 + 2 * L), r13 = load(c, c1 + 3 * L);
        DoubleVector r20 = load(c, c2), r21 = load(c, c2 + L);
        DoubleVector r22 = load(c, c2 + 2 * L), r23 = load(c, c2 + 3 * L);
        DoubleVector r30 = load(c, c3), r31 = load(c, c3 + L);
        DoubleVector r32 = load(c, c3 + 2 * L), r33 = load(c, c3 + 3 * L);
        for (int p = 0; p < k; p++) {
            int o = b0 + p * ldb;
            DoubleVector v0 = DoubleVector.fromArray(S, b, o);
            DoubleVector v1 = DoubleVector.fromArray(S, b, o + L);
            DoubleVector v2 = DoubleVector.fromArray(S, b, o + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, b, o + 3 * L);
            DoubleVector x = at(a, a0 + p);
            r00 = v0.fma(x, r00);
            r01 = v1.fma(x, r01);
            r02 = v2.fma(x, r02);
            r03 = v3.fma(x, r03);
            x = at(a, a1 + p);
            r10 = v0.fma(x, r10);
            r11 = v1.fma(x, r11);
            r12 = v2.fma(x, r12);
            r13 = v3.fma(x, r13);
            x = at(a, a2 + p);
            r20 = v0.fma(x, r20);
            r21 = v1.fma(x, r21);
            r22 = v2.fma(x, r22);
            r23 = v3.fma(x, r23);
            x = at(a, a3 + p);
            r30 = v0.fma(x, r30);
            r31 = v1.fma(x, r31);
            r32 = v2.fma(x, r32);
            r33 = v3.fma(x, r33);
        }
        store4(r00, r01, r02, r03, c, c0);
        store4(r10, r11, r12, r13, c, c1);
        store4(r20, r21, r22, r23, c, c2);
        store4(r30, r31, r32, r33, c, c3);
    }

    /** C[4 x L] block at c0 from four rows of A at a0 and B's columns at b0. */
    private static void rows4x1(
            double[] a,
            int a0,
            int lda,
            double[] b,
            int b0,
            int ldb,
            double[] c,
            int c0,
            int ldc,
            int k) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        DoubleVector r0 = load(c, c0);
        DoubleVector r1 = load(c, c0 + ldc);
        DoubleVector r2 = load(c, c0 + 2 * ldc);
        DoubleVector r3 = load(c, c0 + 3 * ldc);
        for (int p = 0; p < k; p++) {
            DoubleVector v = DoubleVector.fromArray(S, b, b0 + p * ldb);
            r0 = v.fma(at(a, a0 + p), r0);
            r1 = v.fma(at(a, a1 + p), r1);
            r2 = v.fma(at(a, a2 + p), r2);
            r3 = v.fma(at(a, a3 + p), r3);
        }
        r0.intoArray(c, c0);
        r1.intoArray(c, c0 + ldc);
        r2.intoArray(c, c0 + 2 * ldc);
        r3.intoArray(c, c0 + 3 * ldc);
    }

    /** One row of C, L wide: the rows that do not fill a block of four. */
    private static void row1x1(
            double[] a, int a0, double[] b, int b0, int ldb, double[] c, int c0, int k) {
        DoubleVector r = load(c, c0);
        for (int p = 0; p < k; p++) {
            r = DoubleVector.fromArray(S, b, b0 + p * ldb).fma(at(a, a0 + p), r);
        }
        r.intoArray(c, c0);
    }

    /**
     * C[k x n] += A[m x k]^T * B[m x n] with row strides lda, ldb, ldc; see {@link Blas#gemmTnAcc}.
     */
    static void gemmTnAcc(
            double[] a,
            int aOff,
            int lda,
            double[] b,
            int bOff,
            int ldb,
            double[] c,
            int cOff,
            int ldc,
            int m,
            int k,
            int n) {
        int wide = n - n % WIDE;
        int full = n - n % L;
        // Slabs in order keep each element's chain in row order.
        for (int from = 0; from < m; from += SLAB) {
            int to = Math.min(m, from + SLAB);
            int p = 0;
            for (; p + 3 < k; p += 4) {
                int j = 0;
                for (; j < wide; j += WIDE) {
                    tn4x4(a, aOff + p, lda, b, bOff + j, ldb, c, cOff + p * ldc + j, ldc, from, to);
                }
                for (; j < full; j += L) {
                    tn4x1(a, aOff + p, lda, b, bOff + j, ldb, c, cOff + p * ldc + j, ldc, from, to);
                }
            }
            for (; p < k; p++) {
                for (int j = 0; j < full; j += L) {
                    tn1x1(a, aOff + p, lda, b, bOff + j, ldb, c, cOff + p * ldc + j, from, to);
                }
            }
            for (int q = 0; q < k; q++) {
                for (int j = full; j < n; j++) {
                    int ci = cOff + q * ldc + j;
                    double r = c[ci];
                    for (int i = from; i < to; i++) {
                        r = Math.fma(a[aOff + i * lda + q], b[bOff + i * ldb + j], r);
                    }
                    c[ci] = r;
                }
            }
        }
    }

    /** C[4 x 4L] block at c0 (four rows of C, A's columns at a0) over rows [from, to). */
    private static void tn4x4(
            double[] a,
            int a0,
            int lda,
            double[] b,
            int b0,
            int ldb,
            double[] c,
            int c0,
            int ldc,
            int from,
            int to) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        DoubleVector r00 = load(c, c0), r01 = load(c, c0 + L);
        DoubleVector r02 = load(c, c0 + 2 * L), r03 = load(c, c0 + 3 * L);
        DoubleVector r10 = load(c, c1), r11 = load(c, c1 + L);
        DoubleVector r12 = load(c, c1 + 2 * L), r13 = load(c, c1 + 3 * L);
        DoubleVector r20 = load(c, c2), r21 = load(c, c2 + L);
        DoubleVector r22 = load(c, c2 + 2 * L), r23 = load(c, c2 + 3 * L);
        DoubleVector r30 = load(c, c3), r31 = load(c, c3 + L);
        DoubleVector r32 = load(c, c3 + 2 * L), r33 = load(c, c3 + 3 * L);
        for (int i = from; i < to; i++) {
            int o = b0 + i * ldb;
            int x0 = a0 + i * lda;
            DoubleVector v0 = DoubleVector.fromArray(S, b, o);
            DoubleVector v1 = DoubleVector.fromArray(S, b, o + L);
            DoubleVector v2 = DoubleVector.fromArray(S, b, o + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, b, o + 3 * L);
            DoubleVector x = at(a, x0);
            r00 = v0.fma(x, r00);
            r01 = v1.fma(x, r01);
            r02 = v2.fma(x, r02);
            r03 = v3.fma(x, r03);
            x = at(a, x0 + 1);
            r10 = v0.fma(x, r10);
            r11 = v1.fma(x, r11);
            r12 = v2.fma(x, r12);
            r13 = v3.fma(x, r13);
            x = at(a, x0 + 2);
            r20 = v0.fma(x, r20);
            r21 = v1.fma(x, r21);
            r22 = v2.fma(x, r22);
            r23 = v3.fma(x, r23);
            x = at(a, x0 + 3);
            r30 = v0.fma(x, r30);
            r31 = v1.fma(x, r31);
            r32 = v2.fma(x, r32);
            r33 = v3.fma(x, r33);
        }
        store4(r00, r01, r02, r03, c, c0);
        store4(r10, r11, r12, r13, c, c1);
        store4(r20, r21, r22, r23, c, c2);
        store4(r30, r31, r32, r33, c, c3);
    }

    /** C[4 x L] block at c0 (four rows of C, A's columns at a0) over rows [from, to). */
    private static void tn4x1(
            double[] a,
            int a0,
            int lda,
            double[] b,
            int b0,
            int ldb,
            double[] c,
            int c0,
            int ldc,
            int from,
            int to) {
        DoubleVector r0 = load(c, c0);
        DoubleVector r1 = load(c, c0 + ldc);
        DoubleVector r2 = load(c, c0 + 2 * ldc);
        DoubleVector r3 = load(c, c0 + 3 * ldc);
        for (int i = from; i < to; i++) {
            DoubleVector v = DoubleVector.fromArray(S, b, b0 + i * ldb);
            int x0 = a0 + i * lda;
            r0 = v.fma(at(a, x0), r0);
            r1 = v.fma(at(a, x0 + 1), r1);
            r2 = v.fma(at(a, x0 + 2), r2);
            r3 = v.fma(at(a, x0 + 3), r3);
        }
        r0.intoArray(c, c0);
        r1.intoArray(c, c0 + ldc);
        r2.intoArray(c, c0 + 2 * ldc);
        r3.intoArray(c, c0 + 3 * ldc);
    }

    /** One row of C (A's column at a0), L wide, over rows [from, to). */
    private static void tn1x1(
            double[] a,
            int a0,
            int lda,
            double[] b,
            int b0,
            int ldb,
            double[] c,
            int c0,
            int from,
            int to) {
        DoubleVector r = load(c, c0);
        for (int i = from; i < to; i++) {
            r = DoubleVector.fromArray(S, b, b0 + i * ldb).fma(at(a, a0 + i * lda), r);
        }
        r.intoArray(c, c0);
    }

    /** out[j] += x[i][j] over rows i in order; see {@link Blas#sumRowsAcc}. */
    static void sumRowsAcc(double[] x, int off, int m, int n, double[] out, int outOff) {
        int full = n - n % L;
        // Slabs of rows in order, so each slab is read from cache once per block of columns.
        for (int from = 0; from < m; from += SLAB) {
            int to = Math.min(m, from + SLAB);
            for (int j = 0; j < full; j += L) {
                DoubleVector r = load(out, outOff + j);
                for (int i = from; i < to; i++) {
                    r = r.add(load(x, off + i * n + j));
                }
                r.intoArray(out, outOff + j);
            }
            for (int j = full; j < n; j++) {
                double r = out[outOff + j];
                for (int i = from; i < to; i++) {
                    r += x[off + i * n + j];
                }
                out[outOff + j] = r;
            }
        }
    }

    /** x[i][j] += bias[j]; see {@link Blas#addBias}. */
    static void addBias(double[] x, int off, int m, int n, double[] bias, int bOff) {
        int full = n - n % L;
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < full; j += L) {
                load(x, xi + j).add(load(bias, bOff + j)).intoArray(x, xi + j);
            }
            for (int j = full; j < n; j++) {
                x[xi + j] += bias[bOff + j];
            }
        }
    }

    /** x[i][j] = relu(x[i][j] + bias[j]); see {@link Blas#addBiasRelu}. */
    static void addBiasRelu(double[] x, int off, int m, int n, double[] bias, int bOff) {
        int full = n - n % L;
        DoubleVector zero = DoubleVector.zero(S);
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < full; j += L) {
                DoubleVector v = load(x, xi + j).add(load(bias, bOff + j));
                // A blend, not max, so -0.0 becomes +0.0 exactly as in the scalar loop.
                v.blend(zero, v.compare(VectorOperators.LE, 0.0)).intoArray(x, xi + j);
            }
            for (int j = full; j < n; j++) {
                double v = x[xi + j] + bias[bOff + j];
                x[xi + j] = v <= 0 ? 0.0 : v;
            }
        }
    }

    /** x[i] = 0 where mask[i] <= 0; see {@link Blas#zeroWhereNotPositive}. */
    static void zeroWhereNotPositive(double[] x, double[] mask, int n) {
        int j = 0;
        for (; j + L <= n; j += L) {
            VectorMask<Double> off =
                    DoubleVector.fromArray(S, mask, j).compare(VectorOperators.LE, 0.0);
            DoubleVector.fromArray(S, x, j).blend(0.0, off).intoArray(x, j);
        }
        for (; j < n; j++) {
            if (mask[j] <= 0) {
                x[j] = 0;
            }
        }
    }

    /** y[n] += alpha * x[n], fused; see {@link Blas#axpy}. */
    static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        DoubleVector s = DoubleVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            s.fma(DoubleVector.fromArray(S, x, xOff + i), DoubleVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    private static DoubleVector at(double[] x, int i) {
        return DoubleVector.broadcast(S, x[i]);
    }

    private static DoubleVector load(double[] c, int off) {
        return DoubleVector.fromArray(S, c, off);
    }

    private static void store4(
            DoubleVector r0,
            DoubleVector r1,
            DoubleVector r2,
            DoubleVector r3,
            double[] c,
            int c0) {
        r0.intoArray(c, c0);
        r1.intoArray(c, c0 + L);
        r2.intoArray(c, c0 + 2 * L);
        r3.intoArray(c, c0 + 3 * L);
    }
}
