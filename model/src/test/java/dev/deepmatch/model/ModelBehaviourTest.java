package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.model.catalogue.CatalogueProducts;
import dev.deepmatch.model.math.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelBehaviourTest {
    // Recorded from this implementation after its gradient checks passed; a change means the
    // forward math or the initial rows changed (re-recorded when rows began to start from their
    // ids).
    static final double GOLDEN_POSITIVE = 4.007085509484841;
    static final double GOLDEN_NEGATIVE_ABSOLUTE = 0.9372189156741838;
    static final double GOLDEN_NEGATIVE_RELATIVE = 0.16238716096161285;

    /** Golden loss of a fixed model, batch and negatives; guards the forward math. */
    @ParameterizedTest
    @EnumSource(NegativeLoss.class)
    void lossOfFixedBatchMatchesGoldenValue(NegativeLoss form) {
        DeepMatchModel model =
                Fixtures.modelWithItems(Fixtures.tiny().set(NEG_LOSS, form).build(), 12);
        BatchPlan plan = model.plan(Fixtures.batch(12, 11), true, new int[] {0, 1, 2, 3, 4, 5});
        Objective.Loss loss = model.objective().evaluate(plan, model.items.emb, model.dense, null);
        assertThat(loss.positives()).isEqualTo(3);
        assertThat(loss.negatives()).isEqualTo(2);
        assertThat(loss.positive()).isCloseTo(GOLDEN_POSITIVE, within(1e-12));
        assertThat(loss.negative())
                .isCloseTo(
                        form == NegativeLoss.ABSOLUTE
                                ? GOLDEN_NEGATIVE_ABSOLUTE
                                : GOLDEN_NEGATIVE_RELATIVE,
                        within(1e-12));
    }

    @Test
    void earlierPositionsDoNotSeeLaterPlays() {
        DeepMatchModel model = Fixtures.modelWithItems(Fixtures.tiny().build(), 12);
        Encoder encoder = new Encoder(model.config(), Precision.DOUBLE, model.layout());
        double[] first = blockZeroOutput(model, encoder, "i1", "i2", "i3");
        double[] second = blockZeroOutput(model, encoder, "i1", "i2", "i9");
        int h = model.config().hidden();
        // Tokens 0 and 1 of the first block are unchanged when only token 2 differs.
        assertThat(Arrays.copyOfRange(second, 0, 2 * h))
                .containsExactly(Arrays.copyOfRange(first, 0, 2 * h));
        assertThat(Arrays.copyOfRange(second, 2 * h, 3 * h))
                .isNotEqualTo(Arrays.copyOfRange(first, 2 * h, 3 * h));
    }

    private static double[] blockZeroOutput(
            DeepMatchModel model, Encoder encoder, String... history) {
        Example ex =
                new Example(history, new double[] {1, 0.5, 0.1}, new int[] {0, 1, 2}, "i0", 1.0);
        BatchPlan plan = model.plan(List.of(ex), false, null);
        double[] iv = model.objective().itemVectors(plan.rows, model.items.emb, model.dense);
        return encoder.forward(plan.chunks[0], iv, model.dense).blocks[0].out;
    }

    @Test
    void onlyTheLastWindowOfPlaysCounts() {
        DeepMatchModel model = Fixtures.modelWithItems(Fixtures.tiny().build(), 12);
        Example longer =
                new Example(
                        new String[] {"i7", "i8", "i1", "i2", "i3", "i4", "i5"},
                        new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7},
                        new int[] {1, 2, 0, 1, 2, 0, 1},
                        "i0",
                        1.0);
        Example window =
                new Example(
                        new String[] {"i1", "i2", "i3", "i4", "i5"},
                        new double[] {0.3, 0.4, 0.5, 0.6, 0.7},
                        new int[] {0, 1, 2, 0, 1},
                        "i0",
                        1.0);
        double[][] u = model.userVectors(List.of(longer, window));
        assertThat(u[1]).containsExactly(u[0]);
    }

    @Test
    void unknownHistoryGivesNoUserVector() {
        DeepMatchModel model = Fixtures.modelWithItems(Fixtures.tiny().build(), 4);
        Example ex = new Example(new String[] {"new"}, new double[] {1}, new int[] {0}, "i0", 1);
        assertThat(model.userVectors(List.of(ex))[0]).isNull();
        assertThat(model.topN(new double[][] {null}, 3)[0]).isEmpty();
    }

    /**
     * 2,500 items; more users than one group; ranked again after a step, which moves rows and the
     * projection, so a scoring copy that missed a change would rank by stale vectors.
     */
    @ParameterizedTest
    @EnumSource(names = {"JAVA", "ND4J"})
    void topNIsExactAgainstBruteForce(CatalogueProducts products) {
        int items = 2500;
        DeepMatchModel model =
                Fixtures.modelWithItems(
                        Fixtures.tiny().build(),
                        Fixtures.RUNTIME.withThreads(2).withCatalogueProducts(products),
                        items);
        List<Example> examples = new java.util.ArrayList<>(Fixtures.batch(items, 5));
        examples.addAll(Fixtures.batch(items, 6));
        assertTopNIsExact(model, examples, items);
        for (int step = 0; step < 3; step++) {
            model.train(Fixtures.batch(items, 7 + step));
        }
        assertTopNIsExact(model, examples, items);
    }

    /**
     * {@code auto} ranks on Java below {@link CatalogueProducts#AUTO_ND4J_ROWS} items and on nd4j
     * from there, switching as the catalogue grows past it, with an exact top N on either side.
     */
    @Test
    void autoSwitchesToNd4jAsTheCatalogueGrowsPastTheCrossover() {
        int below = CatalogueProducts.AUTO_ND4J_ROWS - 10;
        DeepMatchModel model =
                Fixtures.modelWithItems(
                        Fixtures.tiny().build(),
                        Fixtures.RUNTIME.withCatalogueProducts(CatalogueProducts.AUTO),
                        below);
        List<Example> examples = new java.util.ArrayList<>(Fixtures.batch(below, 5));
        examples.addAll(Fixtures.batch(below, 6));
        assertThat(model.catalogueKernel()).isNull();
        assertTopNIsExact(model, examples, below);
        assertThat(model.catalogueKernel()).isEqualTo(CatalogueProducts.JAVA);

        int above = CatalogueProducts.AUTO_ND4J_ROWS + 10;
        for (int i = below; i < above; i++) {
            model.items.admit("i" + i);
        }
        model.train(Fixtures.batch(above, 7));
        assertTopNIsExact(model, examples, above);
        assertThat(model.catalogueKernel()).isEqualTo(CatalogueProducts.ND4J);
        assertThat(model.catalogueFallback()).isNull();
    }

    private static void assertTopNIsExact(DeepMatchModel model, List<Example> examples, int items) {
        double[][] users = model.userVectors(examples);
        assertThat(users.length).as("%s users", users.length).isGreaterThan(8);
        int[][] top = model.topN(users, 10);
        for (int u = 0; u < users.length; u++) {
            double[] scores = new double[items];
            Integer[] order = new Integer[items];
            for (int r = 0; r < items; r++) {
                float[] v = model.itemVector(r);
                for (int j = 0; j < v.length; j++) {
                    scores[r] += users[u][j] * v[j];
                }
                order[r] = r;
            }
            Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
            for (int i = 0; i < 10; i++) {
                // float products here: compare scores, not rows, to allow rounding ties
                assertThat(scores[top[u][i]])
                        .as("rank %s", i)
                        .isCloseTo(scores[order[i]], within(1e-5));
            }
        }
    }

    @Test
    void trainingAdmitsItemsAndLowersTheLossOnARepeatedBatch() {
        DeepMatchModel model =
                new DeepMatchModel(Fixtures.tiny().set(NEGATIVES, 4).build(), Fixtures.RUNTIME);
        List<Example> batch = Fixtures.batch(12, 21);
        TrainStats first = model.train(batch);
        assertThat(first.admittedItems()).isPositive();
        assertThat(model.version()).isEqualTo(1);
        TrainStats last = first;
        for (int i = 0; i < 60; i++) {
            last = model.train(batch);
        }
        assertThat(last.admittedItems()).isEqualTo(0);
        assertThat(model.version()).isEqualTo(61);
        assertThat(last.positiveLoss())
                .as("%s -> %s", first.positiveLoss(), last.positiveLoss())
                .isLessThan(first.positiveLoss() * 0.5);
        assertThat(last.negativeLoss())
                .as("skipped targets pushed away")
                .isLessThan(first.negativeLoss());
        assertThat(last.nextItemLoss()).as("the fixtures' head is off").isEqualTo(0.0);
        assertThat(model.drainTouchedRows()).isNotEmpty();
        assertThat(model.drainTouchedRows()).as("drain clears the record").isEmpty();
    }

    @Test
    void theNextItemHeadReportsItsLossAndLearns() {
        DeepMatchModel model =
                new DeepMatchModel(
                        Fixtures.tiny().set(NEGATIVES, 4).set(NEXT_ITEM_WEIGHT, 1.0).build(),
                        Fixtures.RUNTIME);
        List<Example> batch = Fixtures.batch(12, 21);
        TrainStats first = model.train(batch);
        TrainStats last = first;
        for (int i = 0; i < 60; i++) {
            last = model.train(batch);
        }
        assertThat(first.nextItemLoss())
                .as("targets not played through feed the head")
                .isPositive();
        assertThat(last.nextItemLoss())
                .as("%s -> %s", first.nextItemLoss(), last.nextItemLoss())
                .isLessThan(first.nextItemLoss() * 0.7);
    }

    /**
     * Float products are a rounding choice, not a different model: three steps stay within float
     * rounding of the double model, and do differ from it (the setting reaches the encoder).
     */
    @Test
    void floatProductsTrainCloseToDouble() {
        DeepMatchModel exact = new DeepMatchModel(Fixtures.tiny().build(), Fixtures.RUNTIME);
        DeepMatchModel fast =
                new DeepMatchModel(
                        Fixtures.tiny().build(), Fixtures.RUNTIME.withPrecision(Precision.FLOAT));
        for (int i = 0; i < 3; i++) {
            exact.train(Fixtures.batch(12, 100 + i));
            fast.train(Fixtures.batch(12, 100 + i));
        }
        double worst = 0;
        for (int i = 0; i < exact.dense.length; i++) {
            worst = Math.max(worst, Math.abs(exact.dense[i] - fast.dense[i]));
        }
        assertThat(worst).as("float products left every parameter bit-identical").isPositive();
        assertThat(worst).as("float products moved a parameter by %s", worst).isLessThan(1e-4);
    }

    @Test
    void fullCatalogueRejectsNewItemsAndCountsThem() {
        DeepMatchModel model =
                new DeepMatchModel(
                        Fixtures.tiny().set(CATALOGUE_CAPACITY, 5).build(), Fixtures.RUNTIME);
        model.train(Fixtures.batch(12, 21));
        assertThat(model.catalogueSize()).isEqualTo(5);
        assertThat(model.rejectedItems()).isPositive();
    }

    @Test
    void samplerFollowsLearnedCountsWithDistortion() {
        UnigramSampler s = new UnigramSampler(0.5);
        for (int i = 0; i < 3000; i++) {
            s.addRow(1); // forces several internal regrowths
        }
        s.increment(7, 99); // count 100 -> weight 10 vs 1 for the others
        assertThat(s.probability(7)).isCloseTo(10.0 / (10 + 2999), within(1e-12));
        SplittableRandom rnd = new SplittableRandom(1);
        int hits = 0;
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            if (s.sample(rnd) == 7) {
                hits++;
            }
        }
        assertThat(hits / (double) draws).isCloseTo(s.probability(7), within(0.001));
    }

    @Test
    void badSettingsNameTheSetting() {
        assertThatThrownBy(() -> ModelConfig.builder().set(HIDDEN, 10).set(HEADS, 3).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--hidden (10) must be a multiple of --heads (3)");
        assertThatThrownBy(() -> ModelConfig.builder().set(NEG_THRESHOLD, 0.9).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--neg-threshold (0.9) must not exceed --pos-threshold (0.8)");
    }
}
