package dev.deepmatch.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Candidate sampler over the catalogue with probability proportional to {@code count^power}, where
 * counts are learned from the stream. A Fenwick tree keeps sampling and count updates at O(log V)
 * while the catalogue grows.
 */
final class UnigramSampler {
    private final double power;
    private long[] counts = new long[1024];
    private double[] tree = new double[1025]; // 1-based Fenwick tree of weights
    private int size;
    private double total;
    private long countTotal;

    UnigramSampler(double power) {
        this.power = power;
    }

    int size() {
        return size;
    }

    long count(int row) {
        return counts[row];
    }

    /** The sum of all rows' counts. */
    long countTotal() {
        return countTotal;
    }

    /** Adds a row with an initial count (at least 1, so every item can be sampled). */
    void addRow(long initialCount) {
        if (size == counts.length) {
            grow();
        }
        counts[size] = 0;
        size++;
        increment(size - 1, Math.max(1, initialCount));
    }

    void increment(int row, long by) {
        set(row, counts[row] + by);
    }

    /** Sets a row's count (0 takes its weight out of sampling). */
    void set(int row, long count) {
        double before = counts[row] == 0 ? 0 : Math.pow(counts[row], power);
        countTotal += count - counts[row];
        counts[row] = count;
        double delta = (count == 0 ? 0 : Math.pow(count, power)) - before;
        total += delta;
        for (int i = row + 1; i < tree.length; i += i & -i) {
            tree[i] += delta;
        }
    }

    /** Drops the last row (its weight first, so a later row at its index starts from zero). */
    void removeLast() {
        set(size - 1, 0);
        size--;
    }

    double probability(int row) {
        return Math.pow(counts[row], power) / total;
    }

    int sample(SplittableRandom rnd) {
        double u = rnd.nextDouble() * total;
        int pos = 0;
        for (int step = Integer.highestOneBit(size); step > 0; step >>= 1) {
            int next = pos + step;
            if (next <= size && tree[next] <= u) {
                pos = next;
                u -= tree[next];
            }
        }
        return Math.min(pos, size - 1); // guards the rounding edge at u ~ total
    }

    private void grow() {
        int cap = counts.length * 2;
        counts = Arrays.copyOf(counts, cap);
        // A Fenwick tree cannot simply be extended: rebuild it at the new size.
        tree = new double[cap + 1];
        for (int i = 0; i < size; i++) {
            tree[i + 1] += Math.pow(counts[i], power);
            int parent = (i + 1) + ((i + 1) & -(i + 1));
            if (parent <= cap) {
                tree[parent] += tree[i + 1];
            }
        }
        // Recompute the sum to shed accumulated rounding.
        total = 0;
        for (int i = 0; i < size; i++) {
            total += Math.pow(counts[i], power);
        }
    }
}
