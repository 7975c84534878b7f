package dev.deepmatch.sources.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(again).isEqualTo(stream.subList(0, 2_000));

        GeneratorConfig otherSeed = GeneratorConfig.builder().seed(8).build();
        List<PlaybackEvent> other = take(new ListenerGenerator(otherSeed), 2_000);
        long sameItems = 0;
        for (int i = 0; i < other.size(); i++) {
            if (other.get(i).getItemId().equals(stream.get(i).getItemId())) {
                sameItems++;
            }
        }
        assertThat(sameItems)
                .as("streams of different seeds share " + sameItems + " items")
                .isLessThan(200);
    }

    @Test
    void eventsAreWellFormedAndTimesNeverDecrease() {
        Set<String> eventIds = new HashSet<>();
        long previous = Long.MIN_VALUE;
        for (PlaybackEvent e : stream) {
            long t = e.getEventTimeMillis().toEpochMilli();
            assertThat(t).as("%s", "event time went back at " + e).isGreaterThanOrEqualTo(previous);
            previous = t;
            assertThat(e.getPlayRate())
                    .as("%s", "rate of " + e)
                    .isGreaterThanOrEqualTo(0)
                    .isLessThanOrEqualTo(1);
            assertThat(eventIds.add(e.getEventId()))
                    .as("%s", "duplicate event id " + e.getEventId())
                    .isTrue();
            // ids decode back to this generator's users and tracks
            assertThat(generator.fit(e.getUserId(), e.getItemId())).isGreaterThan(0);
        }
        assertThat(generator.emitted()).isEqualTo(EVENTS);
        assertThat(previous).isGreaterThan(CONFIG.startTimeMillis());
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
        assertThat(share)
                .as("%s", "top 1% of tracks got " + share + " of plays")
                .isGreaterThan(0.25)
                .isLessThan(0.8);
        // and a long tail is still played
        assertThat(plays.size())
                .as(plays.size() + " distinct tracks played")
                .isGreaterThan(CONFIG.tracks() / 3);
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
            assertThat(byIntent).as(t + " is rare").containsKey(t);
            assertThat(byIntent.get(t)[0]).as(t + " is rare").isGreaterThan(1000);
        }
        double exactSkip = skipRate(byIntent.get(IntentType.EXACT_TRACK));
        double recSkip = skipRate(byIntent.get(IntentType.RECOMMENDATION));
        assertThat(exactSkip).as("exact-track skip rate " + exactSkip).isLessThan(0.25);
        assertThat(recSkip)
                .as("recommendation " + recSkip + " vs " + exactSkip)
                .isGreaterThan(exactSkip + 0.2);
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
        assertThat(good[0]).as("too few plays to compare").isGreaterThan(500);
        assertThat(poor[0]).as("too few plays to compare").isGreaterThan(500);
        double goodSkip = skipRate(good);
        double poorSkip = skipRate(poor);
        assertThat(poorSkip)
                .as("poor fit " + poorSkip + " vs good fit " + goodSkip)
                .isGreaterThan(goodSkip + 0.3);
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
        assertThat(skipRate(afterSkip))
                .as("after skip " + skipRate(afterSkip) + " vs after play " + skipRate(afterPlay))
                .isGreaterThan(skipRate(afterPlay) + 0.1);
    }

    @Test
    void configNamesTheWrongSetting() {
        assertThatThrownBy(() -> GeneratorConfig.builder().users(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("users");
        assertThatThrownBy(() -> GeneratorConfig.builder().sessionLength(10, 3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSessionLength");
        assertThatThrownBy(() -> generator.fit("x1", "t1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x1");
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
