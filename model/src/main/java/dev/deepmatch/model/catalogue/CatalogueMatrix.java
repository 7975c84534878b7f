package dev.deepmatch.model.catalogue;

/**
 * A resident float copy of the catalogue's rows (rows x width), kept up to date row by row as
 * training changes them, and scored against a few query vectors at a time in fixed blocks of rows.
 * What the whole-catalogue products run on: prequential top-N and exact search.
 */
public interface CatalogueMatrix extends AutoCloseable {
    /** Columns of every row (the item table's width). */
    int width();

    /** Rows scored per block; rows past the last one written score 0. */
    int blockRows();

    /** Blocks covering the first {@code rows} rows. */
    default int blocks(int rows) {
        return (rows + blockRows() - 1) / blockRows();
    }

    /** Writes one row (rounded to float), growing the matrix as needed. */
    void setRow(int row, double[] src, int offset);

    /**
     * scores[q x blockRows] (row-major) = queries[q x width] times the transpose of the block's
     * rows [block * blockRows, (block + 1) * blockRows).
     */
    void scoreBlock(float[] queries, int q, int block, float[] scores);

    /** Releases off-heap memory, if any. */
    @Override
    void close();
}
