package dev.deepmatch.model;

import dev.deepmatch.model.math.Blas;

/** Exact top-n by inner product over the whole catalogue, one bounded min-heap per user. */
final class TopN {
    private TopN() {}

    /** Top n rows for users[from..to), returned as an array of to - from entries. */
    static int[][] select(
            double[][] users, double[] itemVectors, int items, int h, int n, int from, int to) {
        int[][] out = new int[to - from][];
        for (int u = from; u < to; u++) {
            out[u - from] = users[u] == null ? new int[0] : one(users[u], itemVectors, items, h, n);
        }
        return out;
    }

    private static int[] one(double[] user, double[] iv, int items, int h, int n) {
        if (n <= 0) {
            return new int[0];
        }
        double[] heapScore = new double[n];
        int[] heapRow = new int[n];
        int size = 0;
        for (int r = 0; r < items; r++) {
            double s = Blas.dot(user, 0, iv, r * h, h);
            if (size < n) {
                heapScore[size] = s;
                heapRow[size] = r;
                siftUp(heapScore, heapRow, size++);
            } else if (s > heapScore[0]) {
                heapScore[0] = s;
                heapRow[0] = r;
                siftDown(heapScore, heapRow, 0, size);
            }
        }
        // Pop the min-heap from the back to get best-first order.
        int[] result = new int[size];
        for (int i = size - 1; i >= 0; i--) {
            result[i] = heapRow[0];
            heapScore[0] = heapScore[i];
            heapRow[0] = heapRow[i];
            siftDown(heapScore, heapRow, 0, i);
        }
        return result;
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
