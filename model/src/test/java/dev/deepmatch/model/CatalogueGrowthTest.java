package dev.deepmatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The catalogue's growth policy: ids admitted at their N-th play, rows unplayed for the eviction
 * time removed (the table stays dense: the last row moves into the hole), and everything that reads
 * rows (ranking, the sampler, vectors, the exchange, the snapshot) seeing the same catalogue by id.
 */
class CatalogueGrowthTest {
    private static final Duration AFTER = Duration.ofSeconds(100);

    /** Items i0..i39 played at second 10, then only i0..i9 again at second 150. */
    private static DeepMatchModel modelWithStaleRows(ModelRuntime runtime) {
        DeepMatchModel model = new DeepMatchModel(Fixtures.tiny().build(), runtime);
        model.train(plays(0, 40, 10_000));
        model.train(plays(0, 10, 150_000));
        return model;
    }

    /** One example per item id in [from, to): history of the previous id, target the id. */
    private static List<Example> plays(int from, int to, long atMillis) {
        List<Example> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            batch.add(
                    new Example(
                            new String[] {"i" + (i == from ? to - 1 : i - 1)},
                            new double[] {1.0},
                            new int[] {0},
                            "i" + i,
                            i % 3 == 0 ? 0.1 : 1.0,
                            atMillis));
        }
        return batch;
    }

    private static Map<String, float[]> vectorsById(DeepMatchModel model) {
        Map<String, float[]> out = new HashMap<>();
        for (int r = 0; r < model.catalogueSize(); r++) {
            out.put(model.itemId(r), model.itemVector(r));
        }
        return out;
    }

    @Test
    void rowsUnplayedForTheEvictionTimeLeaveAndTheRestKeepTheirContents() {
        DeepMatchModel model = modelWithStaleRows(Fixtures.RUNTIME.withItemEvictionAfter(AFTER));
        Map<String, float[]> before = vectorsById(model);
        Map<String, Long> countsBefore = new HashMap<>();
        for (int r = 0; r < model.catalogueSize(); r++) {
            countsBefore.put(model.itemId(r), model.samplerCount(r));
        }

        List<String> evicted = model.evictUnplayed();

        Set<String> expected = new HashSet<>();
        for (int i = 10; i < 40; i++) {
            expected.add("i" + i);
        }
        assertThat(evicted).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(model.catalogueSize()).isEqualTo(10);
        for (int r = 0; r < model.catalogueSize(); r++) {
            String id = model.itemId(r);
            assertThat(model.rowOf(id)).isEqualTo(r);
            assertThat(model.itemVector(r)).as(id).containsExactly(before.get(id));
            assertThat(model.samplerCount(r)).as(id).isEqualTo(countsBefore.get(id));
        }
        for (String id : expected) {
            assertThat(model.rowOf(id)).isEqualTo(-1);
        }
        // The sampler draws only live rows.
        SplittableRandom rnd = new SplittableRandom(3);
        for (int k = 0; k < 10_000; k++) {
            assertThat(model.items.sampler.sample(rnd)).isBetween(0, model.catalogueSize() - 1);
        }
        // Not again before a sixteenth of the eviction time has passed on the clock.
        assertThat(model.evictUnplayed()).isEmpty();
    }

    @Test
    void rankingAfterAnEvictionIsTheRankingBeforeWithoutTheEvictedItems() {
        DeepMatchModel model = modelWithStaleRows(Fixtures.RUNTIME.withItemEvictionAfter(AFTER));
        List<Example> probe = plays(0, 10, 150_000);
        double[][] users = model.userVectors(probe);
        int[][] topBefore = model.topN(users, model.catalogueSize());
        List<List<String>> idsBefore = new ArrayList<>();
        for (int[] ranked : topBefore) {
            List<String> ids = new ArrayList<>();
            for (int r : ranked) {
                ids.add(model.itemId(r));
            }
            idsBefore.add(ids);
        }

        Set<String> evicted = new HashSet<>(model.evictUnplayed());
        assertThat(evicted).hasSize(30);

        int[][] topAfter = model.topN(model.userVectors(probe), 5);
        for (int u = 0; u < probe.size(); u++) {
            List<String> expected =
                    idsBefore.get(u).stream().filter(id -> !evicted.contains(id)).limit(5).toList();
            List<String> got = new ArrayList<>();
            for (int r : topAfter[u]) {
                got.add(model.itemId(r));
            }
            assertThat(got).as("user " + u).containsExactlyElementsOf(expected);
        }
    }

    /** At capacity new ids are refused until an eviction makes room; then they get rows. */
    @Test
    void evictionMakesRoomInAFullCatalogue() {
        DeepMatchModel model =
                new DeepMatchModel(
                        Fixtures.tiny().set(ModelSettings.CATALOGUE_CAPACITY, 40).build(),
                        Fixtures.RUNTIME.withItemEvictionAfter(AFTER));
        model.train(plays(0, 40, 10_000));
        assertThat(model.catalogueSize()).isEqualTo(40);
        model.train(plays(40, 45, 20_000));
        assertThat(model.rowOf("i42")).as("refused at capacity").isEqualTo(-1);
        assertThat(model.rejectedItems()).isPositive();
        assertThat(model.evictUnplayed()).isEmpty();

        model.train(plays(0, 10, 150_000));
        assertThat(model.evictUnplayed()).hasSize(30);
        model.train(plays(40, 45, 150_001));
        for (int i = 40; i < 45; i++) {
            assertThat(model.rowOf("i" + i)).as("i" + i).isNotNegative();
        }
        assertThat(model.catalogueSize()).isEqualTo(15);
    }

    @Test
    void anEvictedItemPlayedAgainStartsFromItsInitialRow() {
        DeepMatchModel model = modelWithStaleRows(Fixtures.RUNTIME.withItemEvictionAfter(AFTER));
        model.evictUnplayed();
        DeepMatchModel fresh = new DeepMatchModel(Fixtures.tiny().build(), Fixtures.RUNTIME);
        int row = model.items.admit("i25");
        int freshRow = fresh.items.admit("i25");
        assertThat(model.items.initialRow("i25")).containsExactly(fresh.items.initialRow("i25"));
        double[] a = new double[model.items.dim()];
        double[] b = new double[fresh.items.dim()];
        System.arraycopy(model.items.emb, row * a.length, a, 0, a.length);
        System.arraycopy(fresh.items.emb, freshRow * b.length, b, 0, b.length);
        assertThat(a).containsExactly(b);
        assertThat(model.samplerCount(row)).isEqualTo(1);
    }

    @Test
    void aSnapshotKeepsEachRowsLastPlayAndTheClock() {
        ModelRuntime runtime = Fixtures.RUNTIME.withItemEvictionAfter(AFTER);
        DeepMatchModel model = modelWithStaleRows(runtime);
        DeepMatchModel restored = DeepMatchModel.restore(model.snapshot(1024), runtime);
        assertThat(restored.clock()).isEqualTo(150_000);
        for (int r = 0; r < model.catalogueSize(); r++) {
            assertThat(restored.items.lastPlayed(r)).isEqualTo(model.items.lastPlayed(r));
        }
        assertThat(restored.evictUnplayed())
                .containsExactlyInAnyOrderElementsOf(model.evictUnplayed());
    }

    @Test
    void noEvictionWhenTheTimeIsZeroOrPlaysHaveNoTime() {
        DeepMatchModel never =
                modelWithStaleRows(Fixtures.RUNTIME.withItemEvictionAfter(Duration.ZERO));
        assertThat(never.evictUnplayed()).isEmpty();
        DeepMatchModel untimed =
                new DeepMatchModel(
                        Fixtures.tiny().build(), Fixtures.RUNTIME.withItemEvictionAfter(AFTER));
        untimed.train(plays(0, 40, 0));
        assertThat(untimed.evictUnplayed()).isEmpty();
        assertThat(untimed.catalogueSize()).isEqualTo(40);
    }

    /**
     * A replica that evicts rows whose last row had a pending change still sends that change under
     * the moved item's id: a peer that applies it holds the same row for that id.
     */
    @Test
    void theExchangeFollowsAMovedRow() {
        ModelRuntime runtime = Fixtures.RUNTIME.withItemEvictionAfter(AFTER);
        DeepMatchModel a = modelWithStaleRows(runtime);
        DeepMatchModel b = DeepMatchModel.restore(a.snapshot(1 << 20), runtime);
        ModelExchange ea = new ModelExchange(a);
        ModelExchange eb = new ModelExchange(b);
        // Row 0 holds i39 (the first example's history), evicted; the last live row, i9's, moves
        // into it with the change it has pending from this batch.
        a.train(plays(5, 10, 150_001));
        List<String> evicted = a.evictUnplayed();
        assertThat(evicted).hasSize(30);
        send(ea, 0, eb);
        for (int r = 0; r < a.catalogueSize(); r++) {
            String id = a.itemId(r);
            int rb = b.rowOf(id);
            int e = a.items.dim();
            for (int j = 0; j < e; j++) {
                assertThat(b.items.emb[rb * e + j])
                        .as(id)
                        .isCloseTo(
                                a.items.emb[r * e + j],
                                org.assertj.core.api.Assertions.within(1e-6));
            }
        }
    }

    /** A row a peer trained on counts as played for this replica's eviction. */
    @Test
    void aPeersDeltaKeepsARow() {
        ModelRuntime runtime = Fixtures.RUNTIME.withItemEvictionAfter(AFTER);
        DeepMatchModel a = modelWithStaleRows(runtime);
        DeepMatchModel b = DeepMatchModel.restore(a.snapshot(1 << 20), runtime);
        ModelExchange ea = new ModelExchange(a);
        ModelExchange eb = new ModelExchange(b);
        a.train(plays(5, 10, 300_000));
        b.train(plays(0, 1, 300_000));
        send(ea, 0, eb);
        send(eb, 1, ea);
        Set<String> evicted = new HashSet<>(b.evictUnplayed());
        assertThat(evicted).contains("i1", "i4", "i10").doesNotContain("i0", "i5", "i9");
        // Each replica decides alone, and both decide the same.
        assertThat(evicted).containsExactlyInAnyOrderElementsOf(a.evictUnplayed());
    }

    @Test
    void anIdGetsARowAtItsNthPlayOnly() {
        DeepMatchModel model =
                new DeepMatchModel(
                        Fixtures.tiny().build(), Fixtures.RUNTIME.withItemAdmissionPlays(3));
        // Ten thousand one-off ids and one id played three times.
        for (int k = 0; k < 100; k++) {
            List<Example> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(example("once" + (k * 100 + i), "seed", 1_000));
            }
            model.train(batch);
        }
        assertThat(model.catalogueSize()).isZero();
        assertThat(model.heldBackPlays()).isEqualTo(10_000);
        model.train(List.of(example("hit", "once1", 2_000)));
        model.train(List.of(example("hit", "once2", 2_001)));
        assertThat(model.rowOf("hit")).isEqualTo(-1);
        model.train(List.of(example("hit", "once3", 2_002)));
        assertThat(model.rowOf("hit")).isEqualTo(0);
        assertThat(model.catalogueSize()).isEqualTo(1);
        assertThat(model.heldBackPlays()).isEqualTo(10_002);
        // Admitted: later plays count in the sampler from here on.
        model.train(List.of(example("hit", "once4", 2_003)));
        assertThat(model.samplerCount(0)).isEqualTo(3);
    }

    @Test
    void atOnePlayEveryIdIsAdmittedAtOnce() {
        DeepMatchModel model = new DeepMatchModel(Fixtures.tiny().build(), Fixtures.RUNTIME);
        model.train(List.of(example("a", "b", 1_000)));
        assertThat(model.rowOf("a")).isNotNegative();
        assertThat(model.rowOf("b")).isNotNegative();
        assertThat(model.heldBackPlays()).isZero();
    }

    /** What replica {@code sender} (of two) changed since its last take, applied by {@code to}. */
    private static void send(ModelExchange from, int sender, ModelExchange to) {
        for (var delta : from.take(sender, 2, 1, 0, 1, 0, 1000)) {
            to.apply(delta);
        }
    }

    private static Example example(String target, String previous, long at) {
        return new Example(
                new String[] {previous}, new double[] {1.0}, new int[] {0}, target, 1.0, at);
    }
}
