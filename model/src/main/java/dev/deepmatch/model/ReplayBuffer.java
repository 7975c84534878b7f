package dev.deepmatch.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The most recent examples, for training each one more than once on a single pass over the stream.
 * Not part of the model snapshot: after a restore it refills from new examples.
 */
final class ReplayBuffer {
    private final Example[] ring;
    private final SplittableRandom rnd;
    private int next;
    private int size;

    ReplayBuffer(int capacity, long seed) {
        ring = new Example[capacity];
        rnd = new SplittableRandom(seed);
    }

    void addAll(List<Example> examples) {
        for (Example e : examples) {
            ring[next] = e;
            next = (next + 1) % ring.length;
            size = Math.min(size + 1, ring.length);
        }
    }

    /** Up to n examples drawn uniformly with replacement; none while empty. */
    List<Example> sample(int n) {
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n && size > 0; i++) {
            out.add(ring[rnd.nextInt(size)]);
        }
        return out;
    }

    int size() {
        return size;
    }
}
