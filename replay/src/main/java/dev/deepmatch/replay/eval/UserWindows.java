package dev.deepmatch.replay.eval;

import dev.deepmatch.model.prequential.WindowRule;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserWindow;
import java.util.HashMap;
import java.util.Map;

/**
 * Every listener's window in memory, under the job's own {@link WindowRule}. A replay has no
 * watermark, so no play is late; windows are never evicted (one per listener seen).
 */
public final class UserWindows {
    private final WindowRule rule;
    private final Map<String, UserWindow> windows = new HashMap<>();

    public UserWindows(int windowLength, int dedupMemory) {
        this.rule = new WindowRule(windowLength, dedupMemory, 0);
    }

    /** The example this play makes: null for a listener's first play and for a duplicate. */
    public TrainingExample accept(PlaybackEvent play) {
        String user = play.getUserId();
        WindowRule.Result r = rule.accept(user, windows.get(user), play, Long.MIN_VALUE);
        if (r.outcome() == WindowRule.Outcome.ACCEPTED) {
            windows.put(user, r.window());
        }
        return r.example();
    }

    public int users() {
        return windows.size();
    }
}
