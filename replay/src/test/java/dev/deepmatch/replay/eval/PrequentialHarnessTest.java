package dev.deepmatch.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.prequential.PrequentialLearner;
import dev.deepmatch.schema.IntentType;
import dev.deepmatch.schema.PlaybackEvent;
import dev.deepmatch.sources.EventSource;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrequentialHarnessTest {

    /** Ranks each target where the script says; records the order of calls. */
    static final class ScriptedLearner implements PrequentialLearner {
        final Map<String, Integer> rankOfTarget;
        final List<String> calls = new ArrayList<>();

        ScriptedLearner(Map<String, Integer> rankOfTarget) {
            this.rankOfTarget = rankOfTarget;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public int[] rankTargets(List<Example> batch, int maxN) {
            calls.add("rank " + targets(batch) + " maxN=" + maxN);
            return batch.stream().mapToInt(e -> rankOfTarget.get(e.targetItem())).toArray();
        }

        @Override
        public void learn(List<Example> batch) {
            calls.add("learn " + targets(batch));
        }

        @Override
        public Map<String, Double> lastLearnStats() {
            return Map.of("loss", (double) calls.size());
        }

        private static String targets(List<Example> batch) {
            return String.join("", batch.stream().map(Example::targetItem).toList());
        }
    }

    static EventSource reader(List<PlaybackEvent> plays) {
        Iterator<PlaybackEvent> it = plays.iterator();
        return new EventSource() {
            @Override
            public PlaybackEvent next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public String describe() {
                return "scripted plays";
            }

            @Override
            public void close() {}
        };
    }

    private static PlaybackEvent play(String user, String item, double rate) {
        return new PlaybackEvent(
                user + item, user, item, Instant.EPOCH, rate, IntentType.UNKNOWN, null, null);
    }

    /** Nine plays by two users: seven examples, three positive, two negative, two neither. */
    static List<PlaybackEvent> stream() {
        return List.of(
                play("u1", "a", 0.9), // first play of u1
                play("u1", "b", 0.9), // pos, ranked 0
                play("u2", "c", 0.1), // first play of u2
                play("u1", "c", 0.1), // neg, ranked 1
                play("u2", "d", 0.5), // neither, ranked 0
                play("u2", "e", 1.0), // pos, not ranked
                play("u1", "f", 0.0), // neg, ranked 3
                play("u2", "g", 0.8), // pos (threshold is inclusive), ranked 1
                play("u1", "h", 0.3)); // neither (0.3 is not < 0.3), ranked 0
    }

    static Map<String, Integer> ranks() {
        return Map.of("b", 0, "c", 1, "d", 0, "e", -1, "f", 3, "g", 1, "h", 0);
    }

    private static HarnessSettings settings(int batch, long limit) {
        return new HarnessSettings(50, 100, batch, new int[] {1, 2}, 0.8, 0.3, limit, 2, 3, 0);
    }

    @Test
    void posAndNegAtNMatchTheHandComputedValues() throws IOException {
        ScriptedLearner learner = new ScriptedLearner(ranks());
        LearnerResult r =
                new PrequentialHarness(settings(2, Long.MAX_VALUE), List.of(learner), null)
                        .run(reader(stream()))
                        .get(0);
        // POS: b rank 0, e miss, g rank 1 -> @1 1/3, @2 2/3. NEG: c rank 1, f rank 3 -> @1 0, @2
        // 1/2.
        assertThat(r.recall().pos(0)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(r.recall().pos(1)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(r.recall().neg(0)).isCloseTo(0.0, within(1e-12));
        assertThat(r.recall().neg(1)).isCloseTo(0.5, within(1e-12));
        assertThat(r.recall().positives()).isEqualTo(3);
        assertThat(r.recall().negatives()).isEqualTo(2);
        assertThat(r.recall().examples()).isEqualTo(7);
        assertThat(r.events()).isEqualTo(9);
        assertThat(r.line())
                .as("%s", r.line())
                .matches(
                        "POS@1=0\\.3333 NEG@1=0\\.0000 POS@2=0\\.6667 NEG@2=0\\.5000 events=9"
                                + " seconds=\\d+\\.\\d");
    }

    @Test
    void eachBatchIsRankedBeforeItIsLearnedInStreamOrder() throws IOException {
        ScriptedLearner learner = new ScriptedLearner(ranks());
        new PrequentialHarness(settings(2, Long.MAX_VALUE), List.of(learner), null)
                .run(reader(stream()));
        assertThat(learner.calls)
                .isEqualTo(
                        List.of(
                                "rank bc maxN=2", "learn bc",
                                "rank de maxN=2", "learn de",
                                "rank fg maxN=2", "learn fg",
                                "rank h maxN=2", "learn h"));
    }

    @Test
    void limitStopsAfterThatManyEvents() throws IOException {
        ScriptedLearner learner = new ScriptedLearner(ranks());
        LearnerResult r =
                new PrequentialHarness(settings(64, 5), List.of(learner), null)
                        .run(reader(stream()))
                        .get(0);
        assertThat(r.events()).isEqualTo(5);
        assertThat(learner.calls).isEqualTo(List.of("rank bcd maxN=2", "learn bcd"));
        // b (pos, rank 0), c (neg, rank 1), d (neither).
        assertThat(r.recall().pos(0)).isEqualTo(1.0);
        assertThat(r.recall().neg(0)).isEqualTo(0.0);
        assertThat(r.recall().neg(1)).isEqualTo(1.0);
    }

    @Test
    void curveHasRecentAndCumulativePointsAndLearnStats() throws IOException {
        ScriptedLearner learner = new ScriptedLearner(ranks());
        LearnerResult r =
                new PrequentialHarness(settings(2, Long.MAX_VALUE), List.of(learner), null)
                        .run(reader(stream()))
                        .get(0);
        List<Long> at = r.curve().stream().map(CurvePoint::examples).toList();
        assertThat(at).isEqualTo(List.of(2L, 4L, 6L, 7L));
        CurvePoint p = r.curve().get(2);
        // After 6 examples the recent windows (3 positives, 3 negatives) hold b (hit), e (miss)
        // and g (ranked 1: a miss at N=1); and c (rank 1), f (rank 3): both misses at N=1.
        assertThat(p.posRecent()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(p.negRecent()).isEqualTo(0.0);
        assertThat(p.posCumulative()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(p.learnStats().get("loss"))
                .as("mean of the loss reported after batch 3")
                .isEqualTo(6.0);
        CurvePoint first = r.curve().get(0);
        // Window: b (pos hit), c (neg, rank 1: a miss at N=1).
        assertThat(first.posRecent()).isEqualTo(1.0);
        assertThat(first.negRecent()).isEqualTo(0.0);
        assertThat(first.learnStats().get("loss")).isEqualTo(2.0);
        CurvePoint last = r.curve().get(3);
        assertThat(last.examples()).as("the end of the stream closes the curve").isEqualTo(7);
        assertThat(last.learnStats().get("loss")).isEqualTo(8.0);
    }
}
