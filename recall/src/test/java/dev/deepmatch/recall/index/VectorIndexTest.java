package dev.deepmatch.recall.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorIndexTest {

    private static float[] v(float... x) {
        return x;
    }

    @Test
    void anOlderOrEqualVersionIsRefusedUnlessForced() throws Exception {
        try (VectorIndex index = new VectorIndex(2, null)) {
            assertThat(index.put("a", v(1, 0), 5, false)).isTrue();
            assertThat(index.put("a", v(0, 1), 5, false)).isFalse();
            assertThat(index.put("a", v(0, 1), 4, false)).isFalse();
            assertThat(index.vector("a")).containsExactly(1, 0);
            assertThat(index.put("a", v(0, 1), 3, true)).as("a full refresh").isTrue();
            assertThat(index.vector("a")).containsExactly(0, 1);
            assertThat(index.version("a")).isEqualTo(3);
            assertThat(index.put("a", v(1, 1), 6, false)).isTrue();
            assertThat(index.maxVersion()).isEqualTo(6);
        }
    }

    @Test
    void searchesSeeWritesAfterARefreshAndNotTombstonedOrExcludedItems() throws Exception {
        try (VectorIndex index = new VectorIndex(2, null)) {
            index.put("near", v(1, 0), 1, false);
            index.put("far", v(-1, 0), 1, false);
            index.put("mid", v(0.5f, 0), 1, false);
            assertThat(index.search(v(1, 0), 2, Set.of())).isEmpty();
            index.refresh();
            assertThat(index.search(v(1, 0), 2, Set.of()))
                    .containsExactly(
                            new VectorIndex.Hit("near", 1f), new VectorIndex.Hit("mid", 0.5f));
            assertThat(index.search(v(1, 0), 2, Set.of("near")))
                    .extracting(VectorIndex.Hit::itemId)
                    .containsExactly("mid", "far");
            assertThat(index.delete("near")).isTrue();
            assertThat(index.delete("near")).isFalse();
            index.refresh();
            assertThat(index.search(v(1, 0), 1, Set.of()))
                    .extracting(VectorIndex.Hit::itemId)
                    .containsExactly("mid");
            assertThat(index.size()).isEqualTo(2);
        }
    }

    @Test
    void badVectorsAreRefusedWithTheirItem() throws Exception {
        try (VectorIndex index = new VectorIndex(2, null)) {
            assertThatThrownBy(() -> index.put("x", v(1, 2, 3), 1, false))
                    .hasMessageContaining("item x")
                    .hasMessageContaining("3 values");
            assertThatThrownBy(() -> index.put("y", v(Float.NaN, 0), 1, false))
                    .hasMessageContaining("item y");
            assertThat(index.size()).isZero();
        }
    }

    @Test
    void aNormFallsInTheBandOfTheLeastPowerOfTwoAtOrAboveIt() {
        assertThat(VectorIndex.band(1.0)).isEqualTo(0);
        assertThat(VectorIndex.band(1.5)).isEqualTo(1);
        assertThat(VectorIndex.band(2.0)).isEqualTo(1);
        assertThat(VectorIndex.band(2.0001)).isEqualTo(2);
        assertThat(VectorIndex.band(0.5)).isEqualTo(-1);
        assertThat(VectorIndex.band(0.3)).isEqualTo(-1);
        assertThat(VectorIndex.band(0.0)).isEqualTo(VectorIndex.band(1e-30));
        assertThat(VectorIndex.band(1e300)).isEqualTo(VectorIndex.band(1e200));
    }

    /**
     * Items of norms across many bands, some long ones pointing away: the top k by dot product
     * mixes bands, and the search must ask a lower band while it can still beat the k-th score.
     */
    @Test
    void theTopKMixesNormBandsExactlyOnSmallCatalogues() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        int dim = 8;
        try (VectorIndex index = new VectorIndex(dim, null)) {
            for (int i = 0; i < 400; i++) {
                float[] x = new float[dim];
                double scale = Math.pow(2, -3 + 8 * r.nextDouble());
                for (int j = 0; j < dim; j++) {
                    x[j] = (float) (scale * r.nextGaussian());
                }
                index.put("i" + i, x, 1, false);
            }
            index.refresh();
            for (int q = 0; q < 50; q++) {
                float[] query = new float[dim];
                for (int j = 0; j < dim; j++) {
                    query[j] = (float) r.nextGaussian();
                }
                Set<String> exclude = Set.of("i" + q, "i" + (q + 1));
                assertThat(index.search(query, 20, exclude, 400))
                        .isEqualTo(index.exact(query, 20, exclude));
            }
        }
    }

    /** The graph finds nearly all of the exact top 10 on clustered vectors of the model's width. */
    @Test
    void approximateTopTenRecallsTheExactOne() throws Exception {
        int dim = 64;
        SplittableRandom r = new SplittableRandom(7);
        float[][] centres = new float[50][dim];
        for (float[] c : centres) {
            for (int j = 0; j < dim; j++) {
                c[j] = (float) r.nextGaussian();
            }
        }
        try (VectorIndex index = new VectorIndex(dim, null)) {
            for (int i = 0; i < 5_000; i++) {
                float[] c = centres[r.nextInt(centres.length)];
                float[] x = new float[dim];
                double scale = 0.5 + 2 * r.nextDouble();
                for (int j = 0; j < dim; j++) {
                    x[j] = (float) (scale * (c[j] + 0.7 * r.nextGaussian()));
                }
                index.put("i" + i, x, 1, false);
            }
            index.refresh();
            int found = 0;
            int asked = 0;
            for (int q = 0; q < 100; q++) {
                float[] query = new float[dim];
                for (int j = 0; j < dim; j++) {
                    query[j] = (float) r.nextGaussian();
                }
                Set<String> exact = ids(index.exact(query, 10, Set.of()));
                Set<String> approx = ids(index.search(query, 10, Set.of()));
                asked += exact.size();
                approx.retainAll(exact);
                found += approx.size();
            }
            assertThat((double) found / asked).isGreaterThanOrEqualTo(0.95);
        }
    }

    private static Set<String> ids(List<VectorIndex.Hit> hits) {
        Set<String> out = new HashSet<>();
        hits.forEach(h -> out.add(h.itemId()));
        return out;
    }
}
