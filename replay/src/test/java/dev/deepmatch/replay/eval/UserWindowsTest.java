package dev.deepmatch.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.Example;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.schema.TrainingExample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The replay's windows: one per listener, under the job's window rule. */
class UserWindowsTest {
    private long time;

    private PlaybackEvent play(String user, String item, double rate, IntentType intent) {
        time += 1000;
        return new PlaybackEvent(
                user + item + time,
                user,
                item,
                Instant.ofEpochMilli(time),
                rate,
                intent,
                null,
                null);
    }

    private static String[] items(Example e) {
        String[] items = new String[e.historyLength()];
        for (int i = 0; i < items.length; i++) {
            items[i] = e.historyItem(i);
        }
        return items;
    }

    @Test
    void theFirstPlayOfEachListenerMakesNoExample() {
        UserWindows w = new UserWindows(3, 10);
        assertThat(w.accept(play("u1", "a", 0.9, IntentType.UNKNOWN))).isNull();
        assertThat(w.accept(play("u2", "a", 0.9, IntentType.UNKNOWN))).isNull();
        Example e = Example.of(w.accept(play("u1", "b", 0.1, IntentType.UNKNOWN)));
        assertThat(items(e)).containsExactly("a");
        assertThat(e.targetItem()).isEqualTo("b");
        assertThat(e.targetRate()).isEqualTo(0.1);
        assertThat(w.users()).isEqualTo(2);
    }

    @Test
    void historyIsOldestFirstAndCappedAtTheWindowLength() {
        UserWindows w = new UserWindows(3, 10);
        String[] seq = {"a", "b", "c", "d", "e", "f"};
        TrainingExample last = null;
        for (int i = 0; i < seq.length; i++) {
            last =
                    w.accept(
                            play(
                                    "u",
                                    seq[i],
                                    i / 10.0,
                                    IntentType.values()[i % IntentType.values().length]));
        }
        Example e = Example.of(last);
        assertThat(items(e)).containsExactly("c", "d", "e");
        assertThat(e.historyRate(0)).isEqualTo(0.2);
        assertThat(e.historyRate(2)).isEqualTo(0.4);
        assertThat(e.historyIntent(2)).isEqualTo(IntentType.NAVIGATION.ordinal());
        assertThat(e.historyIntent(0)).isEqualTo(IntentType.RECOMMENDATION.ordinal());
        assertThat(e.targetItem()).isEqualTo("f");
        assertThat(e.targetRate()).isEqualTo(0.5);
    }

    @Test
    void aReplayedPlayMakesNoSecondExample() {
        UserWindows w = new UserWindows(3, 10);
        w.accept(play("u", "a", 0.9, IntentType.UNKNOWN));
        PlaybackEvent b = play("u", "b", 0.9, IntentType.UNKNOWN);
        assertThat(w.accept(b)).isNotNull();
        assertThat(w.accept(b)).as("the same event id again").isNull();
    }
}
