package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central-difference gradient checks in double precision of the whole objective: every dense
 * parameter group (position, play-rate, intent, norms, projection, attention, feed-forward) and
 * every item-table row the batch touches.
 */
class GradientCheckTest {
    private static final double EPS = 1e-5;
    private static final double TOLERANCE = 1e-6;

    private static final int ONE_CHUNK = DeepMatchModel.CHUNK_TOKENS;

    static List<Arguments> variants() {
        return List.of(
                Arguments.of("default", Fixtures.tiny().build(), 1, ONE_CHUNK),
                Arguments.of(
                        "absolute negative loss",
                        Fixtures.tiny().set(NEG_LOSS, NegativeLoss.ABSOLUTE).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of("two threads", Fixtures.tiny().build(), 2, ONE_CHUNK),
                // Chunks of about 4 tokens: each worker runs several and sums their gradients.
                Arguments.of("two threads, small chunks", Fixtures.tiny().build(), 2, 4),
                Arguments.of("one thread, small chunks", Fixtures.tiny().build(), 1, 4),
                Arguments.of("one block", Fixtures.tiny().set(BLOCKS, 1).build(), 1, ONE_CHUNK),
                Arguments.of(
                        "not factorized",
                        Fixtures.tiny().set(FACTORIZED, false).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "no rate or intent",
                        Fixtures.tiny().set(RATE_AND_INTENT, false).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "next-item head",
                        Fixtures.tiny().set(NEXT_ITEM_WEIGHT, 0.7).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "play rate without intent",
                        Fixtures.tiny().set(INTENT_INPUT, false).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "skip loss partly after plays",
                        Fixtures.tiny().set(NEG_AFTER_PLAY, 0.4).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "successor channel",
                        Fixtures.tiny().set(SUCCESSOR_DIM, 3).set(SUCCESSOR_WEIGHT, 0.8).build(),
                        1,
                        ONE_CHUNK),
                Arguments.of(
                        "successor channel, next-item head, two threads, small chunks",
                        Fixtures.tiny().set(SUCCESSOR_DIM, 3).set(NEXT_ITEM_WEIGHT, 0.7).build(),
                        2,
                        4),
                Arguments.of(
                        "successor channel, absolute negative loss, not factorized",
                        Fixtures.tiny()
                                .set(SUCCESSOR_DIM, 2)
                                .set(NEG_LOSS, NegativeLoss.ABSOLUTE)
                                .set(FACTORIZED, false)
                                .build(),
                        1,
                        ONE_CHUNK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void analyticGradientMatchesCentralDifferences(
            String name, ModelConfig cfg, int workers, int chunkTokens) {
        int items = 12;
        DeepMatchModel model =
                Fixtures.modelWithItems(cfg, Fixtures.RUNTIME.withThreads(workers), items);
        List<Example> batch = Fixtures.batch(items, 11);
        if (model.layout().successorGate >= 0) {
            // The gate starts blind to the user vector; check its gradient away from that point.
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
            for (int j = 0; j <= cfg.hidden(); j++) {
                model.dense[model.layout().successorGate + j] = rnd.nextDouble(-0.5, 0.5);
            }
        }
        // Negatives include every target's row at least once via i0..i5 so accidental hits occur.
        int[] negatives = {0, 1, 2, 3, 4, 5};
        BatchPlan plan = model.plan(batch, true, negatives, chunkTokens);
        if (chunkTokens == ONE_CHUNK) {
            assertThat(plan.chunks.length).as("%s chunks", plan.chunks.length).isEqualTo(workers);
        } else {
            assertThat(plan.chunks.length)
                    .as("%s chunks", plan.chunks.length)
                    .isGreaterThan(2 * workers);
        }
        assertThat(plan.sequences()).as("all examples usable").isEqualTo(batch.size());
        Objective obj = model.objective();
        Objective.Gradients g = new Objective.Gradients(model.dense.length);
        Objective.Loss loss = obj.evaluate(plan, model.items.emb, model.dense, g);
        assertThat(loss.positives()).as("both losses exercised").isPositive();
        assertThat(loss.negatives()).as("both losses exercised").isPositive();

        for (DenseLayout.Slice slice : model.layout().slices) {
            for (int i = slice.offset(); i < slice.offset() + slice.size(); i++) {
                double numeric = numeric(model, plan, model.dense, i);
                assertClose(g.dense[i], numeric, slice.name() + "[" + (i - slice.offset()) + "]");
            }
        }
        int rw = cfg.rowWidth();
        for (int local = 0; local < plan.rows.length; local++) {
            for (int j = 0; j < rw; j++) {
                int idx = plan.rows[local] * rw + j;
                double numeric = numeric(model, plan, model.items.emb, idx);
                assertClose(
                        g.rows[local * rw + j],
                        numeric,
                        "item row " + plan.rows[local] + " column " + j);
            }
        }
    }

    @Test
    void negItemGradientZeroKeepsSkipsOffItemVectors() {
        ModelConfig cfg = Fixtures.tiny().set(NEG_ITEM_GRADIENT, 0.0).build();
        DeepMatchModel model = Fixtures.modelWithItems(cfg, 12);
        List<Example> skipsOnly =
                Fixtures.batch(12, 11).stream().filter(e -> e.targetRate() < 0.3).toList();
        BatchPlan plan = model.plan(skipsOnly, true, new int[] {6, 7, 8});
        Objective.Gradients g = new Objective.Gradients(model.dense.length);
        model.objective().evaluate(plan, model.items.emb, model.dense, g);
        // Targets and negatives appear only on the output side: no gradient may reach them.
        for (int local = 0; local < plan.rows.length; local++) {
            boolean inHistory = false;
            for (SequenceChunk c : plan.chunks) {
                for (int t = 0; t < c.tokens(); t++) {
                    inHistory |= c.item[t] == local;
                }
            }
            if (!inHistory) {
                for (int j = 0; j < cfg.rowWidth(); j++) {
                    assertThat(g.rows[local * cfg.rowWidth() + j])
                            .as("row %s", plan.rows[local])
                            .isEqualTo(0.0);
                }
            }
        }
        assertThat(Arrays.stream(g.dense)).as("the user side still learns").anyMatch(v -> v != 0);
    }

    private static double numeric(DeepMatchModel model, BatchPlan plan, double[] params, int i) {
        double keep = params[i];
        double negWeight = model.config().negWeight();
        params[i] = keep + EPS;
        double up = lossOf(model, plan, negWeight);
        params[i] = keep - EPS;
        double down = lossOf(model, plan, negWeight);
        params[i] = keep;
        return (up - down) / (2 * EPS);
    }

    private static double lossOf(DeepMatchModel model, BatchPlan plan, double negWeight) {
        return model.objective()
                .evaluate(plan, model.items.emb, model.dense, null)
                .total(negWeight);
    }

    private static void assertClose(double analytic, double numeric, String what) {
        double scale = Math.max(1e-3, Math.abs(analytic) + Math.abs(numeric));
        assertThat(Math.abs(analytic - numeric) / scale)
                .as("%s: analytic %s vs numeric %s", what, analytic, numeric)
                .isCloseTo(0.0, within(TOLERANCE));
    }
}
