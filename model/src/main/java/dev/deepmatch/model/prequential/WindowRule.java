package dev.deepmatch.model.prequential;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserWindow;
import dev.deepmatch.schema.WindowPlay;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule that turns a listener's plays into training examples, for the job's window operator
 * and the replay alike, so both measure the same thing.
 *
 * <p>A listener's window holds their last {@code windowLength} plays ordered by event time (ties
 * keep arrival order). A play is placed where it happened by event time; if an earlier play exists,
 * it becomes an example whose history is the plays before it. A play behind the watermark by more
 * than the allowed lateness is dropped, and so is a replay of one of the last {@code dedupMemory}
 * event ids of the listener.
 */
public final class WindowRule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What became of a play. */
    public enum Outcome {
        /** Placed in the window (with an example, unless it is the listener's first play). */
        ACCEPTED,
        /** Behind the watermark by more than the allowed lateness: dropped. */
        LATE,
        /** A replay of a recently seen event id: dropped. */
        DUPLICATE
    }

    /**
     * @param window the listener's window after the play (the one given, unchanged, unless
     *     accepted)
     * @param example the example the play made, or null
     */
    public record Result(Outcome outcome, UserWindow window, TrainingExample example) {}

    private final int windowLength;
    private final int dedupMemory;
    private final long allowedLatenessMillis;

    public WindowRule(int windowLength, int dedupMemory, long allowedLatenessMillis) {
        if (windowLength < 1 || dedupMemory < 0 || allowedLatenessMillis < 0) {
            throw new IllegalArgumentException(
                    "window length must be at least 1, dedup memory and lateness at least 0");
        }
        this.windowLength = windowLength;
        this.dedupMemory = dedupMemory;
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    /**
     * Applies a play to a listener's window.
     *
     * @param current the listener's window, or null before their first play; its lists may be
     *     changed in place
     * @param watermark event time up to which plays are complete ({@code Long.MIN_VALUE}: none)
     */
    public Result accept(String userId, UserWindow current, PlaybackEvent play, long watermark) {
        long eventTime = play.getEventTimeMillis().toEpochMilli();
        if (watermark > Long.MIN_VALUE + allowedLatenessMillis
                && eventTime < watermark - allowedLatenessMillis) {
            return new Result(Outcome.LATE, current, null);
        }
        UserWindow window =
                current != null
                        ? current
                        : new UserWindow(new ArrayList<>(), new ArrayList<>(), 0L, 0L);
        List<String> recentIds = window.getRecentEventIds();
        if (recentIds.contains(play.getEventId())) {
            return new Result(Outcome.DUPLICATE, current, null);
        }

        List<WindowPlay> plays = window.getPlays();
        int at = plays.size();
        while (at > 0 && plays.get(at - 1).getEventTimeMillis() > eventTime) {
            at--;
        }
        WindowPlay placed =
                new WindowPlay(
                        play.getEventId(),
                        play.getItemId(),
                        eventTime,
                        play.getPlayRate(),
                        play.getIntent());
        TrainingExample example = at == 0 ? null : example(userId, plays, at, placed);
        plays.add(at, placed);
        if (plays.size() > windowLength) {
            plays.remove(0);
        }
        if (dedupMemory > 0) {
            recentIds.add(play.getEventId());
            if (recentIds.size() > dedupMemory) {
                recentIds.remove(0);
            }
        }
        return new Result(Outcome.ACCEPTED, window, example);
    }

    /** The example of the play placed at {@code at}: up to L plays before it. */
    private TrainingExample example(
            String userId, List<WindowPlay> plays, int at, WindowPlay target) {
        int from = Math.max(0, at - windowLength);
        List<String> items = new ArrayList<>(at - from);
        List<Double> rates = new ArrayList<>(at - from);
        List<IntentType> intents = new ArrayList<>(at - from);
        for (int i = from; i < at; i++) {
            WindowPlay p = plays.get(i);
            items.add(p.getItemId());
            rates.add(p.getPlayRate());
            intents.add(p.getIntent());
        }
        return new TrainingExample(userId, items, rates, intents, target);
    }
}
