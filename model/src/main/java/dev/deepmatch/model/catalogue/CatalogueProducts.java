package dev.deepmatch.model.catalogue;

/** Which implementation runs the catalogue-sized products. */
public enum CatalogueProducts {
    /** The project's Vector API kernel on a transposed on-heap copy: needs no native library. */
    JAVA,
    /** nd4j-native (OpenBLAS sgemm) on an off-heap float copy: faster from a few thousand items. */
    ND4J;

    /**
     * A new, empty matrix of the given width.
     *
     * @param threads BLAS threads for nd4j (process-wide); the Java kernel runs on the caller's
     *     thread
     * @throws IllegalStateException if nd4j's native library cannot be loaded on this machine
     */
    public CatalogueMatrix open(int width, int threads) {
        return switch (this) {
            case JAVA -> new JavaCatalogueMatrix(width);
            case ND4J -> Nd4jCatalogueMatrix.open(width, threads);
        };
    }
}
