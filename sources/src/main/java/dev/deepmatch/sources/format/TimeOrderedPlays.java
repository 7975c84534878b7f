package dev.deepmatch.sources.format;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Plays of a whole file held in memory and handed out in event-time order, stably (ties keep file
 * order): for the formats whose file order is not the stream's.
 */
final class TimeOrderedPlays {
    private final List<String> users = new ArrayList<>();
    private final List<String> items = new ArrayList<>();
    private final List<String> eventIds = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private final List<Double> rates = new ArrayList<>();
    private int[] order;
    private int next;

    void add(String user, String item, long timeMillis, double rate, String eventId) {
        if (order != null) {
            throw new IllegalStateException("plays added after they were sorted");
        }
        users.add(user);
        items.add(item);
        times.add(timeMillis);
        rates.add(rate);
        eventIds.add(eventId);
    }

    /** Sorts what was added; call once, after the last {@link #add}. */
    void sort() {
        Integer[] idx = new Integer[times.size()];
        Arrays.setAll(idx, i -> i);
        // Arrays.sort on objects is a stable merge sort.
        Arrays.sort(idx, Comparator.comparingLong(times::get));
        order = Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /** The next play in time order (intent UNKNOWN), or null after the last. */
    PlaybackEvent next() {
        if (next >= order.length) {
            return null;
        }
        int i = order[next++];
        return Plays.event(
                users.get(i),
                items.get(i),
                times.get(i),
                rates.get(i),
                IntentType.UNKNOWN,
                eventIds.get(i));
    }
}
