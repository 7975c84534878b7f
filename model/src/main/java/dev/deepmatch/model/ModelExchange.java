package dev.deepmatch.model;

import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.RowDelta;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps one trainer's replica of the model in step with its peers: records what this trainer
 * changed since the last {@link #take} (dense parameters, item rows, sampler counts, steps) as
 * additive deltas, and applies the deltas of other trainers. Replicas that start equal and apply
 * every other replica's deltas once converge on the sum of all changes; optimizer slots stay local.
 *
 * <p>A row's own change is its value minus its base, the value when this trainer first changed it
 * in the interval; a peer's delta moves value and base alike, so it never counts as own. Rows a
 * trainer admits start from {@link ItemTable#initialRow}, the same on every replica.
 */
public final class ModelExchange {
    private final DeepMatchModel model;
    private final double[] denseBase;
    private final Map<Integer, double[]> rowBase = new HashMap<>();
    private final Map<Integer, Long> counts = new HashMap<>();
    private long steps;
    private long rejectedRows;

    /** Dense changes kept for a later take. */
    private boolean denseHeld;

    /** Starts recording the model's changes from its current state. */
    public ModelExchange(DeepMatchModel model) {
        this.model = model;
        this.denseBase = model.dense.clone();
        model.exchange = this;
    }

    /** Whether nothing changed since the last take (dense changes held back included). */
    public boolean isEmpty() {
        return steps == 0 && rowBase.isEmpty() && counts.isEmpty() && !denseHeld;
    }

    /** Called by the model before it updates a row. */
    void beforeRowUpdate(int row) {
        int e = model.items.dim();
        rowBase.computeIfAbsent(
                row, r -> java.util.Arrays.copyOfRange(model.items.emb, r * e, (r + 1) * e));
    }

    /**
     * Called by the model when it evicted {@code row} and moved row {@code moved} into its place
     * (-1: nothing moved): the evicted row's pending change is dropped (its peers evict it too),
     * the moved row's follows it.
     */
    void rowEvicted(int row, int moved) {
        rowBase.remove(row);
        counts.remove(row);
        if (moved >= 0) {
            double[] base = rowBase.remove(moved);
            if (base != null) {
                rowBase.put(row, base);
            }
            Long count = counts.remove(moved);
            if (count != null) {
                counts.put(row, count);
            }
        }
    }

    void counted(int row, long by) {
        counts.merge(row, by, Long::sum);
    }

    void stepped() {
        steps++;
    }

    /** Rows this trainer changed since the last take. */
    public int pendingRows() {
        java.util.Set<Integer> rows = new java.util.HashSet<>(rowBase.keySet());
        rows.addAll(counts.keySet());
        return rows.size();
    }

    /** Peer rows left out because the catalogue was full. */
    public long rejectedRows() {
        return rejectedRows;
    }

    /**
     * This trainer's changes since the last take, in parts of at most {@code rowsPerPart} rows (the
     * first part also carries the dense change and the steps), and starts a new interval.
     */
    public List<ModelDelta> take(
            int sender,
            int senders,
            long lineage,
            int attempt,
            long seq,
            long sentAtMillis,
            int rowsPerPart) {
        return take(sender, senders, lineage, attempt, seq, sentAtMillis, rowsPerPart, true);
    }

    /**
     * {@link #take}, with the dense change only if {@code withDense}: otherwise it keeps adding up
     * for a later take (rows move fast and a delta of them is small; the dense parameters move
     * slowly and are the bulk of a delta).
     */
    public List<ModelDelta> take(
            int sender,
            int senders,
            long lineage,
            int attempt,
            long seq,
            long sentAtMillis,
            int rowsPerPart,
            boolean withDense) {
        double[] dense = model.dense;
        // Nothing learned: a part without the dense change still tells peers this one is alive.
        boolean changed = !isEmpty();
        boolean sendDense = withDense && changed;
        denseHeld = changed && !withDense;
        ByteBuffer denseBytes = floats(sendDense ? dense.length : 0);
        for (int i = 0; sendDense && i < dense.length; i++) {
            denseBytes.putFloat((float) (dense[i] - denseBase[i]));
            denseBase[i] = dense[i];
        }
        denseBytes.flip();

        java.util.TreeSet<Integer> rows = new java.util.TreeSet<>(rowBase.keySet());
        rows.addAll(counts.keySet());
        int e = model.items.dim();
        double[] emb = model.items.emb;
        List<List<RowDelta>> parts = new ArrayList<>();
        List<RowDelta> part = new ArrayList<>();
        parts.add(part);
        for (int row : rows) {
            if (part.size() == rowsPerPart) {
                part = new ArrayList<>();
                parts.add(part);
            }
            double[] base = rowBase.get(row);
            ByteBuffer values = floats(base == null ? 0 : e);
            if (base != null) {
                for (int j = 0; j < e; j++) {
                    values.putFloat((float) (emb[row * e + j] - base[j]));
                }
            }
            values.flip();
            part.add(new RowDelta(model.items.id(row), counts.getOrDefault(row, 0L), values));
        }
        List<ModelDelta> out = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            out.add(
                    ModelDelta.newBuilder()
                            .setSender(sender)
                            .setSenders(senders)
                            .setLineage(lineage)
                            .setAttempt(attempt)
                            .setSeq(seq)
                            .setSentAtMillis(sentAtMillis)
                            .setPart(p)
                            .setParts(parts.size())
                            .setSteps(p == 0 ? steps : 0)
                            .setDense(p == 0 ? denseBytes : ByteBuffer.allocate(0))
                            .setRows(parts.get(p))
                            .build());
        }
        rowBase.clear();
        counts.clear();
        steps = 0;
        return out;
    }

    /**
     * Applies a peer's delta (one part); returns the rows it moved. A part whose sizes do not fit
     * this model is refused whole, before anything changes.
     */
    public int apply(ModelDelta delta) {
        ByteBuffer dense = delta.getDense().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int e = model.items.dim();
        if (dense.remaining() != 0 && dense.remaining() != 4 * model.dense.length) {
            throw new IllegalArgumentException(
                    "delta of "
                            + dense.remaining() / 4
                            + " dense parameters, the model has "
                            + model.dense.length);
        }
        for (RowDelta r : delta.getRows()) {
            int n = r.getValues().remaining();
            if (n != 0 && n != 4 * e) {
                throw new IllegalArgumentException(
                        "delta of item " + r.getItemId() + " has " + n / 4 + " values, not " + e);
            }
        }
        for (int i = 0; dense.remaining() > 0; i++) {
            float d = dense.getFloat();
            model.dense[i] += d;
            denseBase[i] += d;
        }
        model.steps += delta.getSteps();
        int applied = 0;
        for (RowDelta r : delta.getRows()) {
            String id = r.getItemId().toString();
            if (r.getCount() == 0 && model.items.rowOf(id) < 0 && model.recentlyEvicted(id)) {
                continue; // a row the peer read or sampled before it evicted it too
            }
            int row = model.items.admit(id, model.clock);
            if (row < 0) {
                rejectedRows++;
                continue;
            }
            ByteBuffer values = r.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            double[] base = rowBase.get(row);
            for (int j = 0; values.remaining() > 0; j++) {
                float d = values.getFloat();
                model.items.emb[row * e + j] += d;
                if (base != null) {
                    base[j] += d;
                }
            }
            if (r.getCount() > 0) {
                model.items.sampler.increment(row, r.getCount());
                // A peer learned from a play of it (a row it only read or sampled has no count).
                model.items.played(row, model.clock);
            }
            model.items.markTouched(row);
            applied++;
        }
        return applied;
    }

    private static ByteBuffer floats(int n) {
        return ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
