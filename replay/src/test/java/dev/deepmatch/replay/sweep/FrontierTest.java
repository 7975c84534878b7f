package dev.deepmatch.replay.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.prequential.RecallCounter;
import dev.deepmatch.replay.eval.ContextRecall;
import dev.deepmatch.replay.eval.LearnerResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrontierTest {
    private final ModelConfig base = ModelConfig.builder().build();
    private final List<ModelRun> runs = new ArrayList<>();
    private final List<LearnerResult> results = new ArrayList<>();

    /** Adds a run whose POS@10 is posHits/100 and NEG@10 negHits/100. */
    private void add(double weight, long seed, boolean rateIntent, int posHits, int negHits) {
        ModelRun run = ModelRun.point(base, weight, seed, rateIntent);
        RecallCounter c = new RecallCounter(new int[] {10}, 0.8, 0.3, 0);
        for (int i = 0; i < 100; i++) {
            c.add(i < posHits ? 0 : -1, 0.9);
            c.add(i < negHits ? 0 : -1, 0.1);
        }
        runs.add(run);
        results.add(new LearnerResult(run.name(), c, new ContextRecall(c, c), 200, 1, List.of()));
    }

    @Test
    void seedsAreAveragedPerVariantAndWeight() {
        add(0.5, 1, true, 40, 20);
        add(0.5, 2, true, 44, 30);
        add(0.5, 1, false, 45, 40);
        Frontier f = Frontier.of(runs, results);
        assertThat(f.points()).hasSize(2);
        Frontier.Point full = f.variant(ModelRun.FULL).get(0);
        assertThat(full.seeds()).isEqualTo(2);
        assertThat(full.pos()[0]).isCloseTo(0.42, within(1e-12));
        assertThat(full.neg()[0]).isCloseTo(0.25, within(1e-12));
        assertThat(full.minPos0()).isCloseTo(0.40, within(1e-12));
        assertThat(full.maxPos0()).isCloseTo(0.44, within(1e-12));
    }

    @Test
    void theFullVariantIsReadAtTheNegOfEachAblatedPoint() {
        add(0.5, 1, true, 40, 20);
        add(0.0, 1, true, 60, 50);
        add(0.5, 1, false, 45, 35); // NEG 0.35: halfway between 0.20 and 0.50, POS 0.50
        add(0.0, 1, false, 62, 55); // NEG 0.55: beyond the full variant's range, not compared
        List<Frontier.Matched> m = Frontier.of(runs, results).matched(0);
        assertThat(m).hasSize(1);
        assertThat(m.get(0).neg()).isCloseTo(0.35, within(1e-12));
        assertThat(m.get(0).posWithout()).isCloseTo(0.45, within(1e-12));
        assertThat(m.get(0).posWith()).isCloseTo(0.50, within(1e-12));
        assertThat(m.get(0).gain()).isCloseTo(0.05, within(1e-12));
    }
}
