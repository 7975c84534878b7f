package dev.deepmatch.replay.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(2, f.points().size());
        Frontier.Point full = f.variant(ModelRun.FULL).get(0);
        assertEquals(2, full.seeds());
        assertEquals(0.42, full.pos()[0], 1e-12);
        assertEquals(0.25, full.neg()[0], 1e-12);
        assertEquals(0.40, full.minPos0(), 1e-12);
        assertEquals(0.44, full.maxPos0(), 1e-12);
    }

    @Test
    void theFullVariantIsReadAtTheNegOfEachAblatedPoint() {
        add(0.5, 1, true, 40, 20);
        add(0.0, 1, true, 60, 50);
        add(0.5, 1, false, 45, 35); // NEG 0.35: halfway between 0.20 and 0.50, POS 0.50
        add(0.0, 1, false, 62, 55); // NEG 0.55: beyond the full variant's range, not compared
        List<Frontier.Matched> m = Frontier.of(runs, results).matched(0);
        assertEquals(1, m.size());
        assertEquals(0.35, m.get(0).neg(), 1e-12);
        assertEquals(0.45, m.get(0).posWithout(), 1e-12);
        assertEquals(0.50, m.get(0).posWith(), 1e-12);
        assertEquals(0.05, m.get(0).gain(), 1e-12);
    }
}
