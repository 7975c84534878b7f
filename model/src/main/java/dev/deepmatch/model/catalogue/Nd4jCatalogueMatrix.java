package dev.deepmatch.model.catalogue;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The catalogue off-heap as one float nd4j matrix (capacity x width, row-major), written row by row
 * through a direct buffer over its memory (no JNI per write), scored with {@code Nd4j.gemm} into
 * pre-allocated results: one sgemm call per block of {@link #BLOCK} rows, whose cost (about 9 us a
 * call) the block amortises while the last, partly empty block wastes little.
 */
final class Nd4jCatalogueMatrix implements CatalogueMatrix {
    static final int BLOCK = 4096;

    private final int width;
    private INDArray rows;
    private FloatBuffer rowsView;

    /** Views of the blocks of {@link #rows}, valid until it grows. */
    private final List<INDArray> blockViews = new ArrayList<>();

    /** Query and score arrays per query count, reused across calls. */
    private final Map<Integer, Scratch> scratch = new HashMap<>();

    private record Scratch(
            INDArray queries, FloatBuffer queriesView, INDArray scores, FloatBuffer scoresView) {}

    private Nd4jCatalogueMatrix(int width) {
        this.width = width;
        allocate(BLOCK);
    }

    /**
     * Opens a matrix, loading nd4j's native backend on first use and setting its BLAS threads.
     *
     * @throws IllegalStateException if the native library does not load on this machine
     */
    static Nd4jCatalogueMatrix open(int width, int threads) {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        try {
            Nd4j.factory().blas().setMaxThreads(threads);
            return new Nd4jCatalogueMatrix(width);
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException(
                    "catalogue-products=nd4j: nd4j's native library could not be loaded on this"
                            + " machine ("
                            + e
                            + "); set catalogue-products=java to use the pure Java kernel",
                    e);
        }
    }

    private void allocate(int capacity) {
        INDArray bigger = Nd4j.zeros(DataType.FLOAT, capacity, width);
        if (rows != null) {
            bigger.get(NDArrayIndex.interval(0, rows.rows()), NDArrayIndex.all()).assign(rows);
            rows.close();
        }
        rows = bigger;
        rowsView = floats(rows);
        blockViews.clear();
    }

    private static FloatBuffer floats(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
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
        if (row >= rows.rows()) {
            long needed = (long) (row / BLOCK + 1) * BLOCK;
            allocate((int) Math.max(needed, 2L * rows.rows()));
        }
        int at = row * width;
        for (int p = 0; p < width; p++) {
            rowsView.put(at + p, (float) src[offset + p]);
        }
    }

    @Override
    public void scoreBlock(float[] queries, int q, int block, float[] out) {
        Scratch s = scratch.computeIfAbsent(q, this::newScratch);
        if ((long) block * BLOCK >= rows.rows()) {
            java.util.Arrays.fill(out, 0, q * BLOCK, 0f);
            return;
        }
        s.queriesView().put(0, queries, 0, q * width);
        Nd4j.gemm(s.queries(), blockView(block), s.scores(), false, true, 1.0, 0.0);
        s.scoresView().get(0, out, 0, q * BLOCK);
    }

    private INDArray blockView(int block) {
        while (blockViews.size() <= block) {
            long from = (long) blockViews.size() * BLOCK;
            blockViews.add(rows.get(NDArrayIndex.interval(from, from + BLOCK), NDArrayIndex.all()));
        }
        return blockViews.get(block);
    }

    private Scratch newScratch(int q) {
        INDArray queries = Nd4j.zeros(DataType.FLOAT, q, width);
        INDArray scores = Nd4j.zeros(DataType.FLOAT, q, BLOCK);
        return new Scratch(queries, floats(queries), scores, floats(scores));
    }

    @Override
    public void close() {
        blockViews.clear();
        for (Scratch s : scratch.values()) {
            s.queries().close();
            s.scores().close();
        }
        scratch.clear();
        rows.close();
    }
}
