package dev.deepmatch.model.catalogue;

import dev.deepmatch.model.math.Blas;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue on the heap in blocks of {@link #BLOCK} rows, each block transposed (width x
 * BLOCK), so a query's scores for a block are FMA chains down its columns, vectorized across rows.
 * Each score is one float FMA chain from zero in column order, on the vector and the scalar path
 * alike.
 */
final class JavaCatalogueMatrix implements CatalogueMatrix {
    /** Rows per block: width x BLOCK floats (256 KB at width 16) stay in L2 across the queries. */
    static final int BLOCK = 4096;

    private final int width;
    private final List<float[]> blocks = new ArrayList<>();

    private static boolean warm;

    JavaCatalogueMatrix(int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        this.width = width;
        warmUp();
    }

    /**
     * Compiles the scoring kernel on small blocks before the first whole-catalogue call, which
     * would otherwise run in code compiled mid-loop that allocates its vectors (see {@link
     * Blas#warmUp()}).
     */
    private static synchronized void warmUp() {
        if (warm || !Blas.VECTORIZED) {
            return;
        }
        warm = true;
        int w = 16, n = 256;
        float[] queries = new float[5 * w], t = new float[w * n], out = new float[5 * n];
        for (int i = 0; i < 5_000; i++) {
            CatalogueKernels.scores(queries, 5, w, t, n, out);
        }
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int blockRows() {
        return BLOCK;
    }

    @Override
    public void setRow(int row, double[] src, int offset) {
        int b = row / BLOCK;
        while (blocks.size() <= b) {
            blocks.add(new float[width * BLOCK]);
        }
        float[] block = blocks.get(b);
        int j = row % BLOCK;
        for (int p = 0; p < width; p++) {
            block[p * BLOCK + j] = (float) src[offset + p];
        }
    }

    @Override
    public void scoreBlock(float[] queries, int q, int block, float[] scores) {
        if (block >= blocks.size()) {
            java.util.Arrays.fill(scores, 0, q * BLOCK, 0f);
            return;
        }
        float[] t = blocks.get(block);
        if (Blas.VECTORIZED) {
            CatalogueKernels.scores(queries, q, width, t, BLOCK, scores);
        } else {
            scalarScores(queries, q, width, t, BLOCK, scores);
        }
    }

    /** The scalar {@link CatalogueKernels#scores}, with the same chains. */
    static void scalarScores(float[] queries, int q, int width, float[] t, int n, float[] out) {
        for (int u = 0; u < q; u++) {
            int o = u * n;
            java.util.Arrays.fill(out, o, o + n, 0f);
            for (int p = 0; p < width; p++) {
                float x = queries[u * width + p];
                int tp = p * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] = Math.fma(x, t[tp + j], out[o + j]);
                }
            }
        }
    }

    @Override
    public void close() {
        blocks.clear();
    }
}
