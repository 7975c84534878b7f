package dev.deepmatch.model.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Layer norm against a plain two-pass reference, and its vector rows against the scalar ones. */
class LayerNormTest {

    @ParameterizedTest
    @CsvSource({"1,1", "3,7", "5,8", "4,13", "9,64", "2,70"})
    void matchesTwoPassReferenceAndScalarRowsBitForBit(int m, int n) {
        Random r = new Random(m * 97 + n);
        double[] x = random(r, 3 + m * n);
        double[] w = random(r, 2 * n + 5);
        int gamma = 5, beta = 5 + n;
        double[] xhat = new double[m * n], rstd = new double[m], y = new double[m * n];
        LayerNorm.forward(x, 3, m, n, w, gamma, beta, xhat, rstd, y);
        for (int i = 0; i < m; i++) {
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += x[3 + i * n + j] / n;
            }
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[3 + i * n + j] - mean;
                var += d * d / n;
            }
            for (int j = 0; j < n; j++) {
                double expected =
                        (x[3 + i * n + j] - mean) / Math.sqrt(var + LayerNorm.EPS) * w[gamma + j]
                                + w[beta + j];
                assertThat(y[i * n + j])
                        .as("row %s, column %s", i, j)
                        .isCloseTo(expected, within(1e-12));
            }
        }
        double[] xhatS = new double[m * n], rstdS = new double[m], yS = new double[m * n];
        LayerNorm.scalarForward(x, 3, m, n, w, gamma, beta, xhatS, rstdS, yS);
        assertThat(y).as("forward").containsExactly(yS);
        assertThat(xhat).as("xhat").containsExactly(xhatS);

        double[] dy = random(r, m * n);
        double[] gw = random(r, 2 * n + 5), gwS = gw.clone();
        double[] dx = random(r, 2 + m * n), dxS = dx.clone();
        LayerNorm.backward(dy, m, n, xhat, rstd, w, gamma, gw, beta, dx, 2);
        LayerNorm.scalarBackward(dy, m, n, xhatS, rstdS, w, gamma, gwS, beta, dxS, 2);
        assertThat(dx).as("dx").containsExactly(dxS);
        assertThat(gw).as("gamma and beta gradients").containsExactly(gwS);
    }

    private static double[] random(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }
}
