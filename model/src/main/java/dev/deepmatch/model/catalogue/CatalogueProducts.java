package dev.deepmatch.model.catalogue;

/** Which implementation runs the catalogue-sized products. */
public enum CatalogueProducts {
    /**
     * {@link #JAVA} below {@link #AUTO_ND4J_ROWS} items, {@link #ND4J} from there on: below it the
     * native calls and their result copies cost more than they save (docs/RESULTS.md).
     */
    AUTO,
    /** The project's Vector API kernel on a transposed on-heap copy: needs no native library. */
    JAVA,
    /** nd4j-native (OpenBLAS sgemm) on an off-heap float copy: faster at large catalogues. */
    ND4J;

    /** Catalogue size from which {@link #AUTO} ranks on nd4j. */
    public static final int AUTO_ND4J_ROWS = 100_000;

    /** The two kernels, for benchmarks and tests that run both. */
    public static final java.util.List<CatalogueProducts> KERNELS = java.util.List.of(JAVA, ND4J);

    /** The kernel this choice ranks a catalogue of {@code rows} items on. */
    public CatalogueProducts kernelFor(int rows) {
        return this != AUTO ? this : rows >= AUTO_ND4J_ROWS ? ND4J : JAVA;
    }

    /**
     * A new, empty matrix of the given width on this kernel ({@link #AUTO}: resolve it with {@link
     * #kernelFor} first).
     *
     * @param threads BLAS threads for nd4j (process-wide); the Java kernel runs on the caller's
     *     thread
     * @throws IllegalStateException if nd4j's native library cannot be loaded on this machine
     */
    public CatalogueMatrix open(int width, int threads) {
        return switch (this) {
            case AUTO -> throw new IllegalArgumentException("AUTO is not a kernel: use kernelFor");
            case JAVA -> new JavaCatalogueMatrix(width);
            case ND4J -> Nd4jCatalogueMatrix.open(width, threads);
        };
    }
}
