package dev.deepmatch.model;

import dev.deepmatch.model.math.Precision;
import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.schema.ShardKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Versioned binary codec of the whole model state into {@link ModelShard} records of bounded size.
 * One DENSE blob (settings, dense parameters and their Adam slots, counters) is cut into
 * consecutive parts; catalogue rows (id, sampler count, embedding and its Adam slots) go into ITEMS
 * shards by contiguous row range, so a later version can hand row ranges to different trainers.
 */
final class ModelCodec {
    /**
     * Version 2 added nextItemWeight to the settings, version 3 the precision. Older shards still
     * restore, with the values they were trained with: no head before 2, double before 3.
     */
    static final int CODEC_VERSION = 3;

    private static final int OLDEST_READABLE = 1;
    private static final int MAGIC = 0x444d4d31; // "DMM1"

    private ModelCodec() {}

    static List<ModelShard> write(DeepMatchModel model, int maxShardBytes) {
        if (maxShardBytes < 1024) {
            throw new IllegalArgumentException(
                    "maxShardBytes must be at least 1024, got " + maxShardBytes);
        }
        List<ModelShard> out = new ArrayList<>();
        byte[] blob = denseBlob(model);
        int denseParts = (blob.length + maxShardBytes - 1) / maxShardBytes;
        for (int p = 0; p < denseParts; p++) {
            int from = p * maxShardBytes;
            int to = Math.min(blob.length, from + maxShardBytes);
            out.add(shard(model, ShardKind.DENSE, p, denseParts, 0, 0, slice(blob, from, to)));
        }
        List<ModelShard> itemShards = new ArrayList<>();
        ItemTable items = model.items;
        int e = items.dim();
        int row = 0;
        while (row < items.size()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(bytes);
            int first = row;
            try {
                while (row < items.size() && (row == first || d.size() < maxShardBytes)) {
                    d.writeUTF(items.id(row));
                    d.writeLong(items.sampler.count(row));
                    writeDoubles(d, items.emb, row * e, e);
                    writeDoubles(d, items.m, row * e, e);
                    writeDoubles(d, items.v, row * e, e);
                    row++;
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            itemShards.add(
                    shard(model, ShardKind.ITEMS, 0, 0, first, row - first, bytes.toByteArray()));
        }
        for (int p = 0; p < itemShards.size(); p++) {
            itemShards.get(p).setPart(p);
            itemShards.get(p).setParts(itemShards.size());
        }
        out.addAll(itemShards);
        return out;
    }

    private static byte[] denseBlob(DeepMatchModel model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            d.writeInt(MAGIC);
            writeConfig(d, model.config());
            d.writeLong(model.steps);
            d.writeLong(model.rejectedItems);
            d.writeInt(model.items.size());
            d.writeInt(model.dense.length);
            writeDoubles(d, model.dense, 0, model.dense.length);
            writeDoubles(d, model.denseM, 0, model.dense.length);
            writeDoubles(d, model.denseV, 0, model.dense.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static DeepMatchModel read(List<ModelShard> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no model shards to restore from");
        }
        long version = shards.get(0).getModelVersion();
        int codec = shards.get(0).getCodecVersion();
        List<ModelShard> dense = new ArrayList<>();
        List<ModelShard> rows = new ArrayList<>();
        for (ModelShard s : shards) {
            if (s.getCodecVersion() < OLDEST_READABLE || s.getCodecVersion() > CODEC_VERSION) {
                throw new IllegalStateException(
                        "model shard codec version "
                                + s.getCodecVersion()
                                + " is not supported (this build reads "
                                + OLDEST_READABLE
                                + " to "
                                + CODEC_VERSION
                                + ")");
            }
            if (s.getCodecVersion() != codec) {
                throw new IllegalStateException(
                        "model shards of different codec versions: "
                                + codec
                                + " and "
                                + s.getCodecVersion());
            }
            if (s.getModelVersion() != version) {
                throw new IllegalStateException(
                        "model shards of different versions: "
                                + version
                                + " and "
                                + s.getModelVersion());
            }
            (s.getKind() == ShardKind.DENSE ? dense : rows).add(s);
        }
        dense.sort(Comparator.comparingInt(ModelShard::getPart));
        for (int p = 0; p < dense.size(); p++) {
            if (dense.get(p).getPart() != p || dense.get(p).getParts() != dense.size()) {
                throw new IllegalStateException(
                        "dense model shards incomplete: have "
                                + dense.size()
                                + " parts, expected "
                                + dense.get(0).getParts());
            }
        }
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        for (ModelShard s : dense) {
            blob.writeBytes(bytes(s.getPayload()));
        }
        DeepMatchModel model;
        int catalogue;
        try (DataInputStream d =
                new DataInputStream(new ByteArrayInputStream(blob.toByteArray()))) {
            if (d.readInt() != MAGIC) {
                throw new IllegalStateException("dense model shard does not start with the magic");
            }
            model = new DeepMatchModel(readConfig(d, codec), false);
            model.steps = d.readLong();
            model.rejectedItems = d.readLong();
            catalogue = d.readInt();
            int n = d.readInt();
            if (n != model.dense.length) {
                throw new IllegalStateException(
                        "dense parameter count " + n + " does not match settings");
            }
            readDoubles(d, model.dense, 0, n);
            readDoubles(d, model.denseM, 0, n);
            readDoubles(d, model.denseV, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rows.sort(Comparator.comparingInt(ModelShard::getFirstRow));
        int e = model.items.dim();
        double[] emb = new double[e], m = new double[e], v = new double[e];
        for (ModelShard s : rows) {
            if (s.getFirstRow() != model.items.size()) {
                throw new IllegalStateException(
                        "item shards leave a gap: expected row "
                                + model.items.size()
                                + ", next shard starts at "
                                + s.getFirstRow());
            }
            try (DataInputStream d =
                    new DataInputStream(new ByteArrayInputStream(bytes(s.getPayload())))) {
                for (int i = 0; i < s.getRowCount(); i++) {
                    String id = d.readUTF();
                    long count = d.readLong();
                    readDoubles(d, emb, 0, e);
                    readDoubles(d, m, 0, e);
                    readDoubles(d, v, 0, e);
                    model.items.append(id, emb, m, v, count);
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        if (model.items.size() != catalogue) {
            throw new IllegalStateException(
                    "item shards hold "
                            + model.items.size()
                            + " rows, the snapshot had "
                            + catalogue);
        }
        model.items.drainTouched(); // a restored model has emitted nothing yet
        return model;
    }

    private static ModelShard shard(
            DeepMatchModel model,
            ShardKind kind,
            int part,
            int parts,
            int firstRow,
            int rowCount,
            byte[] payload) {
        return ModelShard.newBuilder()
                .setCodecVersion(CODEC_VERSION)
                .setModelVersion(model.version())
                .setKind(kind)
                .setPart(part)
                .setParts(parts)
                .setFirstRow(firstRow)
                .setRowCount(rowCount)
                .setPayload(ByteBuffer.wrap(payload))
                .build();
    }

    private static void writeConfig(DataOutputStream d, ModelConfig c) throws IOException {
        d.writeInt(c.maxLen());
        d.writeInt(c.factorDim());
        d.writeInt(c.hidden());
        d.writeInt(c.heads());
        d.writeInt(c.blocks());
        d.writeInt(c.ffDim());
        d.writeInt(c.intentTypes());
        d.writeBoolean(c.factorized());
        d.writeBoolean(c.useRateAndIntent());
        d.writeInt(c.negatives());
        d.writeDouble(c.samplerPower());
        d.writeDouble(c.posThreshold());
        d.writeDouble(c.negThreshold());
        d.writeDouble(c.negWeight());
        d.writeUTF(c.negativeLoss().name());
        d.writeDouble(c.negItemGradient());
        d.writeDouble(c.learningRate());
        d.writeDouble(c.embeddingLearningRate());
        d.writeDouble(c.adamBeta1());
        d.writeDouble(c.adamBeta2());
        d.writeDouble(c.adamEpsilon());
        d.writeDouble(c.initScale());
        d.writeInt(c.stepsPerBatch());
        d.writeInt(c.replayBuffer());
        d.writeInt(c.replayPerBatch());
        d.writeInt(c.catalogueCapacity());
        d.writeInt(c.threads());
        d.writeLong(c.seed());
        d.writeDouble(c.nextItemWeight());
        d.writeUTF(c.precision().name());
    }

    private static ModelConfig readConfig(DataInputStream d, int codec) throws IOException {
        ModelConfig.Builder b =
                ModelConfig.builder()
                        .maxLen(d.readInt())
                        .factorDim(d.readInt())
                        .hidden(d.readInt())
                        .heads(d.readInt())
                        .blocks(d.readInt())
                        .ffDim(d.readInt())
                        .intentTypes(d.readInt())
                        .factorized(d.readBoolean())
                        .useRateAndIntent(d.readBoolean())
                        .negatives(d.readInt())
                        .samplerPower(d.readDouble())
                        .posThreshold(d.readDouble())
                        .negThreshold(d.readDouble())
                        .negWeight(d.readDouble())
                        .negativeLoss(NegativeLoss.valueOf(d.readUTF()))
                        .negItemGradient(d.readDouble())
                        .learningRate(d.readDouble())
                        .embeddingLearningRate(d.readDouble())
                        .adamBeta1(d.readDouble())
                        .adamBeta2(d.readDouble())
                        .adamEpsilon(d.readDouble())
                        .initScale(d.readDouble())
                        .stepsPerBatch(d.readInt())
                        .replayBuffer(d.readInt())
                        .replayPerBatch(d.readInt())
                        .catalogueCapacity(d.readInt())
                        .threads(d.readInt())
                        .seed(d.readLong());
        // Version 1 had no head: restore it off, whatever today's default.
        b.nextItemWeight(codec >= 2 ? d.readDouble() : 0.0);
        b.precision(codec >= 3 ? Precision.valueOf(d.readUTF()) : Precision.DOUBLE);
        return b.build();
    }

    private static void writeDoubles(DataOutputStream d, double[] a, int off, int n)
            throws IOException {
        for (int i = 0; i < n; i++) {
            d.writeDouble(a[off + i]);
        }
    }

    private static void readDoubles(DataInputStream d, double[] a, int off, int n)
            throws IOException {
        for (int i = 0; i < n; i++) {
            a[off + i] = d.readDouble();
        }
    }

    private static byte[] slice(byte[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer dup = b.duplicate();
        byte[] out = new byte[dup.remaining()];
        dup.get(out);
        return out;
    }
}
