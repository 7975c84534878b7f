package dev.deepmatch.model;

import java.nio.charset.StandardCharsets;

/**
 * Which shard of the item table an id belongs to, and which of P trainers owns a shard. Like
 * Flink's key groups: the shard count is fixed for a model ({@link ModelSettings#ITEM_SHARDS}) and
 * bounds the trainer parallelism; shards map to trainers by contiguous ranges, so a rescale moves
 * whole shards.
 */
public final class ItemSharding {
    private final int shards;

    public ItemSharding(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        this.shards = shards;
    }

    public int shards() {
        return shards;
    }

    public int shardOf(String itemId) {
        return (int) Long.remainderUnsigned(hash64(itemId), shards);
    }

    /** The subtask of {@code parallelism} trainers that owns the shard. */
    public int ownerOf(int shard, int parallelism) {
        return (int) ((long) shard * parallelism / shards);
    }

    public int ownerOfItem(String itemId, int parallelism) {
        return ownerOf(shardOf(itemId), parallelism);
    }

    /**
     * FNV-1a over the id's UTF-8 bytes, then a 64-bit finalizer: stable across JVMs and releases
     * (shard assignment and initial rows depend on it; never change it for existing models).
     */
    static long hash64(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
