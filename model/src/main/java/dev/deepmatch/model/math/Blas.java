package dev.deepmatch.model.math;

/**
 * Row-major dense kernels on {@code double[]} with offsets. The matrix products run on {@link
 * VectorKernels} when the JVM has the incubating Vector API ({@code --add-modules
 * jdk.incubator.vector}, which the build and {@code bin/learner} pass), else on the scalar loops
 * below; both give bit-identical results. {@code -Ddeepmatch.blas=scalar} forces the scalar loops.
 */
public final class Blas {
    /** Whether the matrix products run on explicit SIMD vectors. */
    public static final boolean VECTORIZED =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !"scalar".equals(System.getProperty("deepmatch.blas"));

    private Blas() {}

    /**
     * C[m x n] (+)= A[m x k] * B[k x n]. Two rows of C at a time share each load of B, four steps
     * of k share each load and store of C.
     */
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
        if (VECTORIZED) {
            VectorKernels.gemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
            return;
        }
        scalarGemm(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
    }

    /** The scalar {@link #gemm}; public so tests and benchmarks can compare the two. */
    public static void scalarGemm(
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
        if (!accumulate) {
            java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
        }
        int i = 0;
        for (; i + 1 < m; i += 2) {
            int c0 = cOff + i * n, c1 = c0 + n;
            int a0 = aOff + i * k, a1 = a0 + k;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                double x00 = a[a0 + p], x01 = a[a0 + p + 1], x02 = a[a0 + p + 2];
                double x03 = a[a0 + p + 3];
                double x10 = a[a1 + p], x11 = a[a1 + p + 1], x12 = a[a1 + p + 2];
                double x13 = a[a1 + p + 3];
                int b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++) {
                    double v0 = b[b0 + j], v1 = b[b1 + j], v2 = b[b2 + j], v3 = b[b3 + j];
                    c[c0 + j] += x00 * v0 + x01 * v1 + x02 * v2 + x03 * v3;
                    c[c1 + j] += x10 * v0 + x11 * v1 + x12 * v2 + x13 * v3;
                }
            }
            for (; p < k; p++) {
                double x0 = a[a0 + p], x1 = a[a1 + p];
                int b0 = bOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[c0 + j] += x0 * b[b0 + j];
                    c[c1 + j] += x1 * b[b0 + j];
                }
            }
        }
        if (i < m) {
            rowTimesMatrix(a, aOff + i * k, b, bOff, c, cOff + i * n, k, n);
        }
    }

    /** c[n] += a[k] * B[k x n]. */
    private static void rowTimesMatrix(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int k, int n) {
        int p = 0;
        for (; p + 3 < k; p += 4) {
            double a0 = a[aOff + p], a1 = a[aOff + p + 1], a2 = a[aOff + p + 2];
            double a3 = a[aOff + p + 3];
            int b0 = bOff + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
            for (int j = 0; j < n; j++) {
                c[cOff + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
            }
        }
        for (; p < k; p++) {
            double a0 = a[aOff + p];
            int b0 = bOff + p * n;
            for (int j = 0; j < n; j++) {
                c[cOff + j] += a0 * b[b0 + j];
            }
        }
    }

    /**
     * C[k x n] += A[m x k]^T * B[m x n] (weight gradients). Two rows of C at a time share each load
     * of B, four rows of A and B share each load and store of C.
     */
    public static void gemmTnAcc(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        if (VECTORIZED) {
            VectorKernels.gemmTnAcc(a, aOff, b, bOff, c, cOff, m, k, n);
            return;
        }
        scalarGemmTnAcc(a, aOff, b, bOff, c, cOff, m, k, n);
    }

    /** The scalar {@link #gemmTnAcc}. */
    public static void scalarGemmTnAcc(
            double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        int i = 0;
        for (; i + 3 < m; i += 4) {
            int a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
            int b0 = bOff + i * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
            int p = 0;
            for (; p + 1 < k; p += 2) {
                double x00 = a[a0 + p], x10 = a[a1 + p], x20 = a[a2 + p], x30 = a[a3 + p];
                double x01 = a[a0 + p + 1], x11 = a[a1 + p + 1], x21 = a[a2 + p + 1];
                double x31 = a[a3 + p + 1];
                int cp = cOff + p * n, cq = cp + n;
                for (int j = 0; j < n; j++) {
                    double v0 = b[b0 + j], v1 = b[b1 + j], v2 = b[b2 + j], v3 = b[b3 + j];
                    c[cp + j] += x00 * v0 + x10 * v1 + x20 * v2 + x30 * v3;
                    c[cq + j] += x01 * v0 + x11 * v1 + x21 * v2 + x31 * v3;
                }
            }
            for (; p < k; p++) {
                double x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                int cp = cOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cp + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
                }
            }
        }
        for (; i < m; i++) {
            int a0 = aOff + i * k;
            int b0 = bOff + i * n;
            for (int p = 0; p < k; p++) {
                double x0 = a[a0 + p];
                int cp = cOff + p * n;
                for (int j = 0; j < n; j++) {
                    c[cp + j] += x0 * b[b0 + j];
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

    /** out[j] += sum over rows i of x[i][j] (bias gradients). */
    public static void sumRowsAcc(double[] x, int off, int m, int n, double[] out, int outOff) {
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < n; j++) {
                out[outOff + j] += x[xi + j];
            }
        }
    }

    /** Adds a bias row to every row of x[m x n]. */
    public static void addBias(double[] x, int off, int m, int n, double[] bias, int bOff) {
        for (int i = 0; i < m; i++) {
            int xi = off + i * n;
            for (int j = 0; j < n; j++) {
                x[xi + j] += bias[bOff + j];
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
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
