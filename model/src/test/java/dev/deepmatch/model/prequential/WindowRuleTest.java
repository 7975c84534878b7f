package dev.deepmatch.model.prequential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.prequential.WindowRule.Outcome;
import dev.deepmatch.model.prequential.WindowRule.Result;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import dev.deepmatch.schema.UserWindow;
import dev.deepmatch.schema.WindowPlay;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowRuleTest {

    private static final int L = 3;
    private static final long LATENESS = 100_000;

    private final WindowRule rule = new WindowRule(L, 4, LATENESS);
    private UserWindow window;
    private long watermark = Long.MIN_VALUE;

    static PlaybackEvent play(String eventId, String item, long time, double rate) {
        return new PlaybackEvent(
                eventId,
                "u",
                item,
                Instant.ofEpochMilli(time),
                rate,
                IntentType.AUTOPLAY,
                null,
                null);
    }

    /** Applies a play to the window; returns the example's target and history items, or null. */
    private Result send(String eventId, String item, long time, double rate) {
        Result r = rule.accept("u", window, play(eventId, item, time, rate), watermark);
        window = r.window();
        return r;
    }

    private Result send(String eventId, String item, long time) {
        return send(eventId, item, time, 1.0);
    }

    private static List<String> history(Result r) {
        return r.example().getHistoryItems();
    }

    @Test
    void everyPlayAfterTheFirstIsAnExampleWithUpToLEarlierPlays() {
        Result first = send("e1", "a", 1_000);
        assertThat(first.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(first.example()).isNull();
        Result second = send("e2", "b", 2_000, 0.1);
        assertThat(history(second)).containsExactly("a");
        assertThat(second.example().getUserId()).isEqualTo("u");
        assertThat(second.example().getTarget().getItemId()).isEqualTo("b");
        assertThat(second.example().getTarget().getPlayRate()).isEqualTo(0.1);
        assertThat(second.example().getTarget().getIntent()).isEqualTo(IntentType.AUTOPLAY);
        Result third = send("e3", "c", 3_000);
        assertThat(third.example().getHistoryRates()).containsExactly(1.0, 0.1);
        send("e4", "d", 4_000);
        Result fifth = send("e5", "e", 5_000, 0.5);
        // The window keeps the last L plays: "a" is gone by the fifth play.
        assertThat(history(fifth)).containsExactly("b", "c", "d");
        assertThat(fifth.example().getTarget().getEventTimeMillis()).isEqualTo(5_000);
        assertThat(window.getPlays())
                .extracting(WindowPlay::getItemId)
                .containsExactly("c", "d", "e");
    }

    @Test
    void replayedEventIdsAreDroppedWithBoundedMemory() {
        send("e1", "a", 1_000);
        send("e2", "b", 2_000);
        assertThat(send("e1", "a", 1_000).outcome()).isEqualTo(Outcome.DUPLICATE);
        Result replay = send("e2", "b", 2_000);
        assertThat(replay.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(replay.example()).isNull();
        assertThat(window.getPlays()).hasSize(2);

        // Dedup memory is 4 ids: after four newer plays, e1 is forgotten and accepted again.
        send("e3", "c", 3_000);
        send("e4", "d", 4_000);
        send("e5", "e", 5_000);
        Result again = send("e1", "a", 6_000);
        assertThat(again.outcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.example().getTarget().getItemId()).isEqualTo("a");
        assertThat(window.getRecentEventIds()).containsExactly("e3", "e4", "e5", "e1");
    }

    @Test
    void outOfOrderPlaysArePlacedByEventTime() {
        send("e1", "a", 10_000);
        assertThat(history(send("e3", "c", 30_000))).containsExactly("a");
        // arrives late, happened between a and c: its history is what came before it
        assertThat(history(send("e2", "b", 20_000))).containsExactly("a");
        // before everything: no earlier play, no example
        assertThat(send("e0", "z", 5_000).example()).isNull();
        // z was inserted first and then evicted as the oldest of L + 1 plays
        assertThat(history(send("e4", "d", 40_000))).containsExactly("a", "b", "c");
    }

    @Test
    void playsOfTheSameTimeKeepTheirArrivalOrder() {
        send("e1", "a", 1_000);
        send("e2", "b", 1_000);
        assertThat(history(send("e3", "c", 1_000))).containsExactly("a", "b");
    }

    @Test
    void playsBehindTheWatermarkByMoreThanTheAllowedLatenessAreDropped() {
        send("e1", "a", 500_000);
        watermark = 500_000;
        Result late = send("late", "x", 500_000 - LATENESS - 1);
        assertThat(late.outcome()).isEqualTo(Outcome.LATE);
        assertThat(send("inTime", "y", 500_000 - LATENESS).outcome()).isEqualTo(Outcome.ACCEPTED);
        // y (within lateness) is in the window, before a; x never got in
        assertThat(history(send("e2", "b", 600_000))).containsExactly("y", "a");
    }

    @Test
    void noWatermarkMeansNothingIsLate() {
        send("e1", "a", Long.MIN_VALUE / 2);
        assertThat(send("e2", "b", Long.MIN_VALUE / 2 + 1).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void anExampleDoesNotChangeWithTheWindowAfterIt() {
        send("e1", "a", 1_000);
        TrainingExample example = send("e2", "b", 2_000).example();
        send("e3", "c", 3_000);
        send("e4", "d", 4_000);
        send("e5", "e", 5_000);
        assertThat(example.getHistoryItems()).containsExactly("a");
    }

    @Test
    void aStoredWindowIsChangedInPlace() {
        window = new UserWindow(new ArrayList<>(), new ArrayList<>(), 0L, 0L);
        UserWindow stored = window;
        send("e1", "a", 1_000);
        assertThat(window).isSameAs(stored);
        assertThat(stored.getPlays()).hasSize(1);
    }
}
