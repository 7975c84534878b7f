package dev.deepmatch.model.catalogue;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API scores of a few queries against a transposed block: four queries by one vector of rows
 * per step, so each load of the block feeds four FMA chains. Loaded only when the JVM has the
 * incubating module ({@link dev.deepmatch.model.math.Blas#VECTORIZED}).
 */
final class CatalogueKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();

    private CatalogueKernels() {}

    /** out[q x n] = queries[q x width] * t[width x n]; n is a multiple of the vector length. */
    static void scores(float[] queries, int q, int width, float[] t, int n, float[] out) {
        int u = 0;
        for (; u + 3 < q; u += 4) {
            int a0 = u * width, a1 = a0 + width, a2 = a1 + width, a3 = a2 + width;
            for (int j = 0; j < n; j += FL) {
                FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
                for (int p = 0; p < width; p++) {
                    FloatVector b = FloatVector.fromArray(F, t, p * n + j);
                    c0 = b.fma(FloatVector.broadcast(F, queries[a0 + p]), c0);
                    c1 = b.fma(FloatVector.broadcast(F, queries[a1 + p]), c1);
                    c2 = b.fma(FloatVector.broadcast(F, queries[a2 + p]), c2);
                    c3 = b.fma(FloatVector.broadcast(F, queries[a3 + p]), c3);
                }
                c0.intoArray(out, u * n + j);
                c1.intoArray(out, (u + 1) * n + j);
                c2.intoArray(out, (u + 2) * n + j);
                c3.intoArray(out, (u + 3) * n + j);
            }
        }
        for (; u < q; u++) {
            int a = u * width;
            for (int j = 0; j < n; j += FL) {
                FloatVector c = FloatVector.zero(F);
                for (int p = 0; p < width; p++) {
                    c =
                            FloatVector.fromArray(F, t, p * n + j)
                                    .fma(FloatVector.broadcast(F, queries[a + p]), c);
                }
                c.intoArray(out, u * n + j);
            }
        }
    }
}
