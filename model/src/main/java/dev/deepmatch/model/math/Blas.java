package dev.deepmatch.model.math;

/**
 * Row-major dense kernels on {@code double[]} with offsets. The matrix products run on {@link
 * VectorKernels} when the JVM has the incubating Vector API ({@code --add-modules
 * jdk.incubator.vector}, which the build and {@code bin/learner} pass), else on the scalar loops
 * below. {@code -Ddeepmatch.blas=scalar} forces the scalar loops.
 *
 * <p>Every element of a product is one chain of fused multiply-adds in the order of the summed
 * index, starting from C (or zero), and {@code axpy} fuses too. That order does not depend on how
 * the kernels block the loops, so both paths give bit-identical results and golden values hold
 * whichever runs. The scalar loops use {@link Math#fma}, which is one instruction on any x86-64
 * since 2013 but a slow software routine without hardware FMA.
 */
public final class Blas {
    /** Whether the matrix products run on explicit SIMD vectors. */
    public static final boolean VECTORIZED =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !"scalar".equals(System.getProperty("deepmatch.blas"));

    private static Boolean compiled;

    private Blas() {}

    /**
     * Compiles the vector kernels on small products before any large one runs (see {@link
     * KernelWarmUp}); once per JVM, later calls return at once. Returns whether the products now
     * run as compiled vector code: false where the JVM has no Vector API, or when the warm-up's
     * probe still allocated after its time budget (products will then be several times slower,
     * which callers should say).
     */
    public static synchronized boolean warmUp() {
        if (compiled == null) {
            compiled = VECTORIZED && KernelWarmUp.run();
        }
        return compiled;
    }

    /** C[m x n] (+)= A[m x k] * B[k x n], all dense (row strides k, n, n). */
    public static void gemm(
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
        gemm(a, aOff, k, b, bOff, n, c, cOff, n, m, k, n, accumulate);
    }

    /**
     * C[m x n] (+)= A[m x k] * B[k x n] where rows of A, B and C start lda, ldb and ldc apart, so a
     * block of columns of a wider matrix (one attention head) is an operand as it lies.
     */
    public static void gemm(
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
        if (VECTORIZED) {
            VectorKernels.gemm(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, k, n, accumulate);
            return;
        }
        scalarGemm(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, k, n, accumulate);
    }

    /** The scalar {@link #gemm}; public so tests and benchmarks can compare the two. */
    public static void scalarGemm(
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
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (!accumulate) {
                java.util.Arrays.fill(c, ci, ci + n, 0.0);
            }
            for (int p = 0; p < k; p++) {
                double x = a[aOff + i * lda + p];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] = Math.fma(x, b[bp + j], c[ci + j]);
                }
            }
        }
    }

    /** C[k x n] += A[m x k]^T * B[m x n] (weight gradients), summed over rows in order. */
    public static void gemmTnAcc(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        gemmTnAcc(a, aOff, k, b, bOff, n, c, cOff, n, m, k, n);
    }

    /** {@link #gemmTnAcc} with row strides lda, ldb, ldc, as in the strided {@link #gemm}. */
    public static void gemmTnAcc(
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
        if (VECTORIZED) {
            VectorKernels.gemmTnAcc(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, k, n);
            return;
        }
        scalarGemmTnAcc(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, m, k, n);
    }

    /** The scalar {@link #gemmTnAcc}. */
    public static void scalarGemmTnAcc(
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
        for (int i = 0; i < m; i++) {
            int bi = bOff + i * ldb;
            for (int p = 0; p < k; p++) {
                double x = a[aOff + i * lda + p];
                int cp = cOff + p * ldc;
                for (int j = 0; j < n; j++) {
                    c[cp + j] = Math.fma(x, b[bi + j], c[cp + j]);
                }
            }
        }
    }

    /** C[m x n] (+)= A[m x k] * B^T where B is [n x k]; transposes B once into scratch. */
    public static void gemmNt(
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            double[] c,
            int cOff,
            int m,
            int k,
            int n,
            boolean accumulate,
            double[] scratch) {
        transpose(b, bOff, n, k, scratch, 0);
        gemm(a, aOff, scratch, 0, c, cOff, m, k, n, accumulate);
    }

    /**
     * The dense {@link #gemm} at a {@link Precision}: C[m x n] (+)= A[m x k] * B[k x n], or times
     * the transpose of B[n x k] when {@code transposeB} (no scratch needed: the float path packs B
     * itself, the double path transposes into {@code scratch} of at least k * n).
     */
    public static void gemm(
            Precision precision,
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            boolean transposeB,
            double[] c,
            int cOff,
            int m,
            int k,
            int n,
            boolean accumulate,
            double[] scratch) {
        if (precision == Precision.DOUBLE) {
            if (transposeB) {
                gemmNt(a, aOff, b, bOff, c, cOff, m, k, n, accumulate, scratch);
            } else {
                gemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
            }
        } else if (VECTORIZED) {
            FloatKernels.gemm(
                    a,
                    aOff,
                    k,
                    b,
                    bOff,
                    transposeB ? k : n,
                    transposeB,
                    c,
                    cOff,
                    n,
                    m,
                    k,
                    n,
                    accumulate);
        } else {
            scalarGemmFloat(a, aOff, b, bOff, transposeB, c, cOff, m, k, n, accumulate);
        }
    }

    /**
     * The scalar float {@link #gemm(Precision, double[], int, double[], int, boolean, double[],
     * int, int, int, int, boolean, double[])}.
     */
    public static void scalarGemmFloat(
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            boolean transposeB,
            double[] c,
            int cOff,
            int m,
            int k,
            int n,
            boolean accumulate) {
        float[] r = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(r, 0f);
            for (int p = 0; p < k; p++) {
                float x = (float) a[aOff + i * k + p];
                for (int j = 0; j < n; j++) {
                    float y = (float) (transposeB ? b[bOff + j * k + p] : b[bOff + p * n + j]);
                    r[j] = Math.fma(x, y, r[j]);
                }
            }
            int ci = cOff + i * n;
            for (int j = 0; j < n; j++) {
                c[ci + j] = accumulate ? c[ci + j] + r[j] : r[j];
            }
        }
    }

    /**
     * Rows of A and B that the float {@link #gemmTnAcc(Precision, double[], int, double[], int,
     * double[], int, int, int, int)} sums in float before adding to C.
     */
    public static final int FLOAT_SLAB = 256;

    /**
     * The dense {@link #gemmTnAcc} at a {@link Precision}. In float, each slab of {@link
     * #FLOAT_SLAB} rows is one float chain per element, added to C in double.
     */
    public static void gemmTnAcc(
            Precision precision,
            double[] a,
            int aOff,
            double[] b,
            int bOff,
            double[] c,
            int cOff,
            int m,
            int k,
            int n) {
        if (precision == Precision.DOUBLE) {
            gemmTnAcc(a, aOff, b, bOff, c, cOff, m, k, n);
        } else if (VECTORIZED) {
            FloatKernels.gemmTnAcc(a, aOff, k, b, bOff, n, c, cOff, n, m, k, n);
        } else {
            scalarGemmTnAccFloat(a, aOff, b, bOff, c, cOff, m, k, n);
        }
    }

    /**
     * The scalar float {@link #gemmTnAcc(Precision, double[], int, double[], int, double[], int,
     * int, int, int)}.
     */
    public static void scalarGemmTnAccFloat(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        float[] r = new float[k * n];
        for (int from = 0; from < m; from += FLOAT_SLAB) {
            java.util.Arrays.fill(r, 0f);
            for (int i = from; i < Math.min(m, from + FLOAT_SLAB); i++) {
                for (int p = 0; p < k; p++) {
                    float x = (float) a[aOff + i * k + p];
                    for (int j = 0; j < n; j++) {
                        r[p * n + j] = Math.fma(x, (float) b[bOff + i * n + j], r[p * n + j]);
                    }
                }
            }
            for (int q = 0; q < k * n; q++) {
                c[cOff + q] += r[q];
            }
        }
    }

    /** dst[cols x rows] = src[rows x cols]^T. */
    public static void transpose(
            double[] src, int off, int rows, int cols, double[] dst, int dOff) {
        for (int r = 0; r < rows; r++) {
            int s = off + r * cols;
            for (int c = 0; c < cols; c++) {
                dst[dOff + c * rows + r] = src[s + c];
            }
        }
    }

    /** out[j] += sum over rows i of x[i][j] (bias gradients), rows in order. */
    public static void sumRowsAcc(double[] x, int off, int m, int n, double[] out, int outOff) {
        if (VECTORIZED) {
            VectorKernels.sumRowsAcc(x, off, m, n, out, outOff);
            return;
        }
        scalarSumRowsAcc(x, off, m, n, out, outOff);
    }

    /** The scalar {@link #sumRowsAcc}. */
    public static void scalarSumRowsAcc(
            double[] x, int off, int m, int n, double[] out, int outOff) {
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < n; j++) {
                out[outOff + j] += x[xi + j];
            }
        }
    }

    /** Adds a bias row to every row of x[m x n]. */
    public static void addBias(double[] x, int off, int m, int n, double[] bias, int bOff) {
        if (VECTORIZED) {
            VectorKernels.addBias(x, off, m, n, bias, bOff);
            return;
        }
        scalarAddBias(x, off, m, n, bias, bOff);
    }

    /** The scalar {@link #addBias}. */
    public static void scalarAddBias(double[] x, int off, int m, int n, double[] bias, int bOff) {
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < n; j++) {
                x[xi + j] += bias[bOff + j];
            }
        }
    }

    /** x[i][j] = relu(x[i][j] + bias[j]): +0.0 where the sum is not positive. */
    public static void addBiasRelu(double[] x, int off, int m, int n, double[] bias, int bOff) {
        if (VECTORIZED) {
            VectorKernels.addBiasRelu(x, off, m, n, bias, bOff);
            return;
        }
        scalarAddBiasRelu(x, off, m, n, bias, bOff);
    }

    /** The scalar {@link #addBiasRelu}. */
    public static void scalarAddBiasRelu(
            double[] x, int off, int m, int n, double[] bias, int bOff) {
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < n; j++) {
                double v = x[xi + j] + bias[bOff + j];
                x[xi + j] = v <= 0 ? 0.0 : v;
            }
        }
    }

    public static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** x[i] = 0 wherever mask[i] <= 0, for i < n: the backward of a relu whose output is mask. */
    public static void zeroWhereNotPositive(double[] x, double[] mask, int n) {
        if (VECTORIZED) {
            VectorKernels.zeroWhereNotPositive(x, mask, n);
            return;
        }
        scalarZeroWhereNotPositive(x, mask, n);
    }

    /** The scalar {@link #zeroWhereNotPositive}. */
    public static void scalarZeroWhereNotPositive(double[] x, double[] mask, int n) {
        for (int i = 0; i < n; i++) {
            if (mask[i] <= 0) {
                x[i] = 0;
            }
        }
    }

    /** y += alpha * x. */
    public static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        // Below one vector's length the call costs more than the loop.
        if (VECTORIZED && n >= 8) {
            VectorKernels.axpy(alpha, x, xOff, y, yOff, n);
            return;
        }
        scalarAxpy(alpha, x, xOff, y, yOff, n);
    }

    /** The scalar {@link #axpy}. */
    public static void scalarAxpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }
}
