package dev.deepmatch.replay.baseline;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Items ordered by play count, most played first, kept sorted under +1 increments in O(1) each, so
 * the top N is always at hand. Items with equal counts keep the order in which they reached that
 * count (earlier first).
 *
 * <p>Positions hold items in descending count order; the items with count {@code c} occupy the
 * block starting at {@code blockStart[c]}. An increment swaps the item to the front of its block,
 * where it becomes the last item of the block above.
 */
final class PopularityRanking {
    private final Map<String, Integer> ids = new HashMap<>();
    private String[] items = new String[1024];
    private int[] counts = new int[1024];
    private int[] positionOf = new int[1024];
    private int[] itemAt = new int[1024];
    private int[] blockStart = new int[1024];
    private int size;

    void increment(String item) {
        Integer boxed = ids.get(item);
        int id = boxed == null ? admit(item) : boxed;
        int c = counts[id];
        int front = blockStart[c];
        swap(positionOf[id], front);
        blockStart[c] = front + 1;
        counts[id] = c + 1;
        if (c + 1 >= blockStart.length) {
            blockStart = Arrays.copyOf(blockStart, blockStart.length * 2);
        }
        if (front == 0 || counts[itemAt[front - 1]] != c + 1) {
            blockStart[c + 1] = front;
        }
    }

    private int admit(String item) {
        if (size == items.length) {
            int grown = size * 2;
            items = Arrays.copyOf(items, grown);
            counts = Arrays.copyOf(counts, grown);
            positionOf = Arrays.copyOf(positionOf, grown);
            itemAt = Arrays.copyOf(itemAt, grown);
        }
        int id = size++;
        ids.put(item, id);
        items[id] = item;
        positionOf[id] = id;
        itemAt[id] = id;
        if (id == 0 || counts[itemAt[id - 1]] != 0) {
            blockStart[0] = id;
        }
        return id;
    }

    private void swap(int p, int q) {
        int a = itemAt[p];
        int b = itemAt[q];
        itemAt[p] = b;
        itemAt[q] = a;
        positionOf[b] = p;
        positionOf[a] = q;
    }

    int size() {
        return size;
    }

    /** The item at a popularity position (0 = most played). */
    String itemAt(int position) {
        return items[itemAt[position]];
    }

    int countAt(int position) {
        return counts[itemAt[position]];
    }

    /** Popularity position of an item, or Integer.MAX_VALUE if never played. */
    int positionOf(String item) {
        Integer id = ids.get(item);
        return id == null ? Integer.MAX_VALUE : positionOf[id];
    }

    int count(String item) {
        Integer id = ids.get(item);
        return id == null ? 0 : counts[id];
    }
}
