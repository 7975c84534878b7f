package dev.deepmatch.recall.service;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listeners' latest user vectors, as the user-vectors topic carries them, and which listeners
 * changed last (for the page's picker). Thread-safe: the feed writes, HTTP threads read.
 */
final class UserStore {

    /** A listener's current query and what it encodes. */
    record Entry(
            String userId,
            float[] vector,
            long modelVersion,
            long emittedAtMillis,
            List<String> recentItems,
            List<Float> recentRates,
            long lastPlayMillis,
            long lastArrivalMillis,
            long appliedAtMillis) {}

    private static final int RECENT_USERS = 1_000;

    private final ConcurrentHashMap<String, Entry> users = new ConcurrentHashMap<>();

    /** User ids by last update, oldest first, at most {@link #RECENT_USERS}. */
    private final LinkedHashMap<String, Boolean> recent = new LinkedHashMap<>();

    /**
     * Keeps {@code e} unless the listener's held vector is of a newer model version or reflects a
     * newer play; returns whether it was kept.
     */
    boolean put(Entry e) {
        boolean[] kept = {false};
        users.compute(
                e.userId(),
                (id, held) -> {
                    if (held == null
                            || e.modelVersion() > held.modelVersion()
                            || e.lastPlayMillis() > held.lastPlayMillis()) {
                        kept[0] = true;
                        return e;
                    }
                    return held;
                });
        if (kept[0]) {
            synchronized (recent) {
                recent.remove(e.userId());
                recent.put(e.userId(), Boolean.TRUE);
                if (recent.size() > RECENT_USERS) {
                    Iterator<String> oldest = recent.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
        }
        return kept[0];
    }

    boolean remove(String userId) {
        synchronized (recent) {
            recent.remove(userId);
        }
        return users.remove(userId) != null;
    }

    Entry get(String userId) {
        return users.get(userId);
    }

    int size() {
        return users.size();
    }

    /** The listeners updated last, newest first. */
    List<Entry> latest(int limit) {
        List<String> ids;
        synchronized (recent) {
            ids = new ArrayList<>(recent.keySet());
        }
        List<Entry> out = new ArrayList<>();
        for (int i = ids.size() - 1; i >= 0 && out.size() < limit; i--) {
            Entry e = users.get(ids.get(i));
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }
}
