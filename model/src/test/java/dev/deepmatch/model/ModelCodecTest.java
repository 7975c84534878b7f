package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.SUCCESSOR_DIM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deepmatch.model.math.Precision;
import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.schema.ShardKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelCodecTest {
    private static final String GOLDEN = "/golden/model-codec-v7.avro";
    private static final String GOLDEN_V6 = "/golden/model-codec-v6.avro";
    private static final String GOLDEN_V5 = "/golden/model-codec-v5.avro";
    private static final String GOLDEN_V4 = "/golden/model-codec-v4.avro";
    private static final String GOLDEN_V3 = "/golden/model-codec-v3.avro";
    private static final String GOLDEN_V2 = "/golden/model-codec-v2.avro";
    private static final String GOLDEN_V1 = "/golden/model-codec-v1.avro";

    /**
     * The golden files fix the format byte for byte; the parameters they hold were trained before
     * the kernels fused their multiply-adds, which moved the last bits (more on parameters whose
     * gradients cancel to near zero, since Adam divides by their size).
     */
    private static final double ULPS_OF_KERNEL_ORDER = 1e-9;

    static DeepMatchModel trainedTinyModel() {
        DeepMatchModel model =
                new DeepMatchModel(Fixtures.tiny().set(SUCCESSOR_DIM, 3).build(), Fixtures.RUNTIME);
        for (int i = 0; i < 3; i++) {
            model.train(Fixtures.batch(12, 100 + i));
        }
        return model;
    }

    @Test
    void roundTripRestoresIdenticalBehaviour() {
        DeepMatchModel model = trainedTinyModel();
        List<ModelShard> shards = new ArrayList<>(model.snapshot(1024));
        assertThat(shards).as("small shard limit must split the state").hasSizeGreaterThan(2);
        for (ModelShard s : shards) {
            assertThat(s.getPayload().remaining())
                    .as("shard near its bound")
                    .isLessThanOrEqualTo(1024 + 2000);
        }
        Collections.shuffle(shards, new Random(1));
        DeepMatchModel restored = DeepMatchModel.restore(shards, Fixtures.RUNTIME);

        assertThat(restored.version()).isEqualTo(model.version());
        assertThat(restored.catalogueSize()).isEqualTo(model.catalogueSize());
        assertThat(restored.config()).isEqualTo(model.config());
        List<Example> probe = Fixtures.batch(12, 999);
        double[][] a = model.userVectors(probe);
        double[][] b = restored.userVectors(probe);
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).containsExactly(a[i]);
        }
        assertThat(restored.topN(b, 5)[0]).containsExactly(model.topN(a, 5)[0]);
        // Optimizer slots and sampler counts came along: the next step is identical too.
        model.train(probe);
        restored.train(probe);
        assertThat(restored.dense).containsExactly(model.dense);
        assertThat(restored.itemVector(3)).containsExactly(model.itemVector(3));
    }

    @Test
    void missingShardIsAClearError() {
        List<ModelShard> shards = new ArrayList<>(trainedTinyModel().snapshot(1024));
        shards.removeIf(s -> s.getKind() == ShardKind.ITEMS && s.getPart() == 0);
        assertThatThrownBy(() -> DeepMatchModel.restore(shards, Fixtures.RUNTIME))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gap");
    }

    @Test
    void unknownCodecVersionIsRejected() {
        List<ModelShard> shards = trainedTinyModel().snapshot(1 << 20);
        shards.get(0).setCodecVersion(99);
        assertThatThrownBy(() -> DeepMatchModel.restore(shards, Fixtures.RUNTIME))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("99");
    }

    @Test
    void theNextItemHeadRoundTrips() {
        DeepMatchModel model =
                new DeepMatchModel(
                        Fixtures.tiny().set(ModelSettings.NEXT_ITEM_WEIGHT, 0.5).build(),
                        Fixtures.RUNTIME);
        model.train(Fixtures.batch(12, 100));
        DeepMatchModel restored = DeepMatchModel.restore(model.snapshot(1024), Fixtures.RUNTIME);
        assertThat(restored.config().nextItemWeight()).isEqualTo(0.5);
        assertThat(restored.dense).containsExactly(model.dense);
        model.train(Fixtures.batch(12, 101));
        restored.train(Fixtures.batch(12, 101));
        assertThat(restored.dense).containsExactly(model.dense);
    }

    /**
     * Snapshots written by codec versions 1 (before nextItemWeight), 2 (before the precision), 3
     * (settings in a fixed order, threads and precision among them) and 4 (one writer) restore to
     * the same model, with the settings they were trained with (no head) and the restoring
     * process's runtime, and survive today's codec unchanged. They hold a model trained before item
     * rows were initialized from their ids, so it is not the one today's code trains.
     */
    @ParameterizedTest
    @ValueSource(strings = {GOLDEN_V1, GOLDEN_V2, GOLDEN_V3, GOLDEN_V4})
    void olderSnapshotsStillRestore(String resource) throws IOException {
        List<ModelShard> shards = decode(readResource(resource));
        assertThat(shards.get(0).getCodecVersion()).isLessThan(ModelCodec.CODEC_VERSION);
        DeepMatchModel restored = DeepMatchModel.restore(shards, Fixtures.RUNTIME);
        assertThat(restored.config()).isEqualTo(Fixtures.tiny().build());
        assertThat(restored.runtime()).isEqualTo(Fixtures.RUNTIME);
        assertThat(restored.version()).isEqualTo(3);
        DeepMatchModel v4 =
                DeepMatchModel.restore(decode(readResource(GOLDEN_V4)), Fixtures.RUNTIME);
        assertThat(restored.dense).containsExactly(v4.dense, within(ULPS_OF_KERNEL_ORDER));
        DeepMatchModel again =
                DeepMatchModel.restore(decode(encode(restored.snapshot(4096))), Fixtures.RUNTIME);
        assertThat(again.dense).containsExactly(restored.dense);
        assertThat(again.items.emb).containsExactly(restored.items.emb);
    }

    /**
     * A snapshot from before the successor channel (version 5, written by the trainer of its day)
     * restores with the channel off, whatever today's default, and trains on.
     */
    @Test
    void snapshotBeforeTheSuccessorChannelRestoresWithoutIt() throws IOException {
        List<ModelShard> shards = decode(readResource(GOLDEN_V5));
        DeepMatchModel restored = DeepMatchModel.restore(shards, Fixtures.RUNTIME);
        assertThat(restored.config()).isEqualTo(Fixtures.tiny().build());
        assertThat(restored.config().successorDim()).isZero();
        assertThat(restored.items.dim()).isEqualTo(restored.config().itemDim());
        assertThat(restored.version()).isEqualTo(3);
        restored.train(Fixtures.batch(12, 200));
        assertThat(restored.version()).isEqualTo(4);
        DeepMatchModel again =
                DeepMatchModel.restore(decode(encode(restored.snapshot(4096))), Fixtures.RUNTIME);
        assertThat(again.dense).containsExactly(restored.dense);
        assertThat(again.items.emb).containsExactly(restored.items.emb);
    }

    /**
     * A snapshot from before the catalogue's clock (version 6) restores with rows of unknown age:
     * the first sweep starts their clock instead of evicting them all, and they leave once unplayed
     * for the eviction time after it.
     */
    @Test
    void snapshotBeforeTheCatalogueClockRestoresRowsOfUnknownAge() throws IOException {
        ModelRuntime evicting = Fixtures.RUNTIME.withItemEvictionAfter(Duration.ofSeconds(60));
        DeepMatchModel restored = DeepMatchModel.restore(decode(readResource(GOLDEN_V6)), evicting);
        assertThat(restored.clock()).isZero();
        int size = restored.catalogueSize();
        assertThat(size).isGreaterThan(6);
        for (int r = 0; r < size; r++) {
            assertThat(restored.items.lastPlayed(r)).isEqualTo(ItemTable.UNKNOWN);
        }
        // Played long after any time a snapshot could have recorded: nothing is evicted yet.
        restored.train(Fixtures.batch(12, 1_000_000));
        assertThat(restored.evictUnplayed()).isEmpty();
        assertThat(restored.catalogueSize()).isEqualTo(size);
        // A minute later by the plays' clock, every row those plays were not of is gone.
        List<Example> later = Fixtures.batch(12, 1_000_061);
        restored.train(later);
        List<String> evicted = restored.evictUnplayed();
        assertThat(evicted).isNotEmpty().doesNotContainAnyElementsOf(targetsOf(later));
        assertThat(restored.catalogueSize()).isEqualTo(size - evicted.size());
    }

    private static java.util.Set<String> targetsOf(List<Example> batch) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        batch.forEach(ex -> ids.add(ex.targetItem()));
        return ids;
    }

    /** Ids are written as DataOutputStream.writeUTF writes them, whatever their characters. */
    @Test
    void idsAreModifiedUtf8AsDataOutputWritesThem() throws IOException {
        for (String id :
                new String[] {
                    "",
                    "track-1",
                    "t\u0000x",
                    "caf\u00e9",
                    "\u00ff\u07ff\u0800",
                    "\u266b\uffff",
                    "\ud83c\udfb5 emoji",
                    "x".repeat(300)
                }) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            new java.io.DataOutputStream(expected).writeUTF(id);
            ByteBuffer b = ByteBuffer.allocate(2 + ModelCodec.utfLength(id));
            ModelCodec.putUtf(b, id);
            assertThat(b.array()).as(id).containsExactly(expected.toByteArray());
            b.flip();
            assertThat(ModelCodec.getUtf(b)).isEqualTo(id);
            assertThat(b.hasRemaining()).isFalse();
        }
    }

    /**
     * How a model ran is not part of it: a model trained with two threads and float products
     * restores to run as the restoring process says.
     */
    @Test
    void theRuntimeIsNotInTheSnapshot() {
        ModelRuntime trainedWith = new ModelRuntime(2, Precision.FLOAT);
        DeepMatchModel model = new DeepMatchModel(Fixtures.tiny().build(), trainedWith);
        model.train(Fixtures.batch(12, 100));
        DeepMatchModel restored = DeepMatchModel.restore(model.snapshot(1024), Fixtures.RUNTIME);
        assertThat(restored.runtime()).isEqualTo(Fixtures.RUNTIME);
        assertThat(restored.config()).isEqualTo(model.config());
        assertThat(restored.dense).containsExactly(model.dense);
    }

    /**
     * The frozen snapshot of the current codec version still restores to the same model and
     * re-encodes byte for byte, so a format change cannot slip in without a codec version bump.
     * After a bump, write it once from today's trained model: {@code mvn -pl model test
     * -Dtest=ModelCodecTest -Dgolden.update=true}.
     */
    @Test
    void goldenSnapshotRestoresAndReencodesIdentically() throws IOException {
        DeepMatchModel fresh = trainedTinyModel();
        byte[] golden;
        if (Boolean.getBoolean("golden.update")) {
            golden = encode(fresh.snapshot(4096));
            Path out = Path.of("src/test/resources" + GOLDEN);
            Files.createDirectories(out.getParent());
            Files.write(out, golden);
        } else {
            try (InputStream in = getClass().getResourceAsStream(GOLDEN)) {
                golden = in.readAllBytes();
            }
        }
        DeepMatchModel restored = DeepMatchModel.restore(decode(golden), Fixtures.RUNTIME);
        assertThat(restored.version()).isEqualTo(3);
        assertThat(encode(restored.snapshot(4096))).containsExactly(golden);
        // The current code trains the same model the golden file holds.
        assertThat(restored.dense).containsExactly(fresh.dense, within(ULPS_OF_KERNEL_ORDER));
    }

    private byte[] readResource(String resource) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    static byte[] encode(List<ModelShard> shards) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataFileWriter<ModelShard> w =
                new DataFileWriter<>(new SpecificDatumWriter<>(ModelShard.class))) {
            w.setSyncInterval(1 << 20);
            w.create(ModelShard.getClassSchema(), bytes, new byte[16]);
            for (ModelShard s : shards) {
                s.setPayload(ByteBuffer.wrap(bytesOf(s.getPayload())));
                w.append(s);
            }
        }
        return bytes.toByteArray();
    }

    static List<ModelShard> decode(byte[] data) throws IOException {
        List<ModelShard> out = new ArrayList<>();
        try (DataFileReader<ModelShard> r =
                new DataFileReader<>(
                        new SeekableByteArrayInput(data),
                        new SpecificDatumReader<>(ModelShard.class))) {
            r.forEach(out::add);
        }
        return out;
    }

    private static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
