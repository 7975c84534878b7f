package dev.deepmatch.sources.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ListenerGeneratorTest {

    private static final int EVENTS = 100_000;
    private static final GeneratorConfig CONFIG = GeneratorConfig.builder().seed(7).build();

    private static List<PlaybackEvent> stream;
    private static ListenerGenerator generator;

    @BeforeAll
    static void generate() {
        generator = new ListenerGenerator(CONFIG);
        stream = take(generator, EVENTS);
    }

    @Test
    void sameSeedGivesSameStreamAndOtherSeedAnother() {
        List<PlaybackEvent> again = take(new ListenerGenerator(CONFIG), 2_000);
        assertEquals(stream.subList(0, 2_000), again);

        GeneratorConfig otherSeed = GeneratorConfig.builder().seed(8).build();
        List<PlaybackEvent> other = take(new ListenerGenerator(otherSeed), 2_000);
        long sameItems = 0;
        for (int i = 0; i < other.size(); i++) {
            if (other.get(i).getItemId().equals(stream.get(i).getItemId())) {
                sameItems++;
            }
        }
        assertTrue(sameItems < 200, "streams of different seeds share " + sameItems + " items");
    }

    @Test
    void eventsAreWellFormedAndTimesNeverDecrease() {
        Set<String> eventIds = new HashSet<>();
        long previous = Long.MIN_VALUE;
        for (PlaybackEvent e : stream) {
            long t = e.getEventTimeMillis().toEpochMilli();
            assertTrue(t >= previous, "event time went back at " + e);
            previous = t;
            assertTrue(e.getPlayRate() >= 0 && e.getPlayRate() <= 1, "rate of " + e);
            assertTrue(eventIds.add(e.getEventId()), "duplicate event id " + e.getEventId());
            // ids decode back to this generator's users and tracks
            assertTrue(generator.fit(e.getUserId(), e.getItemId()) > 0);
        }
        assertEquals(EVENTS, generator.emitted());
        assertTrue(previous > CONFIG.startTimeMillis());
    }

    @Test
    void popularityIsZipfLike() {
        Map<String, Integer> plays = new HashMap<>();
        for (PlaybackEvent e : stream) {
            plays.merge(e.getItemId(), 1, Integer::sum);
        }
        List<Integer> counts = new ArrayList<>(plays.values());
        counts.sort((a, b) -> b - a);
        long top1Percent = counts.stream().limit(CONFIG.tracks() / 100).mapToLong(i -> i).sum();
        double share = (double) top1Percent / EVENTS;
        // uniform popularity would give 0.01
        assertTrue(share > 0.25 && share < 0.8, "top 1% of tracks got " + share + " of plays");
        // and a long tail is still played
        assertTrue(plays.size() > CONFIG.tracks() / 3, plays.size() + " distinct tracks played");
    }

    @Test
    void everyIntentOccursAndExactRequestsAreSkippedLessThanRecommendations() {
        Map<IntentType, int[]> byIntent = new EnumMap<>(IntentType.class);
        for (PlaybackEvent e : stream) {
            int[] c = byIntent.computeIfAbsent(e.getIntent(), k -> new int[2]);
            c[0]++;
            if (e.getPlayRate() < 0.8) {
                c[1]++;
            }
        }
        for (IntentType t :
                List.of(
                        IntentType.EXACT_TRACK,
                        IntentType.RECOMMENDATION,
                        IntentType.AUTOPLAY,
                        IntentType.NAVIGATION,
                        IntentType.OTHER)) {
            assertTrue(byIntent.containsKey(t) && byIntent.get(t)[0] > 1000, t + " is rare");
        }
        double exactSkip = skipRate(byIntent.get(IntentType.EXACT_TRACK));
        double recSkip = skipRate(byIntent.get(IntentType.RECOMMENDATION));
        assertTrue(exactSkip < 0.25, "exact-track skip rate " + exactSkip);
        assertTrue(recSkip > exactSkip + 0.2, "recommendation " + recSkip + " vs " + exactSkip);
    }

    @Test
    void tracksThatFitTheUserAreSkippedLess() {
        // within one intent, so that only fit differs
        int[] good = new int[2];
        int[] poor = new int[2];
        for (PlaybackEvent e : stream) {
            if (e.getIntent() != IntentType.RECOMMENDATION) {
                continue;
            }
            double fit = generator.fit(e.getUserId(), e.getItemId());
            int[] c = fit >= 0.9 ? good : fit <= 0.1 ? poor : null;
            if (c != null) {
                c[0]++;
                if (e.getPlayRate() < 0.8) {
                    c[1]++;
                }
            }
        }
        assertTrue(good[0] > 500 && poor[0] > 500, "too few plays to compare");
        double goodSkip = skipRate(good);
        double poorSkip = skipRate(poor);
        assertTrue(poorSkip > goodSkip + 0.3, "poor fit " + poorSkip + " vs good fit " + goodSkip);
    }

    @Test
    void skipsComeInRuns() {
        Map<String, Boolean> lastSkipped = new HashMap<>();
        int[] afterSkip = new int[2];
        int[] afterPlay = new int[2];
        for (PlaybackEvent e : stream) {
            boolean skipped = e.getPlayRate() < 0.8;
            Boolean before = lastSkipped.put(e.getUserId(), skipped);
            if (before != null) {
                int[] c = before ? afterSkip : afterPlay;
                c[0]++;
                c[1] += skipped ? 1 : 0;
            }
        }
        assertTrue(
                skipRate(afterSkip) > skipRate(afterPlay) + 0.1,
                "after skip " + skipRate(afterSkip) + " vs after play " + skipRate(afterPlay));
    }

    @Test
    void configNamesTheWrongSetting() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GeneratorConfig.builder().users(0).build());
        assertTrue(e.getMessage().contains("users"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> GeneratorConfig.builder().sessionLength(10, 3).build());
        assertTrue(e.getMessage().contains("maxSessionLength"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> generator.fit("x1", "t1"));
        assertTrue(e.getMessage().contains("x1"), e.getMessage());
    }

    private static double skipRate(int[] c) {
        return (double) c[1] / c[0];
    }

    private static List<PlaybackEvent> take(ListenerGenerator g, int n) {
        List<PlaybackEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(g.next());
        }
        return out;
    }
}
