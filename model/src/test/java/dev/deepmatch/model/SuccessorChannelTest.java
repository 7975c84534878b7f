package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the successor channel is for: playlist order in the served dot product. */
class SuccessorChannelTest {
    private static final int ITEMS = 20;
    private static final int D = 6;

    /**
     * Listeners play stretches of one playlist (i0, i1, ..., i19, i0, ...), every other play
     * skipped: the successor rows learn what follows each item from all of them.
     */
    @Test
    void learnsWhatFollowsEachItemFromEveryPlay() {
        DeepMatchModel model = trainedOnThePlaylist(0.2);
        int rw = model.config().rowWidth();
        int e = model.config().itemDim();
        int hits = 0;
        for (int i = 0; i < ITEMS; i++) {
            int row = model.rowOf("i" + i);
            double[] s =
                    Arrays.copyOfRange(model.items.emb, row * rw + e + D, row * rw + e + 2 * D);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < ITEMS; j++) {
                int other = model.rowOf("i" + j);
                double score = 0;
                for (int c = 0; c < D; c++) {
                    score += s[c] * model.items.emb[other * rw + e + c];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = j;
                }
            }
            hits += best == (i + 1) % ITEMS ? 1 : 0;
        }
        assertThat(hits)
                .as("items whose best successor score is their playlist successor")
                .isGreaterThanOrEqualTo(ITEMS - 2);
    }

    /**
     * The served user vector times the served item vectors is the score the model ranks by: the
     * catalogue's top-N equals a brute-force ranking of those dot products, successor columns
     * included.
     */
    @Test
    void rankingIsTheDotProductOfTheServedVectors() {
        DeepMatchModel model = trainedOnThePlaylist(0.2);
        Example ex = play(new String[] {"i3", "i4", "i5"}, new double[] {1, 1, 1}, "i6", 1);
        double[] user = model.userVectors(List.of(ex))[0];
        assertThat(user).hasSize(model.config().vectorDim());
        assertThat(Arrays.stream(user, model.config().hidden(), user.length).anyMatch(x -> x != 0))
                .as("the gated successor row of the newest play")
                .isTrue();
        int v = model.catalogueSize();
        float[] items = model.itemVectors(IntStream.range(0, v).toArray());
        int w = model.config().vectorDim();
        Integer[] order = new Integer[v];
        double[] score = new double[v];
        for (int r = 0; r < v; r++) {
            order[r] = r;
            for (int c = 0; c < w; c++) {
                score[r] += user[c] * items[r * w + c];
            }
        }
        Arrays.sort(order, Comparator.comparingDouble(r -> -score[r]));
        int[] top = model.topN(new double[][] {user}, 5)[0];
        assertThat(top).containsExactly(Arrays.stream(order).limit(5).mapToInt(i -> i).toArray());
    }

    private static DeepMatchModel trainedOnThePlaylist(double successorRate) {
        ModelConfig cfg =
                Fixtures.tiny()
                        .set(SUCCESSOR_DIM, D)
                        .set(SUCCESSOR_LEARNING_RATE, successorRate)
                        .set(NEGATIVES, 10)
                        .set(REPLAY_BUFFER, 0)
                        .set(REPLAY_PER_BATCH, 0)
                        .build();
        DeepMatchModel model = Fixtures.modelWithItems(cfg, ITEMS);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int b = 0; b < 150; b++) {
            List<Example> batch = new ArrayList<>();
            for (int u = 0; u < 16; u++) {
                int start = rnd.nextInt(ITEMS);
                int n = 1 + rnd.nextInt(4);
                String[] ids = new String[n];
                double[] rates = new double[n];
                for (int k = 0; k < n; k++) {
                    ids[k] = "i" + (start + k) % ITEMS;
                    rates[k] = rnd.nextBoolean() ? 1.0 : 0.05;
                }
                batch.add(
                        play(ids, rates, "i" + (start + n) % ITEMS, rnd.nextBoolean() ? 1 : 0.05));
            }
            model.learn(batch);
        }
        return model;
    }

    private static Example play(String[] ids, double[] rates, String target, double rate) {
        return new Example(ids, rates, new int[ids.length], target, rate);
    }
}
