package dev.deepmatch.model;

/**
 * How often each item id not yet in the catalogue was played, in fixed memory whatever the number
 * of ids: a count-min sketch (four rows of saturating byte counters, conservative update) whose
 * counters are halved every {@code width / 2} plays counted, so that collisions of one-off ids
 * cannot add up to an admission (the ageing of TinyLFU's doorkeeper). It never under-counts within
 * an ageing period, and over-counts rarely: an id is admitted at its N-th play or, rarely, earlier.
 * The price of the fixed memory: an id needs its N plays within about {@code width / 2} to {@code
 * width} plays of ids not yet admitted.
 *
 * <p>Not part of the model's snapshot: after a restore, ids waiting for admission start counting
 * again.
 */
final class AdmissionSketch {
    private static final int DEPTH = 4;
    private static final int MAX = 127;

    private final int mask;
    private final byte[] counters;
    private final long agePeriod;
    private long added;

    /** A sketch of {@code 4 x 2^log2Width} counters. */
    AdmissionSketch(int log2Width) {
        if (log2Width < 4 || log2Width > 28) {
            throw new IllegalArgumentException("log2Width must be in [4, 28], got " + log2Width);
        }
        int width = 1 << log2Width;
        this.mask = width - 1;
        this.counters = new byte[DEPTH * width];
        this.agePeriod = width / 2;
    }

    /** Counts one play of {@code id} and returns its estimated plays so far, this one included. */
    int add(String id) {
        long h = ItemSharding.hash64(id);
        int h1 = (int) h;
        int h2 = (int) (h >>> 32) | 1;
        int min = MAX;
        for (int d = 0; d < DEPTH; d++) {
            min = Math.min(min, counters[index(d, h1, h2)]);
        }
        int estimate = Math.min(MAX, min + 1);
        // Conservative update: raise only the counters below the new estimate.
        for (int d = 0; d < DEPTH; d++) {
            int i = index(d, h1, h2);
            if (counters[i] < estimate) {
                counters[i] = (byte) estimate;
            }
        }
        if (++added >= agePeriod) {
            age();
        }
        return estimate;
    }

    private int index(int d, int h1, int h2) {
        return d * (mask + 1) + ((h1 + d * h2) & mask);
    }

    private void age() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = (byte) (counters[i] >> 1);
        }
        added = 0;
    }

    /** Bytes the sketch holds. */
    int bytes() {
        return counters.length;
    }
}
