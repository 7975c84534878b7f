package dev.deepmatch.replay.eval;

import dev.deepmatch.model.Example;
import dev.deepmatch.replay.format.Play;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-user sliding windows of the last {@code maxLen} plays. Each play of a user who has played
 * before becomes an {@link Example} whose history is the window (oldest first) before the play;
 * then the play enters the window. Windows are never evicted: a replay holds one window per user
 * seen.
 */
public final class UserWindows {
    private final int maxLen;
    private final Map<String, Window> windows = new HashMap<>();

    public UserWindows(int maxLen) {
        if (maxLen < 1) {
            throw new IllegalArgumentException("maxLen must be at least 1, got " + maxLen);
        }
        this.maxLen = maxLen;
    }

    /** The example this play makes (null for a user's first play), after which it is recorded. */
    public Example accept(Play play) {
        Window w = windows.computeIfAbsent(play.user(), u -> new Window(maxLen));
        Example example = w.size == 0 ? null : w.example(play.item(), play.rate());
        w.add(play.item(), play.rate(), play.intent().ordinal());
        return example;
    }

    public int users() {
        return windows.size();
    }

    /** Ring buffer of one user's recent plays. */
    private static final class Window {
        private final String[] items;
        private final double[] rates;
        private final int[] intents;
        private int start;
        private int size;

        Window(int capacity) {
            items = new String[capacity];
            rates = new double[capacity];
            intents = new int[capacity];
        }

        void add(String item, double rate, int intent) {
            int slot = (start + size) % items.length;
            if (size == items.length) {
                start = (start + 1) % items.length;
            } else {
                size++;
            }
            items[slot] = item;
            rates[slot] = rate;
            intents[slot] = intent;
        }

        Example example(String targetItem, double targetRate) {
            String[] hItems = new String[size];
            double[] hRates = new double[size];
            int[] hIntents = new int[size];
            for (int i = 0; i < size; i++) {
                int slot = (start + i) % items.length;
                hItems[i] = items[slot];
                hRates[i] = rates[slot];
                hIntents[i] = intents[slot];
            }
            return new Example(hItems, hRates, hIntents, targetItem, targetRate);
        }
    }
}
