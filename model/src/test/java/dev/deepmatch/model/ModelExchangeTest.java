package dev.deepmatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.ModelShard;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelExchangeTest {

    private static long countTotal(DeepMatchModel m) {
        long total = 0;
        for (int r = 0; r < m.catalogueSize(); r++) {
            total += m.samplerCount(r);
        }
        return total;
    }

    private static double[] row(DeepMatchModel m, String id) {
        int e = m.items.dim();
        int r = m.rowOf(id);
        return java.util.Arrays.copyOfRange(m.items.emb, r * e, (r + 1) * e);
    }

    /**
     * Two replicas learn from different batches and apply each other's deltas: they end with the
     * same parameters (to float rounding of the deltas), the same catalogue, and sampler counts
     * whose total is the catalogue size plus the examples both learned from.
     */
    @Test
    void replicasThatExchangeDeltasConverge() {
        ModelConfig cfg = Fixtures.tiny().build();
        DeepMatchModel a = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        DeepMatchModel b = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        assertThat(a.dense).containsExactly(b.dense);
        ModelExchange xa = new ModelExchange(a);
        ModelExchange xb = new ModelExchange(b);
        int examples = 0;
        for (int round = 0; round < 3; round++) {
            List<Example> ba = Fixtures.batch(12, 200 + round);
            List<Example> bb = Fixtures.batch(12, 300 + round);
            a.train(ba);
            b.train(bb);
            examples += targetsAdmitted(ba) + targetsAdmitted(bb);
            List<ModelDelta> da = xa.take(0, 2, 0, 0, round, 0, 4);
            List<ModelDelta> db = xb.take(1, 2, 0, 0, round, 0, 4);
            assertThat(da).as("small parts").hasSizeGreaterThan(1);
            da.forEach(xb::apply);
            db.forEach(xa::apply);
        }
        assertThat(a.catalogueSize()).isEqualTo(b.catalogueSize());
        assertThat(a.version()).isEqualTo(b.version()).isEqualTo(6);
        assertThat(a.dense).containsExactly(b.dense, within(1e-6));
        for (int r = 0; r < a.catalogueSize(); r++) {
            String id = a.itemId(r);
            assertThat(row(b, id)).as(id).containsExactly(row(a, id), within(1e-6));
            assertThat(b.samplerCount(b.rowOf(id))).isEqualTo(a.samplerCount(r));
        }
        assertThat(countTotal(a)).isEqualTo(a.catalogueSize() + examples);
    }

    /** As above, but learning with replay and exchanging after every batch of either. */
    @Test
    void replicasConvergeWhenDeltasInterleaveWithLearning() {
        ModelConfig cfg = Fixtures.tiny().build();
        DeepMatchModel a = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        DeepMatchModel b = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        ModelExchange xa = new ModelExchange(a);
        ModelExchange xb = new ModelExchange(b);
        long seq = 0;
        for (int round = 0; round < 6; round++) {
            DeepMatchModel m = round % 2 == 0 ? a : b;
            m.learn(Fixtures.batch(12, 400 + round));
            boolean dense = round % 3 == 2;
            List<ModelDelta> da = xa.take(0, 2, 0, 0, seq, 0, 1000, dense);
            List<ModelDelta> db = xb.take(1, 2, 0, 0, seq, 0, 1000, dense);
            seq++;
            da.forEach(xb::apply);
            db.forEach(xa::apply);
        }
        xa.take(0, 2, 0, 0, seq, 0, 1000, true).forEach(xb::apply);
        xb.take(1, 2, 0, 0, seq, 0, 1000, true).forEach(xa::apply);
        assertThat(a.dense).containsExactly(b.dense, within(1e-6));
        for (int r = 0; r < a.catalogueSize(); r++) {
            String id = a.itemId(r);
            assertThat(row(b, id)).as(id).containsExactly(row(a, id), within(1e-6));
        }
    }

    private static int targetsAdmitted(List<Example> batch) {
        return batch.size();
    }

    /** A delta applied twice or not at all breaks the count invariant the job's tests rely on. */
    @Test
    void aDeltaAppliedTwiceShowsInTheCounts() {
        ModelConfig cfg = Fixtures.tiny().build();
        DeepMatchModel a = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        DeepMatchModel b = new DeepMatchModel(cfg, Fixtures.RUNTIME);
        ModelExchange xa = new ModelExchange(a);
        ModelExchange xb = new ModelExchange(b);
        List<Example> batch = Fixtures.batch(12, 5);
        a.train(batch);
        List<ModelDelta> d = xa.take(0, 2, 0, 0, 0, 0, 1000);
        d.forEach(xb::apply);
        assertThat(countTotal(b) - b.catalogueSize()).isEqualTo(batch.size());
        d.forEach(xb::apply);
        assertThat(countTotal(b) - b.catalogueSize()).isEqualTo(2L * batch.size());
    }

    /**
     * Each of two trainers snapshots only the rows it owns (and trainer 0 the dense part); their
     * shards together restore the whole model, with the newest version of the two.
     */
    @Test
    void snapshotsOfTwoOwnersRestoreOneModel() {
        DeepMatchModel model = ModelCodecTest.trainedTinyModel();
        ItemSharding sharding = new ItemSharding(8);
        List<ModelShard> shards = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            List<ModelShard> part =
                    model.snapshot(
                            1024,
                            r -> sharding.ownerOfItem(model.itemId(r), 2) == writer,
                            writer,
                            2);
            shards.addAll(part);
        }
        assertThat(shards.stream().filter(s -> s.getWriter() == 1))
                .allMatch(s -> s.getKind() == dev.deepmatch.schema.ShardKind.ITEMS);
        DeepMatchModel restored = DeepMatchModel.restore(shards, Fixtures.RUNTIME);
        assertThat(restored.catalogueSize()).isEqualTo(model.catalogueSize());
        assertThat(restored.version()).isEqualTo(model.version());
        assertThat(restored.dense).containsExactly(model.dense);
        for (int r = 0; r < model.catalogueSize(); r++) {
            String id = model.itemId(r);
            assertThat(row(restored, id)).containsExactly(row(model, id));
            assertThat(restored.samplerCount(restored.rowOf(id))).isEqualTo(model.samplerCount(r));
        }
        // Without trainer 1's part the restore refuses instead of losing its rows.
        List<ModelShard> onlyFirst = shards.stream().filter(s -> s.getWriter() == 0).toList();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> DeepMatchModel.restore(onlyFirst, Fixtures.RUNTIME))
                .hasMessageContaining("a trainer's part is missing");
    }

    /** A delta of a model with other sizes is refused whole: nothing of it is applied. */
    @Test
    void aDeltaThatDoesNotFitIsRefusedBeforeAnythingChanges() {
        DeepMatchModel a = new DeepMatchModel(Fixtures.tiny().build(), Fixtures.RUNTIME);
        DeepMatchModel b = new DeepMatchModel(Fixtures.tiny().build(), Fixtures.RUNTIME);
        ModelExchange xa = new ModelExchange(a);
        ModelExchange xb = new ModelExchange(b);
        a.train(Fixtures.batch(12, 9));
        ModelDelta good = xa.take(0, 2, 0, 0, 0, 0, 1000).get(0);
        ModelDelta bad = ModelDelta.newBuilder(good).build();
        var rows = new ArrayList<>(bad.getRows());
        rows.add(new dev.deepmatch.schema.RowDelta("odd", 1L, java.nio.ByteBuffer.allocate(12)));
        bad.setRows(rows);
        double[] dense = b.dense.clone();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> xb.apply(bad))
                .hasMessageContaining("delta of item odd has 3 values");
        assertThat(b.dense).containsExactly(dense);
        assertThat(b.catalogueSize()).isZero();
        assertThat(b.version()).isZero();
    }

    @Test
    void shardsMapToOwnersByContiguousRanges() {
        ItemSharding s = new ItemSharding(128);
        assertThat(s.ownerOf(0, 3)).isEqualTo(0);
        assertThat(s.ownerOf(127, 3)).isEqualTo(2);
        assertThat(s.ownerOf(43, 3)).isEqualTo(1);
        // Stable across releases: shard assignment and initial rows depend on it.
        assertThat(s.shardOf("track-1")).isEqualTo(s.shardOf("track-1"));
        assertThat(ItemSharding.hash64("track-1")).isEqualTo(GOLDEN_HASH);
    }

    private static final long GOLDEN_HASH = 638177316269368553L;
}
