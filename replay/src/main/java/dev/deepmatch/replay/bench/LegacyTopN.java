package dev.deepmatch.replay.bench;

import dev.deepmatch.model.math.Blas;

/**
 * The baseline of {@code bench-products}: the prequential top-N as release 0.3 ran it, in double, 8
 * users by 1,024 items per block of the double kernel, over item vectors (H wide) recomputed for
 * every batch. Kept only to be measured against.
 *
 * <p>Exact top-n by inner product over the whole catalogue, one bounded min-heap per user. Scores
 * come from matrix products of a few users at a time against blocks of the catalogue, so the
 * catalogue streams through the product kernel once per group of users instead of once per user.
 */
final class LegacyTopN {
    /** Users scored together: their vectors stay in registers across a block of items. */
    private static final int USERS = 8;

    /** Items per block of scores: USERS x ITEMS doubles (64 KB) stay in L2 for the heaps. */
    private static final int ITEMS = 1024;

    private LegacyTopN() {}

    /**
     * Top n rows for users[from..to), returned as an array of to - from entries.
     *
     * @param itemVectorsT the item vectors transposed, H x items (row stride items)
     */
    static int[][] select(
            double[][] users, double[] itemVectorsT, int items, int h, int n, int from, int to) {
        int[][] out = new int[to - from][];
        double[] group = new double[USERS * h];
        double[] scores = new double[USERS * ITEMS];
        int[] member = new int[USERS];
        int u = from;
        while (u < to) {
            int size = 0;
            for (; u < to && size < USERS; u++) {
                if (users[u] == null || n <= 0) {
                    out[u - from] = new int[0];
                } else {
                    System.arraycopy(users[u], 0, group, size * h, h);
                    member[size++] = u;
                }
            }
            if (size == 0) {
                continue;
            }
            Heap[] heaps = new Heap[size];
            for (int g = 0; g < size; g++) {
                heaps[g] = new Heap(n);
            }
            for (int r0 = 0; r0 < items; r0 += ITEMS) {
                int len = Math.min(ITEMS, items - r0);
                Blas.gemm(
                        group,
                        0,
                        h,
                        itemVectorsT,
                        r0,
                        items,
                        scores,
                        0,
                        ITEMS,
                        size,
                        h,
                        len,
                        false);
                for (int g = 0; g < size; g++) {
                    for (int j = 0; j < len; j++) {
                        heaps[g].offer(scores[g * ITEMS + j], r0 + j);
                    }
                }
            }
            for (int g = 0; g < size; g++) {
                out[member[g] - from] = heaps[g].bestFirst();
            }
        }
        return out;
    }

    /** The n best (score, row) pairs offered so far. */
    private static final class Heap {
        private final double[] score;
        private final int[] row;
        private int size;

        Heap(int n) {
            score = new double[n];
            row = new int[n];
        }

        void offer(double s, int r) {
            if (size < score.length) {
                score[size] = s;
                row[size] = r;
                siftUp(score, row, size++);
            } else if (s > score[0]) {
                score[0] = s;
                row[0] = r;
                siftDown(score, row, 0, size);
            }
        }

        /** Rows best first; empties the heap. */
        int[] bestFirst() {
            int[] result = new int[size];
            for (int i = size - 1; i >= 0; i--) {
                result[i] = row[0];
                score[0] = score[i];
                row[0] = row[i];
                siftDown(score, row, 0, i);
            }
            size = 0;
            return result;
        }
    }

    /** Min-heap order; ties broken towards the lower row so results are deterministic. */
    private static boolean less(double[] s, int[] r, int a, int b) {
        return s[a] < s[b] || (s[a] == s[b] && r[a] > r[b]);
    }

    private static void siftUp(double[] s, int[] r, int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!less(s, r, i, p)) {
                return;
            }
            swap(s, r, i, p);
            i = p;
        }
    }

    private static void siftDown(double[] s, int[] r, int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int c = l + 1 < size && less(s, r, l + 1, l) ? l + 1 : l;
            if (!less(s, r, c, i)) {
                return;
            }
            swap(s, r, i, c);
            i = c;
        }
    }

    private static void swap(double[] s, int[] r, int a, int b) {
        double ts = s[a];
        s[a] = s[b];
        s[b] = ts;
        int tr = r[a];
        r[a] = r[b];
        r[b] = tr;
    }
}
