package dev.deepmatch.model.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels for {@link Precision#FLOAT}: B is rounded into a float panel (zero-padded to whole
 * vectors), A into a float copy of four rows at a time (of a slab of rows in gemmTnAcc), each
 * element is one float FMA chain from zero in the order of the summed index, and the float result
 * is widened into the double C. Twice the lanes of the double kernels, with the same register
 * blocking (four rows by four vectors). The chains match {@link Blas}'s scalar float loops, so both
 * give bit-identical results.
 */
final class FloatKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    private static final int WIDE = 4 * FL;

    /** Half of F's lanes in floats and the same lanes in doubles: the widening conversion. */
    private static final VectorSpecies<Float> FH =
            VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    private static final VectorSpecies<Double> D =
            VectorSpecies.of(double.class, VectorShape.forBitSize(F.vectorBitSize()));
    private static final int DL = D.length();

    /** Per-thread panels: the trainer calls these from its worker pool, never nested. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] panel = new float[0];
        float[] rows = new float[0];
        final float[] block = new float[4 * WIDE];

        float[] panel(int size) {
            if (panel.length < size) {
                panel = new float[size];
            }
            return panel;
        }

        float[] rows(int size) {
            if (rows.length < size) {
                rows = new float[size];
            }
            return rows;
        }
    }

    private FloatKernels() {}

    /** Columns of a panel: n rounded up to whole float vectors. */
    private static int padded(int n) {
        return (n + FL - 1) / FL * FL;
    }

    /**
     * C[m x n] (+)= A[m x k] * op(B), op(B) = B[k x n] (row stride ldb) or, when {@code
     * transposeB}, the transpose of B[n x k].
     */
    static void gemm(
            double[] a,
            int aOff,
            int lda,
            double[] b,
            int bOff,
            int ldb,
            boolean transposeB,
            double[] c,
            int cOff,
            int ldc,
            int m,
            int k,
            int n,
            boolean accumulate) {
        Scratch s = SCRATCH.get();
        int np = padded(n);
        float[] panel = s.panel(k * np);
        for (int p = 0; p < k; p++) {
            int row = p * np;
            for (int j = 0; j < n; j++) {
                panel[row + j] =
                        (float) (transposeB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
            }
            java.util.Arrays.fill(panel, row + n, row + np, 0f);
        }
        float[] block = s.block;
        float[] af = s.rows(4 * k);
        int wide = np - np % WIDE;
        int i = 0;
        for (; i + 3 < m; i += 4) {
            for (int r = 0; r < 4; r++) {
                toFloat(a, aOff + (i + r) * lda, af, r * k, k);
            }
            int c0 = cOff + i * ldc;
            int j = 0;
            for (; j < wide; j += WIDE) {
                rows4x4(af, 0, k, panel, j, np, k, block);
                store(block, 4, WIDE, c, c0 + j, ldc, Math.min(WIDE, n - j), accumulate);
            }
            for (; j < np; j += FL) {
                rows4x1(af, 0, k, panel, j, np, k, block);
                store(block, 4, FL, c, c0 + j, ldc, Math.min(FL, n - j), accumulate);
            }
        }
        for (; i < m; i++) {
            toFloat(a, aOff + i * lda, af, 0, k);
            for (int j = 0; j < np; j += FL) {
                FloatVector r = FloatVector.zero(F);
                for (int p = 0; p < k; p++) {
                    r = FloatVector.fromArray(F, panel, p * np + j).fma(at(af, p), r);
                }
                r.intoArray(block, 0);
                store(block, 1, FL, c, cOff + i * ldc + j, ldc, Math.min(FL, n - j), accumulate);
            }
        }
    }

    /** A float [4 x 4FL] block from four rows of A at a0 and the panel's columns at j0. */
    private static void rows4x4(
            float[] a, int a0, int lda, float[] b, int j0, int ldb, int k, float[] out) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector z = FloatVector.zero(F);
        FloatVector r00 = z, r01 = z, r02 = z, r03 = z;
        FloatVector r10 = z, r11 = z, r12 = z, r13 = z;
        FloatVector r20 = z, r21 = z, r22 = z, r23 = z;
        FloatVector r30 = z, r31 = z, r32 = z, r33 = z;
        for (int p = 0; p < k; p++) {
            int o = j0 + p * ldb;
            FloatVector v0 = FloatVector.fromArray(F, b, o);
            FloatVector v1 = FloatVector.fromArray(F, b, o + FL);
            FloatVector v2 = FloatVector.fromArray(F, b, o + 2 * FL);
            FloatVector v3 = FloatVector.fromArray(F, b, o + 3 * FL);
            FloatVector x = at(a, a0 + p);
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
        put4(r00, r01, r02, r03, out, 0);
        put4(r10, r11, r12, r13, out, WIDE);
        put4(r20, r21, r22, r23, out, 2 * WIDE);
        put4(r30, r31, r32, r33, out, 3 * WIDE);
    }

    /** A float [4 x FL] block from four rows of A at a0 and the panel's columns at j0. */
    private static void rows4x1(
            float[] a, int a0, int lda, float[] b, int j0, int ldb, int k, float[] out) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector r0 = FloatVector.zero(F), r1 = r0, r2 = r0, r3 = r0;
        for (int p = 0; p < k; p++) {
            FloatVector v = FloatVector.fromArray(F, b, j0 + p * ldb);
            r0 = v.fma(at(a, a0 + p), r0);
            r1 = v.fma(at(a, a1 + p), r1);
            r2 = v.fma(at(a, a2 + p), r2);
            r3 = v.fma(at(a, a3 + p), r3);
        }
        r0.intoArray(out, 0);
        r1.intoArray(out, FL);
        r2.intoArray(out, 2 * FL);
        r3.intoArray(out, 3 * FL);
    }

    private static final int SLAB = Blas.FLOAT_SLAB;

    /**
     * C[k x n] += A[m x k]^T * B[m x n]: per slab of {@link #SLAB} rows, in order, a float sum from
     * zero added to C.
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
        Scratch s = SCRATCH.get();
        int np = padded(n);
        float[] panel = s.panel(SLAB * np);
        float[] af = s.rows(SLAB * k);
        float[] block = s.block;
        int wide = np - np % WIDE;
        for (int from = 0; from < m; from += SLAB) {
            int rows = Math.min(SLAB, m - from);
            for (int i = 0; i < rows; i++) {
                toFloat(b, bOff + (from + i) * ldb, panel, i * np, n);
                java.util.Arrays.fill(panel, i * np + n, i * np + np, 0f);
                toFloat(a, aOff + (from + i) * lda, af, i * k, k);
            }
            int p = 0;
            for (; p + 3 < k; p += 4) {
                int j = 0;
                for (; j < wide; j += WIDE) {
                    tn4x4(af, p, k, panel, j, np, rows, block);
                    store(block, 4, WIDE, c, cOff + p * ldc + j, ldc, Math.min(WIDE, n - j), true);
                }
                for (; j < np; j += FL) {
                    tn4x1(af, p, k, panel, j, np, rows, block);
                    store(block, 4, FL, c, cOff + p * ldc + j, ldc, Math.min(FL, n - j), true);
                }
            }
            for (; p < k; p++) {
                for (int j = 0; j < np; j += FL) {
                    FloatVector r = FloatVector.zero(F);
                    for (int i = 0; i < rows; i++) {
                        r = FloatVector.fromArray(F, panel, i * np + j).fma(at(af, i * k + p), r);
                    }
                    r.intoArray(block, 0);
                    store(block, 1, FL, c, cOff + p * ldc + j, ldc, Math.min(FL, n - j), true);
                }
            }
        }
    }

    /** A float [4 x 4FL] block: A's columns at a0 (four of them) against the panel's rows. */
    private static void tn4x4(
            float[] a, int a0, int lda, float[] b, int j0, int ldb, int rows, float[] out) {
        FloatVector z = FloatVector.zero(F);
        FloatVector r00 = z, r01 = z, r02 = z, r03 = z;
        FloatVector r10 = z, r11 = z, r12 = z, r13 = z;
        FloatVector r20 = z, r21 = z, r22 = z, r23 = z;
        FloatVector r30 = z, r31 = z, r32 = z, r33 = z;
        for (int i = 0; i < rows; i++) {
            int o = j0 + i * ldb;
            int x0 = a0 + i * lda;
            FloatVector v0 = FloatVector.fromArray(F, b, o);
            FloatVector v1 = FloatVector.fromArray(F, b, o + FL);
            FloatVector v2 = FloatVector.fromArray(F, b, o + 2 * FL);
            FloatVector v3 = FloatVector.fromArray(F, b, o + 3 * FL);
            FloatVector x = at(a, x0);
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
        put4(r00, r01, r02, r03, out, 0);
        put4(r10, r11, r12, r13, out, WIDE);
        put4(r20, r21, r22, r23, out, 2 * WIDE);
        put4(r30, r31, r32, r33, out, 3 * WIDE);
    }

    /** A float [4 x FL] block: four columns of A at a0 against the panel's rows. */
    private static void tn4x1(
            float[] a, int a0, int lda, float[] b, int j0, int ldb, int rows, float[] out) {
        FloatVector r0 = FloatVector.zero(F), r1 = r0, r2 = r0, r3 = r0;
        for (int i = 0; i < rows; i++) {
            FloatVector v = FloatVector.fromArray(F, b, j0 + i * ldb);
            int x0 = a0 + i * lda;
            r0 = v.fma(at(a, x0), r0);
            r1 = v.fma(at(a, x0 + 1), r1);
            r2 = v.fma(at(a, x0 + 2), r2);
            r3 = v.fma(at(a, x0 + 3), r3);
        }
        r0.intoArray(out, 0);
        r1.intoArray(out, FL);
        r2.intoArray(out, 2 * FL);
        r3.intoArray(out, 3 * FL);
    }

    /** dst[dOff..] = (float) src[off..], n values. */
    private static void toFloat(double[] src, int off, float[] dst, int dOff, int n) {
        int j = 0;
        for (; j + DL <= n; j += DL) {
            ((FloatVector)
                            DoubleVector.fromArray(D, src, off + j)
                                    .convertShape(VectorOperators.D2F, FH, 0))
                    .intoArray(dst, dOff + j);
        }
        for (; j < n; j++) {
            dst[dOff + j] = (float) src[off + j];
        }
    }

    /**
     * Widens the first {@code width} columns of each of the block's rows (row stride {@code
     * stride}) into C's rows at c0, adding to them or overwriting them.
     */
    private static void store(
            float[] block,
            int rows,
            int stride,
            double[] c,
            int c0,
            int ldc,
            int width,
            boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int t = r * stride;
            int ci = c0 + r * ldc;
            int j = 0;
            for (; j + DL <= width; j += DL) {
                DoubleVector v =
                        (DoubleVector)
                                FloatVector.fromArray(FH, block, t + j)
                                        .convertShape(VectorOperators.F2D, D, 0);
                if (accumulate) {
                    v = v.add(DoubleVector.fromArray(D, c, ci + j));
                }
                v.intoArray(c, ci + j);
            }
            for (; j < width; j++) {
                c[ci + j] = accumulate ? c[ci + j] + block[t + j] : block[t + j];
            }
        }
    }

    private static FloatVector at(float[] a, int i) {
        return FloatVector.broadcast(F, a[i]);
    }

    private static void put4(
            FloatVector r0, FloatVector r1, FloatVector r2, FloatVector r3, float[] out, int off) {
        r0.intoArray(out, off);
        r1.intoArray(out, off + FL);
        r2.intoArray(out, off + 2 * FL);
        r3.intoArray(out, off + 3 * FL);
    }
}
