package dev.deepmatch.model.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CatalogueSearchTest {
    private static final int WIDTH = 16;

    /** Rows past two blocks of either kernel, so block edges and the partial last block count. */
    private static final int ROWS = 2 * Nd4jCatalogueMatrix.BLOCK + 1234;

    /**
     * Small integers make every product and sum exact in float, whatever order a kernel sums in:
     * both kernels must then return exactly the brute-force top-N, ties to the lower row.
     */
    @ParameterizedTest
    @EnumSource(names = {"JAVA", "ND4J"})
    void topNIsTheExactTopNAndFollowsChangedRows(CatalogueProducts products) {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] table = new double[ROWS * WIDTH];
        Arrays.setAll(table, i -> rnd.nextInt(-64, 65));
        int q = 70; // more than one pass of CatalogueSearch.QUERIES
        float[] queries = new float[q * WIDTH];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = rnd.nextInt(-64, 65);
        }
        try (CatalogueMatrix m = products.open(WIDTH, 1)) {
            for (int r = 0; r < ROWS; r++) {
                m.setRow(r, table, r * WIDTH);
            }
            assertTopN(m, table, queries, q, 50);

            // Rewrite some rows, including the last: the matrix scores their new values.
            for (int r : new int[] {0, 5, Nd4jCatalogueMatrix.BLOCK, ROWS - 1}) {
                for (int p = 0; p < WIDTH; p++) {
                    table[r * WIDTH + p] = 100 + rnd.nextInt(-64, 65);
                }
                m.setRow(r, table, r * WIDTH);
            }
            assertTopN(m, table, queries, q, 50);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"JAVA", "ND4J"})
    void onlyTheFirstRowsCountAndTiesGoToTheLowerRow(CatalogueProducts products) {
        double[] table = new double[10 * WIDTH];
        for (int r = 0; r < 10; r++) {
            table[r * WIDTH] = r % 3; // rows 2, 5 and 8 tie at the top
        }
        float[] query = new float[WIDTH];
        query[0] = 1;
        try (CatalogueMatrix m = products.open(WIDTH, 1)) {
            for (int r = 0; r < 10; r++) {
                m.setRow(r, table, r * WIDTH);
            }
            assertThat(CatalogueSearch.topN(m, query, 1, 10, 4)[0]).containsExactly(2, 5, 8, 1);
            assertThat(CatalogueSearch.topN(m, query, 1, 6, 10)[0])
                    .containsExactly(2, 5, 1, 4, 0, 3);
        }
    }

    /** On real-valued rows the float scores may swap near-ties, and only those. */
    @ParameterizedTest
    @EnumSource(names = {"JAVA", "ND4J"})
    void onRealValuesOnlyNearTiesMayDiffer(CatalogueProducts products) {
        SplittableRandom rnd = new SplittableRandom(11);
        double[] table = new double[ROWS * WIDTH];
        Arrays.setAll(table, i -> gaussian(rnd));
        float[] query = new float[WIDTH];
        for (int p = 0; p < WIDTH; p++) {
            query[p] = (float) gaussian(rnd);
        }
        double[] exact = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            for (int p = 0; p < WIDTH; p++) {
                exact[r] += query[p] * table[r * WIDTH + p];
            }
        }
        double[] sorted = exact.clone();
        Arrays.sort(sorted);
        int n = 100;
        double nth = sorted[ROWS - n];
        double tolerance = 1e-5 * Math.abs(sorted[ROWS - 1]);
        try (CatalogueMatrix m = products.open(WIDTH, 2)) {
            for (int r = 0; r < ROWS; r++) {
                m.setRow(r, table, r * WIDTH);
            }
            int[] top = CatalogueSearch.topN(m, query, 1, ROWS, n)[0];
            assertThat(top).hasSize(n).doesNotHaveDuplicates();
            for (int i = 0; i < n; i++) {
                assertThat(exact[top[i]]).isGreaterThanOrEqualTo(nth - tolerance);
                if (i > 0) {
                    assertThat(exact[top[i]]).isLessThanOrEqualTo(exact[top[i - 1]] + tolerance);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void autoRanksOnJavaBelowItsSizeAndOnNd4jFromThere() {
        int at = CatalogueProducts.AUTO_ND4J_ROWS;
        assertThat(CatalogueProducts.AUTO.kernelFor(at - 1)).isEqualTo(CatalogueProducts.JAVA);
        assertThat(CatalogueProducts.AUTO.kernelFor(at)).isEqualTo(CatalogueProducts.ND4J);
        assertThat(CatalogueProducts.JAVA.kernelFor(at)).isEqualTo(CatalogueProducts.JAVA);
        assertThat(CatalogueProducts.ND4J.kernelFor(1)).isEqualTo(CatalogueProducts.ND4J);
    }

    private static void assertTopN(
            CatalogueMatrix m, double[] table, float[] queries, int q, int n) {
        int[][] top = CatalogueSearch.topN(m, queries, q, ROWS, n);
        for (int u = 0; u < q; u++) {
            int user = u;
            double[] exact = new double[ROWS];
            for (int r = 0; r < ROWS; r++) {
                double s = 0;
                for (int p = 0; p < WIDTH; p++) {
                    s += queries[user * WIDTH + p] * (double) (float) table[r * WIDTH + p];
                }
                exact[r] = s;
            }
            int[] expected =
                    IntStream.range(0, ROWS)
                            .boxed()
                            .sorted(
                                    Comparator.comparingDouble((Integer r) -> -exact[r])
                                            .thenComparingInt(r -> r))
                            .limit(n)
                            .mapToInt(Integer::intValue)
                            .toArray();
            assertThat(top[u]).as("query %d", u).containsExactly(expected);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()))
                * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
