package dev.deepmatch.model.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The blocked kernels against plain triple loops, on shapes that exercise every remainder. */
class BlasTest {

    @ParameterizedTest
    @CsvSource({"1,1,1", "2,4,8", "3,5,7", "7,3,2", "13,9,17", "64,64,64"})
    void kernelsMatchNaiveLoops(int m, int k, int n) {
        Random r = new Random(m * 31 + k * 7 + n);
        double[] a = random(r, 3 + m * k);
        double[] b = random(r, 5 + k * n);
        double[] bt = random(r, 2 + n * k);
        double[] bm = random(r, 4 + m * n);
        double[] c = random(r, 1 + m * n);
        double[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[3 + i * k + p] * b[5 + p * n + j];
                }
                expected[1 + i * n + j] += s;
            }
        }
        Blas.gemm(a, 3, b, 5, c, 1, m, k, n, true);
        assertAll(expected, c);

        double[] nt = new double[m * n];
        double[] ntExpected = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    ntExpected[i * n + j] += a[3 + i * k + p] * bt[2 + j * k + p];
                }
            }
        }
        Blas.gemmNt(a, 3, bt, 2, nt, 0, m, k, n, false, new double[k * n]);
        assertAll(ntExpected, nt);

        double[] tn = random(r, k * n);
        double[] tnExpected = tn.clone();
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    tnExpected[p * n + j] += a[3 + i * k + p] * bm[4 + i * n + j];
                }
            }
        }
        Blas.gemmTnAcc(a, 3, bm, 4, tn, 0, m, k, n);
        assertAll(tnExpected, tn);

        // The same product with C's rows n + 2 apart: the padding stays untouched.
        double[] wide = random(r, m * (n + 2));
        double[] wideExpected = wide.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[3 + i * k + p] * b[5 + p * n + j];
                }
                wideExpected[i * (n + 2) + j] = s;
            }
        }
        Blas.gemm(a, 3, k, b, 5, n, wide, 0, n + 2, m, k, n, false);
        assertAll(wideExpected, wide);
    }

    /** The build and the launcher start JVMs with the Vector API; losing that flag is a bug. */
    @Test
    void testsRunTheVectorKernels() {
        assertThat(Blas.VECTORIZED)
                .as("jdk.incubator.vector missing: check surefire's argLine")
                .isTrue();
    }

    /** Golden values hold on either path only while both compute in exactly the same order. */
    @ParameterizedTest
    @CsvSource({
        "1,1,1",
        "4,4,8",
        "3,5,7",
        "7,3,2",
        "13,9,17",
        "5,64,64",
        "64,128,64",
        "33,16,9",
        "133,20,24",
        "70,50,50",
        "50,32,33"
    })
    void vectorAndScalarKernelsAreBitIdentical(int m, int k, int n) {
        Random r = new Random(m * 131 + k * 17 + n);
        // Dense operands, then rows padded apart as one head's columns lie in a wider matrix.
        for (int pad : new int[] {0, 3}) {
            int lda = k + pad, ldb = n + 2 * pad, ldc = n + pad;
            double[] a = random(r, 3 + m * lda);
            double[] b = random(r, 5 + k * ldb);
            double[] bm = random(r, 4 + m * ldb);
            double[] c = random(r, 1 + m * ldc);
            for (boolean accumulate : new boolean[] {false, true}) {
                double[] scalar = c.clone();
                double[] vector = c.clone();
                Blas.scalarGemm(a, 3, lda, b, 5, ldb, scalar, 1, ldc, m, k, n, accumulate);
                VectorKernels.gemm(a, 3, lda, b, 5, ldb, vector, 1, ldc, m, k, n, accumulate);
                assertThat(vector)
                        .as("gemm, accumulate %s, pad %s", accumulate, pad)
                        .containsExactly(scalar);
            }
            double[] tn = random(r, 2 + k * ldc);
            double[] tnScalar = tn.clone();
            Blas.scalarGemmTnAcc(a, 3, lda, bm, 4, ldb, tnScalar, 2, ldc, m, k, n);
            VectorKernels.gemmTnAcc(a, 3, lda, bm, 4, ldb, tn, 2, ldc, m, k, n);
            assertThat(tn).as("gemmTnAcc, pad %s", pad).containsExactly(tnScalar);
        }
        double[] b = random(r, 5 + k * n);
        double[] bm = random(r, 4 + m * n);
        double[] y = random(r, 7 + m * n);
        double[] yScalar = y.clone();
        Blas.scalarAxpy(0.37, bm, 4, yScalar, 7, m * n);
        VectorKernels.axpy(0.37, bm, 4, y, 7, m * n);
        assertThat(y).as("axpy").containsExactly(yScalar);
        double[] sums = random(r, 3 + n);
        double[] sumsScalar = sums.clone();
        Blas.scalarSumRowsAcc(bm, 4, m, n, sumsScalar, 3);
        VectorKernels.sumRowsAcc(bm, 4, m, n, sums, 3);
        assertThat(sums).as("sumRowsAcc").containsExactly(sumsScalar);
        double[] biased = bm.clone();
        double[] biasedScalar = bm.clone();
        Blas.scalarAddBias(biasedScalar, 4, m, n, b, 5);
        VectorKernels.addBias(biased, 4, m, n, b, 5);
        assertThat(biased).as("addBias").containsExactly(biasedScalar);
        Blas.scalarAddBiasRelu(biasedScalar, 4, m, n, b, 5);
        VectorKernels.addBiasRelu(biased, 4, m, n, b, 5);
        assertThat(biased).as("addBiasRelu").containsExactly(biasedScalar);
        double[] masked = bm.clone();
        double[] maskedScalar = bm.clone();
        Blas.scalarZeroWhereNotPositive(maskedScalar, biasedScalar, m * n);
        VectorKernels.zeroWhereNotPositive(masked, biasedScalar, m * n);
        assertThat(masked).as("zeroWhereNotPositive").containsExactly(maskedScalar);
    }

    /**
     * Float products: the vector kernels and the scalar float loops agree bit for bit, and both
     * stay within float rounding of the double product: (k + 2) units of float rounding of the sum
     * of |a b| (k fused steps, two rounded operands). 300 and 600 rows span several float slabs.
     */
    @ParameterizedTest
    @CsvSource({
        "1,1,1",
        "4,4,8",
        "7,3,2",
        "13,9,17",
        "5,64,64",
        "64,128,64",
        "33,16,70",
        "300,64,130",
        "600,20,33"
    })
    void floatKernelsMatchScalarFloatAndStayNearDouble(int m, int k, int n) {
        Random r = new Random(m * 7 + k * 5 + n);
        double[] a = random(r, 3 + m * k);
        double[] b = random(r, 5 + k * n);
        double[] bm = random(r, 4 + m * n);
        for (boolean transposeB : new boolean[] {false, true}) {
            for (boolean accumulate : new boolean[] {false, true}) {
                double[] before = random(r, 1 + m * n);
                double[] c = before.clone();
                double[] scalar = before.clone();
                FloatKernels.gemm(
                        a,
                        3,
                        k,
                        b,
                        5,
                        transposeB ? k : n,
                        transposeB,
                        c,
                        1,
                        n,
                        m,
                        k,
                        n,
                        accumulate);
                Blas.scalarGemmFloat(a, 3, b, 5, transposeB, scalar, 1, m, k, n, accumulate);
                String what = "gemm, transposeB " + transposeB + ", accumulate " + accumulate;
                assertThat(c).as("%s", what).containsExactly(scalar);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = 0, abs = 0;
                        for (int p = 0; p < k; p++) {
                            double y = transposeB ? b[5 + j * k + p] : b[5 + p * n + j];
                            sum += a[3 + i * k + p] * y;
                            abs += Math.abs(a[3 + i * k + p] * y);
                        }
                        int ci = 1 + i * n + j;
                        double start = accumulate ? before[ci] : 0;
                        assertThat(c[ci])
                                .as("%s, element %s", what, ci)
                                .isCloseTo(
                                        start + sum,
                                        within((k + 2) * 0x1p-24 * abs + 1e-15 * Math.abs(start)));
                    }
                }
            }
        }
        double[] tn = random(r, 2 + k * n);
        double[] tnScalar = tn.clone();
        double[] tnDouble = tn.clone();
        Blas.gemmTnAcc(Precision.FLOAT, a, 3, bm, 4, tn, 2, m, k, n);
        Blas.scalarGemmTnAccFloat(a, 3, bm, 4, tnScalar, 2, m, k, n);
        assertThat(tn).as("gemmTnAcc").containsExactly(tnScalar);
        Blas.gemmTnAcc(a, 3, bm, 4, tnDouble, 2, m, k, n);
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                double abs = 0;
                for (int i = 0; i < m; i++) {
                    abs += Math.abs(a[3 + i * k + p] * bm[4 + i * n + j]);
                }
                int ci = 2 + p * n + j;
                assertThat(tn[ci])
                        .as("gemmTnAcc %s", ci)
                        .isCloseTo(tnDouble[ci], within((m + 2) * 0x1p-24 * abs));
            }
        }
    }

    private static void assertAll(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %s", i).isCloseTo(expected[i], within(1e-12));
        }
    }

    private static double[] random(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }
}
