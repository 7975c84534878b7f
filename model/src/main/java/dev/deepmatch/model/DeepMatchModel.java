package dev.deepmatch.model;

import dev.deepmatch.schema.ModelShard;
import java.util.List;

/** Public face of the model. Not thread-safe: one owner calls it. */
public final class DeepMatchModel {

    public DeepMatchModel(ModelConfig config) {
        throw new UnsupportedOperationException("being written");
    }

    public ModelConfig config() {
        throw new UnsupportedOperationException();
    }

    /** Training steps taken so far; increases by one per optimizer step. */
    public long version() {
        throw new UnsupportedOperationException();
    }

    /** Items admitted to the catalogue so far. */
    public int catalogueSize() {
        throw new UnsupportedOperationException();
    }

    /** Catalogue row of an item id, or -1 if the model has not seen it. */
    public int rowOf(String itemId) {
        throw new UnsupportedOperationException();
    }

    public String itemId(int row) {
        throw new UnsupportedOperationException();
    }

    /** The serving vector of a catalogue row (length hidden). */
    public float[] itemVector(int row) {
        throw new UnsupportedOperationException();
    }

    /** User vectors (B x hidden) for the histories of a batch; does not learn. */
    public double[][] userVectors(List<Example> batch) {
        throw new UnsupportedOperationException();
    }

    /** Exact top-n catalogue rows per user vector, best first, over the whole catalogue. */
    public int[][] topN(double[][] users, int n) {
        throw new UnsupportedOperationException();
    }

    /** One mini-batch of learning: admits unseen items, updates sampler counts, steps Adam. */
    public TrainStats train(List<Example> batch) {
        throw new UnsupportedOperationException();
    }

    /**
     * Rows whose item-table entry changed since the last call, and clears the record. The
     * projection (E x H) moves every vector a little each step; a periodic full refresh covers that
     * drift.
     */
    public int[] drainTouchedRows() {
        throw new UnsupportedOperationException();
    }

    /** Whole model state as shard records of at most about {@code maxShardBytes} payload each. */
    public List<ModelShard> snapshot(int maxShardBytes) {
        throw new UnsupportedOperationException();
    }

    /** Restores a model from the shards of {@link #snapshot}, in any order. */
    public static DeepMatchModel restore(List<ModelShard> shards) {
        throw new UnsupportedOperationException();
    }
}
