package dev.deepmatch.model.catalogue;

/**
 * Exact top-n by inner product over a {@link CatalogueMatrix}: queries go through the catalogue
 * together, block by block, one bounded min-heap per query.
 */
public final class CatalogueSearch {
    /** Queries scored per pass over the catalogue: their scores for one block stay in cache. */
    static final int QUERIES = 64;

    private CatalogueSearch() {}

    /**
     * The n best of the first {@code rows} rows for each query, best first; ties go to the lower
     * row.
     *
     * @param queries q x width, row-major
     */
    public static int[][] topN(CatalogueMatrix matrix, float[] queries, int q, int rows, int n) {
        int width = matrix.width();
        int blockRows = matrix.blockRows();
        int keep = Math.min(n, rows);
        int[][] out = new int[q][];
        float[] group = new float[Math.min(QUERIES, Math.max(q, 1)) * width];
        float[] scores = new float[group.length / width * blockRows];
        for (int from = 0; from < q; from += QUERIES) {
            int size = Math.min(QUERIES, q - from);
            System.arraycopy(queries, from * width, group, 0, size * width);
            Heap[] heaps = new Heap[size];
            for (int g = 0; g < size; g++) {
                heaps[g] = new Heap(keep);
            }
            for (int b = 0; keep > 0 && b < matrix.blocks(rows); b++) {
                matrix.scoreBlock(group, size, b, scores);
                int r0 = b * blockRows;
                int len = Math.min(blockRows, rows - r0);
                for (int g = 0; g < size; g++) {
                    heaps[g].offerAll(scores, g * blockRows, len, r0);
                }
            }
            for (int g = 0; g < size; g++) {
                out[from + g] = heaps[g].bestFirst();
            }
        }
        return out;
    }

    /** The n best (score, row) pairs offered so far. */
    private static final class Heap {
        private final float[] score;
        private final int[] row;
        private int size;

        Heap(int n) {
            score = new float[n];
            row = new int[n];
        }

        /**
         * Offers scores[at, at + len) as rows r0, r0 + 1, ...: rows ascend, so ties keep the first.
         */
        void offerAll(float[] scores, int at, int len, int r0) {
            int j = 0;
            for (; j < len && size < score.length; j++) {
                score[size] = scores[at + j];
                row[size] = r0 + j;
                siftUp(size++);
            }
            if (size == 0) {
                return;
            }
            float min = score[0];
            for (; j < len; j++) {
                float s = scores[at + j];
                if (s > min) {
                    score[0] = s;
                    row[0] = r0 + j;
                    siftDown(0, size);
                    min = score[0];
                }
            }
        }

        /** Rows best first; empties the heap. */
        int[] bestFirst() {
            int[] result = new int[size];
            for (int i = size - 1; i >= 0; i--) {
                result[i] = row[0];
                score[0] = score[i];
                row[0] = row[i];
                siftDown(0, i);
            }
            size = 0;
            return result;
        }

        /** Min-heap order; of equal scores the higher row is the lesser, so the lower row stays. */
        private boolean less(int a, int b) {
            return score[a] < score[b] || (score[a] == score[b] && row[a] > row[b]);
        }

        private void siftUp(int i) {
            while (i > 0) {
                int p = (i - 1) / 2;
                if (!less(i, p)) {
                    return;
                }
                swap(i, p);
                i = p;
            }
        }

        private void siftDown(int i, int n) {
            while (true) {
                int l = 2 * i + 1;
                if (l >= n) {
                    return;
                }
                int c = l + 1 < n && less(l + 1, l) ? l + 1 : l;
                if (!less(c, i)) {
                    return;
                }
                swap(i, c);
                i = c;
            }
        }

        private void swap(int a, int b) {
            float s = score[a];
            score[a] = score[b];
            score[b] = s;
            int r = row[a];
            row[a] = row[b];
            row[b] = r;
        }
    }
}
