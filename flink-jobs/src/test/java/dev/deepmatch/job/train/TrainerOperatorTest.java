package dev.deepmatch.job.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deepmatch.job.JobConfig;
import dev.deepmatch.job.Plays;
import dev.deepmatch.job.sink.ItemVectorSerializer;
import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ItemSharding;
import dev.deepmatch.schema.ItemVector;
import dev.deepmatch.schema.ModelDelta;
import dev.deepmatch.schema.TrainingExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerOperatorTest {

    /** A tiny model so the test stays fast; batches of 4, emission every 10 s. */
    private static final String[] TINY = {
        "--window-length", "5",
        "--factor-dim", "4",
        "--hidden", "8",
        "--successor-dim", "3",
        "--heads", "2",
        "--blocks", "1",
        "--ff-dim", "16",
        "--negatives", "5",
        "--catalogue-capacity", "200",
        "--threads", "1",
        "--batch-size", "4",
        "--batch-max-delay", "1 s",
        "--emission-interval", "10 s",
        "--full-refresh-interval", "60 s",
        "--metrics-window", "100"
    };

    private final List<TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>>
            harnesses = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector> harness(
            OperatorSubtaskState restoreFrom, String... extraArgs) throws Exception {
        String[] args = new String[TINY.length + extraArgs.length];
        System.arraycopy(TINY, 0, args, 0, TINY.length);
        System.arraycopy(extraArgs, 0, args, TINY.length, extraArgs.length);
        var h =
                new TwoInputStreamOperatorTestHarness<>(
                        new TrainerOperator(JobConfig.fromArgs(args).trainerSettings()));
        harnesses.add(h);
        h.setProcessingTime(0);
        if (restoreFrom == null) {
            h.initializeEmptyState();
        } else {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    /**
     * Trainer {@code index} of {@code trainers}, started afresh or from a (repartitioned) state.
     */
    private TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector> trainer(
            OperatorSubtaskState restoreFrom, int trainers, int index, String... extraArgs)
            throws Exception {
        String[] args = new String[TINY.length + extraArgs.length];
        System.arraycopy(TINY, 0, args, 0, TINY.length);
        System.arraycopy(extraArgs, 0, args, TINY.length, extraArgs.length);
        var h =
                new TwoInputStreamOperatorTestHarness<>(
                        new TrainerOperator(JobConfig.fromArgs(args).trainerSettings()),
                        MAX_PARALLELISM,
                        trainers,
                        index);
        harnesses.add(h);
        h.setProcessingTime(0);
        if (restoreFrom == null) {
            h.initializeEmptyState();
        } else {
            h.setRestoredCheckpointId(1); // a new lineage, as in a job restored from checkpoint 1
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static final int MAX_PARALLELISM = 128;

    /** Hands each trainer's deltas so far to every trainer; returns them. */
    private static List<ModelDelta> exchange(
            List<TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>> ts)
            throws Exception {
        List<List<ModelDelta>> sent = new ArrayList<>();
        for (var t : ts) {
            List<ModelDelta> out = new ArrayList<>();
            var queue = t.getSideOutput(TrainerOperator.DELTAS);
            if (queue != null) {
                queue.forEach(r -> out.add(r.getValue()));
                queue.clear();
            }
            sent.add(out);
        }
        List<ModelDelta> all = new ArrayList<>();
        sent.forEach(all::addAll);
        deliver(all, ts);
        return all;
    }

    private static void deliver(
            List<ModelDelta> deltas,
            List<TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector>> ts)
            throws Exception {
        for (var t : ts) {
            for (ModelDelta d : deltas) {
                t.processElement2(d, 0);
            }
        }
    }

    private static DeepMatchModel model(TwoInputStreamOperatorTestHarness<?, ?, ?> h) {
        return ((TrainerOperator) h.getOperator()).model();
    }

    /** Users walking through a 12-track catalogue, skipping now and then. */
    private static List<TrainingExample> examples(int n, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 1 + random.nextInt(4);
            String[] items = new String[len];
            double[] rates = new double[len];
            int[] intents = new int[len];
            for (int j = 0; j < len; j++) {
                items[j] = "t" + random.nextInt(12);
                rates[j] = random.nextBoolean() ? 1.0 : 0.1;
                intents[j] = random.nextInt(6);
            }
            out.add(
                    Plays.example(
                            "u" + i,
                            items,
                            rates,
                            intents,
                            "t" + random.nextInt(12),
                            random.nextDouble() < 0.6 ? 0.9 : 0.05,
                            1_000L * i));
        }
        return out;
    }

    private static void send(
            TwoInputStreamOperatorTestHarness<TrainingExample, ModelDelta, ItemVector> h,
            List<TrainingExample> examples)
            throws Exception {
        for (TrainingExample e : examples) {
            h.processElement1(e, e.getTarget().getEventTimeMillis());
        }
    }

    private static List<ItemVector> drain(TwoInputStreamOperatorTestHarness<?, ?, ItemVector> h) {
        List<ItemVector> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    @Test
    void trainsByBatchSizeOrMaxDelayAndEmitsVersionedVectors() throws Exception {
        var h = harness(null);
        send(h, examples(4, 1));
        assertThat(model(h).version()).isEqualTo(1);

        send(h, examples(1, 2));
        h.setProcessingTime(999);
        assertThat(model(h).version()).isEqualTo(1);
        h.setProcessingTime(1_000); // the lone example's max delay is over
        assertThat(model(h).version()).isEqualTo(2);
        assertThat(drain(h)).isEmpty();

        h.setProcessingTime(10_000);
        List<ItemVector> changed = drain(h);
        assertThat(changed).isNotEmpty();
        assertThat(changed)
                .allSatisfy(
                        v -> {
                            assertThat(v.getModelVersion()).isEqualTo(2);
                            assertThat(v.getFullRefresh()).isFalse();
                            // hidden, then the successor channel's columns
                            assertThat(v.getVector()).hasSize(8 + 3);
                            assertThat(model(h).rowOf(v.getItemId())).isNotNegative();
                            assertThat(v.getVector()).isEqualTo(vectorOf(model(h), v.getItemId()));
                        });

        h.setProcessingTime(20_000); // nothing learned since: nothing to emit
        assertThat(drain(h)).isEmpty();

        h.setProcessingTime(60_000);
        List<ItemVector> full = drain(h);
        int catalogue = model(h).catalogueSize();
        assertThat(full).hasSize(catalogue);
        assertThat(full.stream().map(ItemVector::getItemId).distinct().count())
                .isEqualTo(catalogue);
        assertThat(full)
                .allSatisfy(
                        v -> {
                            assertThat(v.getFullRefresh()).isTrue();
                            assertThat(v.getRefreshSize()).isEqualTo(catalogue);
                            assertThat(v.getModelVersion()).isEqualTo(2);
                            assertThat(v.getVector()).isEqualTo(vectorOf(model(h), v.getItemId()));
                        });
    }

    /** The item's serving vector as the model computes it alone, for comparison with emissions. */
    private static List<Float> vectorOf(DeepMatchModel model, String itemId) {
        List<Float> out = new ArrayList<>();
        for (float f : model.itemVector(model.rowOf(itemId))) {
            out.add(f);
        }
        return out;
    }

    @Test
    void ranksEachBatchBeforeLearningFromIt() throws Exception {
        var h = harness(null);
        TrainerOperator op = (TrainerOperator) h.getOperator();
        List<TrainingExample> first = examples(4, 8);
        send(h, first);
        // A fresh model knows no target yet: ranked first, every example is a miss, even though
        // the same step then admits all of them to the catalogue.
        long positives = first.stream().filter(e -> e.getTarget().getPlayRate() >= 0.8).count();
        assertThat(op.recall().positives()).isEqualTo(positives);
        assertThat(op.recall().negatives()).isEqualTo(first.size() - positives);
        assertThat(op.recall().pos(0)).isZero();
        assertThat(op.recall().neg(0)).isZero();
        assertThat(model(h).rowOf(first.get(0).getTarget().getItemId())).isNotNegative();
    }

    /**
     * A play's freshness runs from its record timestamp (arrival in Kafka) to the completion of the
     * checkpoint after the emission that carried its changes.
     */
    @Test
    void freshnessRunsFromArrivalToTheCheckpointAfterTheEmission() throws Exception {
        var h = harness(null);
        TrainerOperator op = (TrainerOperator) h.getOperator();
        List<TrainingExample> batch = examples(4, 30);
        for (int i = 0; i < batch.size(); i++) {
            h.processElement1(batch.get(i), 100 + i); // arrivals at 100..103
        }
        h.prepareSnapshotPreBarrier(1);
        h.snapshot(1, 5_000);
        h.notifyOfCompletedCheckpoint(1);
        assertThat(op.freshnessMillis().getCount()).as("trained, not emitted yet").isZero();

        h.setProcessingTime(10_000); // the emission interval: changed vectors go out
        assertThat(h.getOutput()).isNotEmpty();
        h.setProcessingTime(12_000);
        h.prepareSnapshotPreBarrier(2);
        h.snapshot(2, 12_000);
        assertThat(op.freshnessMillis().getCount()).as("not committed yet").isZero();
        h.setProcessingTime(13_000);
        h.notifyOfCompletedCheckpoint(2);
        assertThat(op.freshnessMillis().getCount()).isEqualTo(4);
        assertThat(op.freshnessMillis().getStatistics().getMin()).isEqualTo(13_000 - 103);
        assertThat(op.freshnessMillis().getStatistics().getMax()).isEqualTo(13_000 - 100);
    }

    @Test
    void rankedShareRanksAnEvenShareOfBatchesAndTheCountsSaySo() throws Exception {
        var h = harness(null, "--ranked-share", "0.5");
        TrainerOperator op = (TrainerOperator) h.getOperator();
        List<TrainingExample> ranked = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            List<TrainingExample> batch = examples(4, 20 + b); // one batch each
            send(h, batch);
            if (b % 2 == 1) {
                ranked.addAll(batch);
            }
        }
        assertThat(model(h).version()).as("every batch trained").isEqualTo(4);
        long positives = ranked.stream().filter(e -> e.getTarget().getPlayRate() >= 0.8).count();
        assertThat(op.recall().positives()).isEqualTo(positives);
        assertThat(op.recall().negatives()).isEqualTo(ranked.size() - positives);
    }

    @Test
    void restoreFromSnapshotGivesIdenticalScoresAndVersion() throws Exception {
        var original = harness(null);
        send(original, examples(24, 3));
        send(original, examples(2, 4)); // an open batch, checkpointed with the model
        long version = model(original).version();
        assertThat(version).isEqualTo(6);
        OperatorSubtaskState snapshot = original.snapshot(1, 5_000);

        var restored = harness(snapshot);
        DeepMatchModel a = model(original);
        DeepMatchModel b = model(restored);
        assertThat(b.version()).isEqualTo(version);
        assertThat(b.catalogueSize()).isEqualTo(a.catalogueSize());
        List<Example> probe =
                examples(16, 5).stream().map(Example::of).collect(Collectors.toList());
        double[][] usersA = a.userVectors(probe);
        double[][] usersB = b.userVectors(probe);
        assertThat(usersB).isDeepEqualTo(usersA);
        assertThat(b.topN(usersB, 5)).isDeepEqualTo(a.topN(usersA, 5));
        for (int row = 0; row < a.catalogueSize(); row++) {
            assertThat(b.itemId(row)).isEqualTo(a.itemId(row));
            assertThat(b.itemVector(row)).containsExactly(a.itemVector(row));
        }

        // After a restore the whole catalogue goes out once, at the restored version.
        restored.setProcessingTime(1);
        List<ItemVector> refresh = drain(restored);
        assertThat(refresh).hasSize(b.catalogueSize());
        assertThat(refresh).allSatisfy(v -> assertThat(v.getModelVersion()).isEqualTo(version));

        // The open batch came back too: its deadline trains it.
        restored.setProcessingTime(1_001);
        assertThat(b.version()).isEqualTo(version + 1);

        // A rollback: the same checkpoint restored with a version floor above what was published
        // sends the checkpoint's vectors again at that newer version.
        var rolledBack = harness(snapshot, "--version-floor", "1000");
        rolledBack.setProcessingTime(1);
        List<ItemVector> again = drain(rolledBack);
        assertThat(again).hasSize(a.catalogueSize());
        for (ItemVector v : again) {
            assertThat(v.getModelVersion()).isEqualTo(1000);
            assertThat(v.getFullRefresh()).isTrue();
            assertThat(v.getVector()).isEqualTo(vectorOf(a, v.getItemId().toString()));
        }
    }

    /**
     * Two trainers learn from their own users and apply each other's deltas: they end with the same
     * model. Their checkpoint restores at one and at three trainers to that model (the same top-10
     * for probe users), at a newer version; each restored trainer owns its share of the shards.
     */
    @Test
    void twoTrainersShareOneModelThatRestoresAtOneAndAtThree() throws Exception {
        var ts = List.of(trainer(null, 2, 0), trainer(null, 2, 1));
        List<TrainingExample> stream = examples(48, 9);
        for (TrainingExample e : stream) {
            int to = Math.floorMod(e.getUserId().hashCode(), 2);
            ts.get(to).processElement1(e, e.getTarget().getEventTimeMillis());
            exchange(ts);
        }
        // Before the barrier each sends what it held back; they end up with the same model.
        for (var t : ts) {
            t.prepareSnapshotPreBarrier(1);
        }
        OperatorSubtaskState both =
                org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness.repackageState(
                        ts.get(0).snapshot(1, 1), ts.get(1).snapshot(1, 1));
        List<ModelDelta> afterBarrier = exchange(ts);
        DeepMatchModel a = model(ts.get(0));
        DeepMatchModel b = model(ts.get(1));
        assertThat(a.version()).isEqualTo(b.version()).isPositive();
        assertThat(a.examplesCounted()).isEqualTo(b.examplesCounted()).isEqualTo(48);
        List<Example> probe =
                examples(16, 5).stream().map(Example::of).collect(Collectors.toList());
        int[][] top = a.topN(a.userVectors(probe), 10);
        assertThat(ids(b, b.topN(b.userVectors(probe), 10))).isEqualTo(ids(a, top));
        for (int trainers : new int[] {1, 3}) {
            int shards = 0;
            for (int i = 0; i < trainers; i++) {
                var restored =
                        trainer(
                                org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness
                                        .repartitionOperatorState(
                                                both, MAX_PARALLELISM, 2, trainers, i),
                                trainers,
                                i);
                // what trainer 1 sent before the barrier reaches the restored trainer from the
                // topic
                deliver(afterBarrier, List.of(restored));
                DeepMatchModel r = model(restored);
                assertThat(r.examplesCounted()).isEqualTo(48);
                assertThat(ids(r, r.topN(r.userVectors(probe), 10)))
                        .as("top-10 at %d trainers", trainers)
                        .isEqualTo(ids(a, top));
                shards +=
                        r.config().itemShards() * (i + 1) / trainers
                                - r.config().itemShards() * i / trainers;
            }
            assertThat(shards).isEqualTo(128);
        }
    }

    /**
     * Items unplayed for the eviction time leave both trainers' catalogues, and each leaves the
     * vectors topic once, as a tombstone from its owner.
     */
    @Test
    void evictedItemsLeaveAsTombstonesFromTheirOwnerOnly() throws Exception {
        var ts =
                List.of(
                        trainer(null, 2, 0, "--item-eviction-after", "1 min"),
                        trainer(null, 2, 1, "--item-eviction-after", "1 min"));
        Set<String> old = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            String target = "old" + i;
            old.add(target);
            old.add("old" + (i + 8));
            ts.get(i % 2)
                    .processElement1(
                            Plays.example(
                                    "u" + i,
                                    new String[] {"old" + (i + 8)},
                                    new double[] {1.0},
                                    new int[] {0},
                                    target,
                                    0.9,
                                    1_000L * i),
                            1_000L * i);
        }
        exchange(ts);
        for (var t : ts) {
            assertThat(model(t).catalogueSize()).isEqualTo(16);
            drain(t);
        }
        // Only new tracks are played now. Trainer 0's plays are 70 s on (more than a minute after
        // the old plays) and it evicts; trainer 1's clock lags 20 s behind, it does not evict yet
        // and samples old rows as negatives.
        for (int i = 0; i < 8; i++) {
            long at = i % 2 == 0 ? 70_000L + i : 50_000L + i;
            ts.get(i % 2).processElement1(newPlay(i, at), at);
        }
        assertThat(model(ts.get(0)).catalogueSize()).isEqualTo(8);
        assertThat(model(ts.get(1)).catalogueSize()).isEqualTo(16 + 8);
        // Trainer 1's changes of old rows (no plays) do not bring them back on trainer 0.
        exchange(ts);
        assertThat(model(ts.get(0)).catalogueSize()).isEqualTo(8);
        // Trainer 1's clock moves on: it evicts the same rows.
        for (int i = 1; i < 8; i += 2) {
            ts.get(1).processElement1(newPlay(i, 75_000L + i), 75_000L + i);
        }
        exchange(ts);
        ItemSharding sharding = new ItemSharding(128);
        List<String> deleted = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            assertThat(model(ts.get(k)).catalogueSize()).isEqualTo(8);
            for (String id : old) {
                assertThat(model(ts.get(k)).rowOf(id)).isEqualTo(-1);
            }
            for (ItemVector v : drain(ts.get(k))) {
                if (ItemVectorSerializer.isRemoval(v)) {
                    assertThat(sharding.ownerOfItem(v.getItemId(), 2)).isEqualTo(k);
                    deleted.add(v.getItemId());
                }
            }
        }
        assertThat(deleted).containsExactlyInAnyOrderElementsOf(old);
        // On the topic a removal is a tombstone.
        ItemVector removal = ItemVectorSerializer.removal("old0", 7, 300_000);
        assertThat(new ItemVectorSerializer("vectors").serialize(removal, null, null).value())
                .isNull();
    }

    private static TrainingExample newPlay(int i, long at) {
        return Plays.example(
                "u" + i,
                new String[] {"new" + ((i + 1) % 8)},
                new double[] {1.0},
                new int[] {0},
                "new" + i,
                0.9,
                at);
    }

    private static List<List<String>> ids(DeepMatchModel m, int[][] rows) {
        List<List<String>> out = new ArrayList<>();
        for (int[] user : rows) {
            List<String> ids = new ArrayList<>();
            for (int row : user) {
                ids.add(m.itemId(row));
            }
            out.add(ids);
        }
        return out;
    }

    @Test
    void withTrainingOffRestoredModelIsKeptForLater() throws Exception {
        var trained = harness(null);
        send(trained, examples(8, 6));
        OperatorSubtaskState first = trained.snapshot(1, 1);

        var off = harness(first, "--training-enabled", "false");
        assertThat(model(off)).isNull();
        send(off, examples(8, 7));
        OperatorSubtaskState second = off.snapshot(2, 2);

        var back = harness(second);
        assertThat(model(back).version()).isEqualTo(2);
        assertThat(model(back).catalogueSize()).isEqualTo(model(trained).catalogueSize());
    }
}
