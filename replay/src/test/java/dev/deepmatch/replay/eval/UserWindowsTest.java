package dev.deepmatch.replay.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deepmatch.model.Example;
import dev.deepmatch.replay.format.Play;
import dev.deepmatch.schema.IntentType;
import org.junit.jupiter.api.Test;

class UserWindowsTest {
    private static Play play(String user, String item, double rate, IntentType intent) {
        return new Play(user, item, 0, rate, intent, user + item);
    }

    private static String[] items(Example e) {
        String[] items = new String[e.historyLength()];
        for (int i = 0; i < items.length; i++) {
            items[i] = e.historyItem(i);
        }
        return items;
    }

    @Test
    void firstPlayOfAUserMakesNoExample() {
        UserWindows w = new UserWindows(3);
        assertNull(w.accept(play("u1", "a", 0.9, IntentType.UNKNOWN)));
        assertNull(w.accept(play("u2", "a", 0.9, IntentType.UNKNOWN)));
        Example e = w.accept(play("u1", "b", 0.1, IntentType.UNKNOWN));
        assertArrayEquals(new String[] {"a"}, items(e));
        assertEquals("b", e.targetItem());
        assertEquals(0.1, e.targetRate());
        assertEquals(2, w.users());
    }

    @Test
    void historyIsOldestFirstAndCappedAtMaxLen() {
        UserWindows w = new UserWindows(3);
        String[] seq = {"a", "b", "c", "d", "e", "f"};
        Example last = null;
        for (int i = 0; i < seq.length; i++) {
            last =
                    w.accept(
                            play(
                                    "u",
                                    seq[i],
                                    i / 10.0,
                                    IntentType.values()[i % IntentType.values().length]));
        }
        assertArrayEquals(new String[] {"c", "d", "e"}, items(last));
        assertEquals(0.2, last.historyRate(0));
        assertEquals(0.4, last.historyRate(2));
        assertEquals(IntentType.NAVIGATION.ordinal(), last.historyIntent(2));
        assertEquals(IntentType.RECOMMENDATION.ordinal(), last.historyIntent(0));
        assertEquals("f", last.targetItem());
        assertEquals(0.5, last.targetRate());
    }
}
