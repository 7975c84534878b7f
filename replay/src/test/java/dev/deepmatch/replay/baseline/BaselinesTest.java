package dev.deepmatch.replay.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.model.Example;
import dev.deepmatch.model.prequential.PrequentialLearner;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
    /** An example whose history is {@code [x, last]} with the given rate for {@code last}. */
    private static Example ex(String last, double lastRate, String target, double rate) {
        return new Example(
                new String[] {"x", last},
                new double[] {0.9, lastRate},
                new int[] {0, 0},
                target,
                rate);
    }

    private static Example ex(String last, String target, double rate) {
        return ex(last, 0.9, target, rate);
    }

    /** After a: b twice well played, c three times skipped; after b: d once. */
    private static final List<Example> HISTORY =
            List.of(
                    ex("a", "b", 0.9),
                    ex("a", "c", 0.05),
                    ex("a", "b", 1.0),
                    ex("a", "c", 0.1),
                    ex("a", "c", 0.2),
                    ex("b", "d", 0.9));

    private static int[] rank(PrequentialLearner learner, int maxN, Example... batch) {
        learner.learn(HISTORY);
        return learner.rankTargets(List.of(batch), maxN);
    }

    @Test
    void mostPopularRanksByPlayCount() {
        int[] ranks =
                rank(
                        new MostPopularLearner(0.8, 0.3),
                        2,
                        ex("z", "c", 0.9),
                        ex("z", "b", 0.9),
                        ex("z", "d", 0.9),
                        ex("z", "a", 0.9));
        // c 3, b 2, d 1; a was only ever a history item of a later play, never counted.
        assertThat(ranks).containsExactly(0, 1, -1, -1);
    }

    @Test
    void mostPopularCountsAUsersFirstPlayOnce() {
        PrequentialLearner learner = new MostPopularLearner(0.8, 0.3);
        Example second =
                new Example(new String[] {"f"}, new double[] {0.9}, new int[] {0}, "g", 0.9);
        Example third =
                new Example(
                        new String[] {"f", "g"},
                        new double[] {0.9, 0.9},
                        new int[] {0, 0},
                        "f",
                        0.9);
        learner.learn(List.of(second, third));
        // f: first play + third play = 2, g: 1.
        assertThat(learner.rankTargets(List.of(ex("z", "f", 1), ex("z", "g", 1)), 5))
                .containsExactly(0, 1);
    }

    @Test
    void transitionsRankSuccessorsByCountThenFillWithPopular() {
        int[] ranks =
                rank(
                        new TransitionsLearner(0.8, 0.3),
                        3,
                        ex("a", "c", 0.9),
                        ex("a", "b", 0.9),
                        ex("a", "d", 0.9),
                        ex("b", "d", 0.9),
                        ex("b", "c", 0.9),
                        ex("q", "b", 0.9));
        // after a: c (3), b (2), then popular fill d. After b: d, then c, b by popularity.
        // After q (never seen): popularity c, b, d.
        assertThat(ranks).containsExactly(0, 1, 2, 0, 1, 1);
    }

    @Test
    void transitionTiesGoToTheTransitionSeenFirst() {
        PrequentialLearner learner = new TransitionsLearner(0.8, 0.3);
        learner.learn(List.of(ex("e", "y", 0.9), ex("e", "x", 0.9), ex("k", "x", 0.9)));
        // x is more popular, but y followed e first.
        assertThat(learner.rankTargets(List.of(ex("e", "y", 1), ex("e", "x", 1)), 2))
                .containsExactly(0, 1);
    }

    @Test
    void signedTransitionsDropSuccessorsSkippedMoreThanPlayedAndDoNotFill() {
        int[] ranks =
                rank(
                        new SignedTransitionsLearner(0.8, 0.3),
                        10,
                        ex("a", "b", 0.9),
                        ex("a", "c", 0.9),
                        ex("a", "d", 0.9),
                        ex("b", "d", 0.9));
        // after a: b +2, c -3 (dropped); d never followed a and there is no fill.
        assertThat(ranks).containsExactly(0, -1, -1, 0);
    }

    @Test
    void signedTransitionsKeepNeutralSuccessors() {
        PrequentialLearner learner = new SignedTransitionsLearner(0.8, 0.3);
        learner.learn(
                List.of(
                        ex("a", "m", 0.5),
                        ex("a", "p", 0.9),
                        ex("a", "n", 0.9),
                        ex("a", "n", 0.1)));
        // p +1; m 0 (in between), n +1 -1 = 0, m seen before n.
        assertThat(
                        learner.rankTargets(
                                List.of(ex("a", "p", 1), ex("a", "m", 1), ex("a", "n", 1)), 5))
                .containsExactly(0, 1, 2);
    }

    @Test
    void skipAwareUsesPopularityWhileTheLastPlayWasSkipped() {
        int[] ranks =
                rank(
                        new SkipAwareTransitionsLearner(0.8, 0.3),
                        2,
                        ex("b", 0.9, "d", 0.9), // transitions after b: d first
                        ex("b", 0.1, "d", 0.9), // last play skipped: popular c, b -> d missed
                        ex("b", 0.1, "c", 0.9),
                        ex("b", 0.3, "d", 0.9)); // 0.3 is not a skip
        assertThat(ranks).containsExactly(0, -1, 0, 0);
    }

    @Test
    void rankingDoesNotLearn() {
        PrequentialLearner learner = new TransitionsLearner(0.8, 0.3);
        learner.learn(HISTORY);
        Example unseen = ex("a", "new", 0.9);
        assertThat(learner.rankTargets(List.of(unseen), 50)[0]).isEqualTo(-1);
        assertThat(learner.rankTargets(List.of(unseen), 50)[0]).isEqualTo(-1);
        learner.learn(List.of(unseen));
        assertThat(learner.rankTargets(List.of(unseen), 50)[0]).isEqualTo(2);
    }

    @Test
    void createsEachBaselineByName() {
        for (String name : Baselines.NAMES) {
            assertThat(Baselines.create(name, 0.8, 0.3).name()).isEqualTo(name);
        }
        assertThat(Baselines.create("nope", 0.8, 0.3)).isNull();
    }
}
