package dev.deepmatch.model;

import static dev.deepmatch.model.ModelSettings.*;

import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.schema.ShardKind;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.Settings;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Versioned binary codec of the whole model state into {@link ModelShard} records of bounded size.
 * One DENSE blob (settings, dense parameters and their Adam slots, counters) is cut into
 * consecutive parts; catalogue rows (id, sampler count, embedding and its Adam slots) go into ITEMS
 * shards by contiguous row range, so a later version can hand row ranges to different trainers.
 */
final class ModelCodec {
    /**
     * Version 2 added nextItemWeight to the settings, version 3 the precision; version 4 writes the
     * settings by name ({@link ModelSettings#ALL}) and leaves out how the model ran (threads,
     * precision: {@link ModelRuntime}); version 5 lets several trainers write one model (each its
     * own rows, {@link ModelShard#getWriter()}; item shards number their rows per writer); version
     * 6 adds the successor channel (its settings, and item rows of {@link ModelConfig#rowWidth()}:
     * older snapshots restore with the channel off); version 7 the model's clock and each row's
     * last play (older rows restore of unknown age: their eviction clock starts at the first
     * sweep). Older shards still restore, with the settings they were trained with (no head before
     * 2) and the restoring process's runtime.
     */
    static final int CODEC_VERSION = 7;

    private static final int OLDEST_READABLE = 1;
    private static final int MAGIC = 0x444d4d31; // "DMM1"

    private ModelCodec() {}

    static List<ModelShard> write(DeepMatchModel model, int maxShardBytes) {
        return write(model, maxShardBytes, row -> true, 0, 1);
    }

    /**
     * The part of the model that trainer {@code writer} of {@code writers} keeps in a checkpoint:
     * the rows {@code owned} selects and, for trainer 0, the dense blob. Every writer writes at
     * least one item shard, so a restore can tell a writer without rows from a missing one.
     */
    static List<ModelShard> write(
            DeepMatchModel model,
            int maxShardBytes,
            java.util.function.IntPredicate owned,
            int writer,
            int writers) {
        if (maxShardBytes < 1024) {
            throw new IllegalArgumentException(
                    "maxShardBytes must be at least 1024, got " + maxShardBytes);
        }
        List<ModelShard> out = new ArrayList<>();
        byte[] blob = denseBlob(model);
        int denseParts = writer == 0 ? (blob.length + maxShardBytes - 1) / maxShardBytes : 0;
        for (int p = 0; p < denseParts; p++) {
            int from = p * maxShardBytes;
            int to = Math.min(blob.length, from + maxShardBytes);
            out.add(shard(model, ShardKind.DENSE, p, denseParts, 0, 0, slice(blob, from, to)));
        }
        List<ModelShard> itemShards = new ArrayList<>();
        ItemTable items = model.items;
        int e = items.dim();
        int me = items.momentDim();
        int row = 0;
        int written = 0;
        int doubles = 2 * e + me;
        while (row < items.size() || itemShards.isEmpty()) {
            // First the shard's rows and exact size (rows until it reaches maxShardBytes), then
            // one array of that size filled in place: no stream, no growing, no copy.
            int first = written;
            int from = row;
            long size = 0;
            while (row < items.size() && (written == first || size < maxShardBytes)) {
                if (owned.test(row)) {
                    size += 2 + utfLength(items.id(row)) + 16 + 8L * doubles;
                    written++;
                }
                row++;
            }
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(size));
            for (int r = from; r < row; r++) {
                if (owned.test(r)) {
                    putUtf(bytes, items.id(r));
                    bytes.putLong(items.sampler.count(r));
                    bytes.putLong(items.lastPlayed(r));
                    putDoubles(bytes, items.emb, r * e, e);
                    putDoubles(bytes, items.m, r * me, me);
                    putDoubles(bytes, items.v, r * e, e);
                }
            }
            itemShards.add(
                    shard(model, ShardKind.ITEMS, 0, 0, first, written - first, bytes.array()));
        }
        for (int p = 0; p < itemShards.size(); p++) {
            itemShards.get(p).setPart(p);
            itemShards.get(p).setParts(itemShards.size());
        }
        out.addAll(itemShards);
        for (ModelShard shard : out) {
            shard.setWriter(writer);
            shard.setWriters(writers);
        }
        return out;
    }

    private static byte[] denseBlob(DeepMatchModel model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            d.writeInt(MAGIC);
            writeConfig(d, model.config());
            d.writeLong(model.steps);
            d.writeLong(model.rejectedItems);
            d.writeLong(model.clock);
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

    static DeepMatchModel read(List<ModelShard> shards, ModelRuntime runtime) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no model shards to restore from");
        }
        int codec = shards.get(0).getCodecVersion();
        int writers = shards.get(0).getWriters();
        List<ModelShard> dense = new ArrayList<>();
        Map<Integer, List<ModelShard>> rowsByWriter = new HashMap<>();
        Map<Integer, Long> versionOf = new HashMap<>();
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
            if (s.getWriters() != writers || s.getWriter() < 0 || s.getWriter() >= writers) {
                throw new IllegalStateException(
                        "model shard of writer "
                                + s.getWriter()
                                + " of "
                                + s.getWriters()
                                + " among shards of "
                                + writers
                                + " writers");
            }
            // Each trainer stamps its own version; within one trainer's shards it is one.
            Long version = versionOf.putIfAbsent(s.getWriter(), s.getModelVersion());
            if (version != null && version != s.getModelVersion()) {
                throw new IllegalStateException(
                        "model shards of different versions: "
                                + version
                                + " and "
                                + s.getModelVersion());
            }
            if (s.getKind() == ShardKind.DENSE) {
                dense.add(s);
            } else {
                rowsByWriter.computeIfAbsent(s.getWriter(), w -> new ArrayList<>()).add(s);
            }
        }
        if (codec >= 5 && rowsByWriter.size() != writers) {
            throw new IllegalStateException(
                    "model shards of "
                            + rowsByWriter.size()
                            + " writers, the snapshot had "
                            + writers
                            + ": a trainer's part is missing");
        }
        if (dense.isEmpty()) {
            throw new IllegalStateException("model shards without the dense parameters");
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
            model = new DeepMatchModel(readConfig(d, codec), runtime, false);
            d.readLong(); // the dense writer's steps; the version is the newest of all writers
            model.steps = versionOf.values().stream().mapToLong(Long::longValue).max().orElse(0);
            model.rejectedItems = d.readLong();
            model.clock = codec >= 7 ? d.readLong() : 0;
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
        // Every writer's dense blob counts the whole catalogue (rows of all writers).
        model.items.reserve(catalogue);
        int e = model.items.dim();
        double[] emb = new double[e], m = new double[model.items.momentDim()], v = new double[e];
        for (List<ModelShard> rows : rowsByWriter.values()) {
            rows.sort(Comparator.comparingInt(ModelShard::getFirstRow));
            int expected = 0;
            for (ModelShard s : rows) {
                if (s.getFirstRow() != expected) {
                    throw new IllegalStateException(
                            "item shards leave a gap: expected row "
                                    + expected
                                    + ", next shard starts at "
                                    + s.getFirstRow());
                }
                expected += s.getRowCount();
                readRows(model, s, codec, emb, m, v);
            }
        }
        if (codec < 5 && model.items.size() != catalogue) {
            throw new IllegalStateException(
                    "item shards hold "
                            + model.items.size()
                            + " rows, the snapshot had "
                            + catalogue);
        }
        model.items.drainTouched(); // a restored model has emitted nothing yet
        return model;
    }

    private static void readRows(
            DeepMatchModel model, ModelShard s, int codec, double[] emb, double[] m, double[] v) {
        int e = model.items.dim();
        ByteBuffer d = s.getPayload().duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        try {
            for (int i = 0; i < s.getRowCount(); i++) {
                String id = getUtf(d);
                long count = d.getLong();
                long played = codec >= 7 ? d.getLong() : ItemTable.UNKNOWN;
                getDoubles(d, emb, 0, e);
                getDoubles(d, m, 0, m.length);
                getDoubles(d, v, 0, e);
                if (model.items.rowOf(id) >= 0) {
                    throw new IllegalStateException("item " + id + " is in the model shards twice");
                }
                model.items.append(id, emb, m, v, count, played);
            }
        } catch (java.nio.BufferUnderflowException ex) {
            throw new IllegalStateException(
                    "item shard at row "
                            + s.getFirstRow()
                            + " ends before its "
                            + s.getRowCount()
                            + " rows",
                    ex);
        }
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
        Map<String, String> written = c.toSettings().written(ModelSettings.ALL);
        d.writeInt(written.size());
        for (Map.Entry<String, String> e : written.entrySet()) {
            d.writeUTF(e.getKey());
            d.writeUTF(e.getValue());
        }
    }

    private static ModelConfig readConfig(DataInputStream d, int codec) throws IOException {
        if (codec < 4) {
            return readPositionalConfig(d, codec);
        }
        Map<String, Setting<?>> known = new HashMap<>();
        ModelSettings.ALL.forEach(s -> known.put(s.name(), s));
        Settings.Builder b = Settings.builder();
        // Settings a snapshot from before them lacks take the value that changes nothing, not
        // today's default: no successor channel, the skip loss on every skip.
        b.set(SUCCESSOR_DIM, 0);
        b.set(NEG_AFTER_PLAY, 1.0);
        int n = d.readInt();
        for (int i = 0; i < n; i++) {
            String name = d.readUTF();
            String value = d.readUTF();
            Setting<?> setting = known.get(name);
            if (setting == null) {
                throw new IllegalStateException(
                        "the snapshot has a model setting this build does not know: " + name);
            }
            b.parse(setting, value);
        }
        return ModelConfig.from(b.build());
    }

    /** Versions 1 to 3: every setting in a fixed order, threads and precision among them. */
    private static ModelConfig readPositionalConfig(DataInputStream d, int codec)
            throws IOException {
        ModelConfig.Builder b =
                ModelConfig.builder()
                        .set(WINDOW_LENGTH, d.readInt())
                        .set(FACTOR_DIM, d.readInt())
                        .set(HIDDEN, d.readInt())
                        .set(HEADS, d.readInt())
                        .set(BLOCKS, d.readInt())
                        .set(FF_DIM, d.readInt())
                        .set(INTENT_TYPES, d.readInt())
                        .set(FACTORIZED, d.readBoolean())
                        .set(RATE_AND_INTENT, d.readBoolean())
                        .set(NEGATIVES, d.readInt())
                        .set(SAMPLER_POWER, d.readDouble())
                        .set(POS_THRESHOLD, d.readDouble())
                        .set(NEG_THRESHOLD, d.readDouble())
                        .set(NEG_WEIGHT, d.readDouble())
                        .set(NEG_LOSS, NegativeLoss.valueOf(d.readUTF()))
                        .set(NEG_ITEM_GRADIENT, d.readDouble())
                        .set(LEARNING_RATE, d.readDouble())
                        .set(EMBEDDING_LEARNING_RATE, d.readDouble())
                        .set(ADAM_BETA1, d.readDouble())
                        .set(ADAM_BETA2, d.readDouble())
                        .set(ADAM_EPSILON, d.readDouble())
                        .set(INIT_SCALE, d.readDouble())
                        .set(STEPS_PER_BATCH, d.readInt())
                        .set(REPLAY_BUFFER, d.readInt())
                        .set(REPLAY_PER_BATCH, d.readInt())
                        .set(CATALOGUE_CAPACITY, d.readInt());
        d.readInt(); // threads: how the model ran, not part of it
        b.set(SEED, d.readLong());
        // Version 1 had no head: restore it off, whatever today's default.
        b.set(NEXT_ITEM_WEIGHT, codec >= 2 ? d.readDouble() : 0.0);
        b.set(SUCCESSOR_DIM, 0);
        b.set(NEG_AFTER_PLAY, 1.0);
        if (codec >= 3) {
            d.readUTF(); // precision: how the model ran
        }
        return b.build();
    }

    /** The dense blob's doubles, in the bytes of {@link DataOutputStream#writeDouble}, in bulk. */
    private static void writeDoubles(DataOutputStream d, double[] a, int off, int n)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 * n);
        putDoubles(buf, a, off, n);
        d.write(buf.array());
    }

    private static void readDoubles(DataInputStream d, double[] a, int off, int n)
            throws IOException {
        byte[] bytes = new byte[8 * n];
        d.readFully(bytes);
        getDoubles(ByteBuffer.wrap(bytes), a, off, n);
    }

    /**
     * Big-endian doubles, as {@link DataOutputStream#writeDouble} writes them (the same bytes for
     * every value but non-canonical NaNs, which parameters never hold), in bulk: the encoding is
     * the synchronous part of trainer 0's snapshot, so its speed is training time.
     */
    private static void putDoubles(ByteBuffer b, double[] a, int off, int n) {
        b.asDoubleBuffer().put(a, off, n);
        b.position(b.position() + 8 * n);
    }

    private static void getDoubles(ByteBuffer b, double[] a, int off, int n) {
        b.asDoubleBuffer().get(a, off, n);
        b.position(b.position() + 8 * n);
    }

    /**
     * Bytes of {@code s} in {@link DataOutputStream#writeUTF}'s modified UTF-8, length excluded.
     */
    static int utfLength(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= 0x0001 && c <= 0x007F ? 1 : c > 0x07FF ? 3 : 2;
        }
        if (n > 65535) {
            throw new IllegalStateException(
                    "item id of " + n + " bytes: longer than the codec's 65,535");
        }
        return n;
    }

    /**
     * {@link DataOutputStream#writeUTF}'s bytes: the length as an unsigned short, then the chars.
     */
    static void putUtf(ByteBuffer b, String s) {
        b.putShort((short) utfLength(s));
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x0001 && c <= 0x007F) {
                b.put((byte) c);
            } else if (c > 0x07FF) {
                b.put((byte) (0xE0 | ((c >> 12) & 0x0F)));
                b.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                b.put((byte) (0x80 | (c & 0x3F)));
            } else {
                b.put((byte) (0xC0 | ((c >> 6) & 0x1F)));
                b.put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    /** Reads what {@link #putUtf} (or {@link DataOutputStream#writeUTF}) wrote. */
    static String getUtf(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        int end = b.position() + n;
        StringBuilder out = new StringBuilder(n);
        while (b.position() < end) {
            int c = b.get() & 0xFF;
            if (c < 0x80) {
                out.append((char) c);
            } else if ((c & 0xE0) == 0xC0) {
                out.append((char) (((c & 0x1F) << 6) | (b.get() & 0x3F)));
            } else {
                int c2 = b.get() & 0x3F;
                out.append((char) (((c & 0x0F) << 12) | (c2 << 6) | (b.get() & 0x3F)));
            }
        }
        return out.toString();
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
