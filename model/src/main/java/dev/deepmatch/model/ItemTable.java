package dev.deepmatch.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The catalogue: item id to row map, the V x E item table with its lazy-Adam slots, the
 * learned-unigram sampler counts and when each row was last played. Rows stay dense: an evicted row
 * takes the last row's contents, so row indexes are only valid until the next {@link #evict}. At
 * capacity no new id is admitted (callers leave such plays out and count them).
 */
final class ItemTable {
    private final int dim;

    /**
     * Columns with Adam's first moment: the item embedding's. The successor channel's columns step
     * with Adagrad, which needs only the second slot.
     */
    private final int momentDim;

    private final int capacity;
    private final double initScale;
    private final long seed;
    private Map<String, Integer> rowOf = new HashMap<>();
    private ArrayList<String> ids = new ArrayList<>();
    final UnigramSampler sampler;
    double[] emb = new double[0];
    double[] m = new double[0];
    double[] v = new double[0];

    /** Model clock (event time, ms) at each row's latest play; {@link #UNKNOWN} if not known. */
    private long[] lastPlayed = new long[0];

    /**
     * A row restored from a snapshot that did not record plays: its clock starts at the next sweep.
     */
    static final long UNKNOWN = Long.MIN_VALUE;

    /** Rows whose embedding changed since the last drain. */
    private boolean[] touched = new boolean[0];

    private int touchedCount;

    /** Rows changed since the scoring copy last took them (a second, independent drain). */
    private boolean[] unscored = new boolean[0];

    private int[] unscoredRows = new int[0];
    private int unscoredCount;

    ItemTable(
            int dim,
            int momentDim,
            int capacity,
            double initScale,
            double samplerPower,
            long seed) {
        this.dim = dim;
        this.momentDim = momentDim;
        this.capacity = capacity;
        this.initScale = initScale;
        this.seed = seed;
        this.sampler = new UnigramSampler(samplerPower);
    }

    int size() {
        return ids.size();
    }

    int dim() {
        return dim;
    }

    int momentDim() {
        return momentDim;
    }

    int capacity() {
        return capacity;
    }

    int rowOf(String id) {
        Integer r = rowOf.get(id);
        return r == null ? -1 : r;
    }

    String id(int row) {
        return ids.get(row);
    }

    /** {@link #admit(String, long)} before the clock started (tests, and rows of unknown age). */
    int admit(String id) {
        return admit(id, UNKNOWN);
    }

    /**
     * Returns the row of the id, admitting it with its initial embedding if unseen (its eviction
     * clock starting at {@code now}); -1 when the catalogue is full.
     */
    int admit(String id, long now) {
        Integer r = rowOf.get(id);
        if (r != null) {
            return r;
        }
        if (ids.size() >= capacity) {
            return -1;
        }
        return append(id, initialRow(id), new double[momentDim], new double[dim], 1, now);
    }

    /**
     * An id's initial embedding, a function of the seed and the id alone: trainers that admit the
     * same id on their own start it from the same values, so their deltas add up.
     */
    double[] initialRow(String id) {
        SplittableRandom rnd = new SplittableRandom(seed ^ ItemSharding.hash64(id));
        double[] row = new double[dim];
        for (int j = 0; j < dim; j++) {
            row[j] = gaussian(rnd) * initScale;
        }
        return row;
    }

    /** Appends a row with given contents (used by admission and by the codec on restore). */
    int append(String id, double[] row, double[] mRow, double[] vRow, long count, long played) {
        int r = ids.size();
        ensureCapacity(r + 1);
        System.arraycopy(row, 0, emb, r * dim, dim);
        System.arraycopy(mRow, 0, m, r * momentDim, momentDim);
        System.arraycopy(vRow, 0, v, r * dim, dim);
        lastPlayed[r] = played;
        ids.add(id);
        rowOf.put(id, r);
        sampler.addRow(count);
        markTouched(r);
        return r;
    }

    /**
     * Makes room for {@code rows} rows at once (a restore knows how many come): no growing copies
     * of the table and no rehashing while they are appended.
     */
    void reserve(int rows) {
        int target = Math.min(capacity, rows);
        if (ids.isEmpty() && target > 0) {
            rowOf = new HashMap<>((int) (target / 0.75f) + 1);
            ids = new ArrayList<>(target);
        }
        if (target * dim > emb.length) {
            growTo(target);
        }
    }

    /** Records a play of the row at model clock {@code now}. */
    void played(int row, long now) {
        if (lastPlayed[row] < now) {
            lastPlayed[row] = now;
        }
    }

    long lastPlayed(int row) {
        return lastPlayed[row];
    }

    /**
     * Rows last played before {@code cutoff}, highest first (the order {@link #evict} needs so that
     * no listed row is moved before its turn). Rows of unknown age start their clock at {@code
     * now}.
     */
    int[] unplayedBefore(long cutoff, long now) {
        int[] out = new int[0];
        int n = 0;
        for (int r = ids.size() - 1; r >= 0; r--) {
            if (lastPlayed[r] == UNKNOWN) {
                lastPlayed[r] = now;
            } else if (lastPlayed[r] < cutoff) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, Math.max(16, 2 * n));
                }
                out[n++] = r;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Removes a row: the last row moves into its place (contents, id, count, age, and whether it
     * awaits emission or scoring), so the table stays dense. Returns the index the moved row had
     * (the last one), or -1 when the removed row was the last.
     */
    int evict(int row) {
        int last = ids.size() - 1;
        String id = ids.get(row);
        rowOf.remove(id);
        if (touched[row]) {
            touched[row] = false;
            touchedCount--;
        }
        int moved = -1;
        if (row != last) {
            System.arraycopy(emb, last * dim, emb, row * dim, dim);
            System.arraycopy(m, last * momentDim, m, row * momentDim, momentDim);
            System.arraycopy(v, last * dim, v, row * dim, dim);
            lastPlayed[row] = lastPlayed[last];
            String lastId = ids.get(last);
            ids.set(row, lastId);
            rowOf.put(lastId, row);
            sampler.set(row, sampler.count(last));
            if (touched[last]) {
                touched[last] = false;
                touchedCount--;
                touched[row] = true;
                touchedCount++;
            }
            markUnscored(row); // the scoring copy's row now holds another item
            moved = last;
        }
        ids.remove(last);
        sampler.removeLast();
        return moved;
    }

    void markTouched(int row) {
        if (!touched[row]) {
            touched[row] = true;
            touchedCount++;
        }
        markUnscored(row);
    }

    private void markUnscored(int row) {
        if (!unscored[row]) {
            unscored[row] = true;
            if (unscoredCount == unscoredRows.length) {
                unscoredRows = Arrays.copyOf(unscoredRows, Math.max(1024, 2 * unscoredCount));
            }
            unscoredRows[unscoredCount++] = row;
        }
    }

    /**
     * Rows changed since the last call, in the order they first changed (evicted ones left out).
     */
    int[] drainUnscored() {
        int[] out = new int[unscoredCount];
        int n = 0;
        for (int i = 0; i < unscoredCount; i++) {
            int r = unscoredRows[i];
            unscored[r] = false;
            if (r < ids.size()) {
                out[n++] = r;
            }
        }
        unscoredCount = 0;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    int[] drainTouched() {
        int[] out = new int[touchedCount];
        int k = 0;
        for (int r = 0; r < ids.size() && k < out.length; r++) {
            if (touched[r]) {
                out[k++] = r;
                touched[r] = false;
            }
        }
        touchedCount = 0;
        return out;
    }

    private void ensureCapacity(int rows) {
        if (rows * dim <= emb.length) {
            return;
        }
        growTo(Math.min(capacity, Math.max(rows, Math.max(1024, (emb.length / dim) * 2))));
    }

    /** Every per-row array sized for {@code cap} rows. */
    private void growTo(int cap) {
        emb = Arrays.copyOf(emb, cap * dim);
        m = Arrays.copyOf(m, cap * momentDim);
        v = Arrays.copyOf(v, cap * dim);
        lastPlayed = Arrays.copyOf(lastPlayed, cap);
        touched = Arrays.copyOf(touched, cap);
        unscored = Arrays.copyOf(unscored, cap);
    }

    static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
