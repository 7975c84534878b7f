package dev.deepmatch.replay;

import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelRuntime;
import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.model.math.Blas;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.schema.ModelShard;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.Setting;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/learner bench}: training-step throughput of {@link DeepMatchModel#train} on generated
 * batches of full windows. A warm-up first admits the whole generated catalogue and lets the JIT
 * settle; then the timed steps. Ends with the line {@code sequences/s=NNN}.
 */
public final class BenchMain {

    static final Setting<Integer> CATALOGUE =
            Setting.ofInt("catalogue", 50_000)
                    .range(2, 100_000_000)
                    .describedAs("distinct items, all admitted before timing");

    static final Setting<Integer> WARMUP =
            Setting.ofInt("warmup", 5).atLeast(0).describedAs("untimed steps after admission");

    static final Setting<Integer> STEPS =
            Setting.ofInt("steps", 20).atLeast(1).describedAs("timed steps");

    static final CommandLine COMMAND =
            CommandLine.builder(
                            "bench",
                            "Times the bare training step (DeepMatchModel.train, no replay) on"
                                    + " generated batches of full windows of --window-length"
                                    + " plays; ends with sequences/s=N.")
                    .group(
                            "bench",
                            List.of(PrequentialSettings.BATCH_SIZE, CATALOGUE, WARMUP, STEPS))
                    .override(PrequentialSettings.BATCH_SIZE.withDefault(256))
                    .group("model", ModelSettings.ALL)
                    .group("runtime", ModelSettings.RUNTIME)
                    .build();

    private BenchMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    record Options(
            ModelConfig model,
            ModelRuntime runtime,
            int batch,
            int catalogue,
            int warmup,
            int steps) {}

    /** Null when the command line asks for help. */
    static Options parse(String[] argv) throws UsageException {
        CommandLine.Parsed parsed = COMMAND.parse(argv);
        if (parsed.help()) {
            return null;
        }
        Settings s = parsed.settings();
        ModelConfig config;
        try {
            config = ModelConfig.from(s);
        } catch (SettingException e) {
            throw new UsageException(e.getMessage());
        }
        if (s.get(CATALOGUE) > config.catalogueCapacity()) {
            throw new UsageException(
                    "--catalogue "
                            + s.get(CATALOGUE)
                            + " exceeds the model's --catalogue-capacity "
                            + config.catalogueCapacity());
        }
        return new Options(
                config,
                ModelRuntime.from(s),
                s.get(PrequentialSettings.BATCH_SIZE),
                s.get(CATALOGUE),
                s.get(WARMUP),
                s.get(STEPS));
    }

    /**
     * Nanoseconds of the timed steps, the catalogue they ran on, and the catalogue-scale figures
     * taken after them (null unless asked for).
     */
    public record Timed(long nanos, int catalogue, CatalogueFigures figures) {}

    /**
     * What a catalogue of this size costs beyond the step: one full refresh's vectors (every row,
     * {@link DeepMatchModel#VECTOR_BLOCK} rows a product, as the trainer computes them; not the
     * Kafka writes), and the model's state as the trainer checkpoints it (the codec's shards of 1
     * MiB, the job's default {@code model-shard-bytes}; not Flink's own I/O): bytes, encode and
     * restore times, and the heap the model holds (used heap after a GC with the model, less before
     * it was made). Each is one call without a warm-up.
     */
    public record CatalogueFigures(
            long refreshNanos,
            int shards,
            long bytes,
            long encodeNanos,
            long restoreNanos,
            long heapBytes) {}

    /**
     * Times {@code steps} bare training steps of a new model on generated batches of full windows,
     * after admitting {@code catalogue} items and {@code warmup} untimed steps.
     *
     * @param withReplay time {@link DeepMatchModel#learn} (each batch trained with replayed earlier
     *     examples, as the job and the replay do) instead of the bare {@link DeepMatchModel#train}
     * @param catalogueFigures also measure the {@link CatalogueFigures} after the steps
     */
    public static Timed time(
            ModelConfig c,
            ModelRuntime runtime,
            int batchSize,
            int catalogue,
            int warmup,
            int steps,
            boolean withReplay,
            boolean catalogueFigures,
            PrintStream err) {
        BatchGenerator generator = new BatchGenerator(catalogue, c.windowLength(), c.seed());
        long heapBefore = catalogueFigures ? usedHeapAfterGc() : 0;
        try (DeepMatchModel model = new DeepMatchModel(c, runtime)) {
            err.println("bench: admitting " + catalogue + " items...");
            for (List<Example> batch : generator.admissionBatches(batchSize)) {
                model.train(batch);
            }
            if (model.catalogueSize() < catalogue) {
                err.println("bench: warning: only " + model.catalogueSize() + " items admitted");
            }
            for (int i = 0; i < warmup; i++) {
                if (withReplay) {
                    model.learn(generator.batch(batchSize));
                } else {
                    model.train(generator.batch(batchSize));
                }
            }
            List<List<Example>> timed = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                timed.add(generator.batch(batchSize));
            }
            err.println("bench: timing " + steps + " steps...");
            long nanos = 0;
            for (List<Example> batch : timed) {
                long t0 = System.nanoTime();
                if (withReplay) {
                    model.learn(batch);
                } else {
                    model.train(batch);
                }
                nanos += System.nanoTime() - t0;
            }
            return new Timed(
                    nanos,
                    model.catalogueSize(),
                    catalogueFigures ? catalogueFigures(model, runtime, heapBefore, err) : null);
        }
    }

    private static CatalogueFigures catalogueFigures(
            DeepMatchModel model, ModelRuntime runtime, long heapBefore, PrintStream err) {
        long heap = usedHeapAfterGc() - heapBefore;
        int size = model.catalogueSize();
        long t0 = System.nanoTime();
        float checksum = 0;
        for (int from = 0; from < size; from += DeepMatchModel.VECTOR_BLOCK) {
            int[] block = new int[Math.min(DeepMatchModel.VECTOR_BLOCK, size - from)];
            for (int i = 0; i < block.length; i++) {
                block[i] = from + i;
            }
            checksum += model.itemVectors(block)[0];
        }
        long refresh = System.nanoTime() - t0;
        if (!Float.isFinite(checksum)) {
            err.println("bench: warning: a refreshed vector is not finite");
        }
        t0 = System.nanoTime();
        List<ModelShard> shards = model.snapshot(1 << 20);
        long encode = System.nanoTime() - t0;
        long bytes = 0;
        for (ModelShard shard : shards) {
            bytes += shard.getPayload().remaining();
        }
        t0 = System.nanoTime();
        try (DeepMatchModel restored = DeepMatchModel.restore(shards, runtime)) {
            long restore = System.nanoTime() - t0;
            if (restored.catalogueSize() != size) {
                throw new IllegalStateException("the restored model lost items");
            }
            return new CatalogueFigures(refresh, shards.size(), bytes, encode, restore, heap);
        }
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(argv);
        } catch (UsageException e) {
            err.println("bench: " + e.getMessage());
            err.println("bench: --help lists the settings");
            return 2;
        }
        if (o == null) {
            out.print(COMMAND.usage());
            return 0;
        }
        ModelConfig c = o.model();
        ModelRuntime runtime = o.runtime();
        try {
            Timed t =
                    time(
                            c,
                            runtime,
                            o.batch(),
                            o.catalogue(),
                            o.warmup(),
                            o.steps(),
                            false,
                            true,
                            err);
            long nanos = t.nanos();
            double msPerStep = nanos / 1e6 / o.steps();
            double sequencesPerSecond = o.batch() * o.steps() / (nanos / 1e9);
            String setting =
                    String.format(
                            Locale.ROOT,
                            "B=%d L=%d V=%d K=%d E=%d H=%d heads=%d blocks=%d ff=%d%s"
                                    + " next-item=%s successor=%d steps/batch=%d threads=%d"
                                    + " kernels=%s"
                                    + " products=%s",
                            o.batch(),
                            c.windowLength(),
                            t.catalogue(),
                            c.negatives(),
                            c.factorDim(),
                            c.hidden(),
                            c.heads(),
                            c.blocks(),
                            c.ffDim(),
                            c.factorized() ? "" : " unfactorized",
                            c.nextItemWeight() == 0 ? "off" : String.valueOf(c.nextItemWeight()),
                            c.successorDim(),
                            c.stepsPerBatch(),
                            runtime.threads(),
                            !Blas.VECTORIZED ? "scalar" : Blas.warmUp() ? "vector" : "vector-cold",
                            runtime.precision().name().toLowerCase(Locale.ROOT));
            int width = Math.max("setting".length(), setting.length());
            out.printf(
                    Locale.ROOT,
                    "%-" + width + "s  %10s  %12s%n",
                    "setting",
                    "ms/step",
                    "sequences/s");
            out.printf(
                    Locale.ROOT,
                    "%-" + width + "s  %10.1f  %12.0f%n",
                    setting,
                    msPerStep,
                    sequencesPerSecond);
            out.printf(
                    Locale.ROOT,
                    "full refresh: %d item vectors in %.1f ms (%,.0f vectors/s; the trainer's"
                            + " products, not its Kafka writes)%n",
                    t.catalogue(),
                    t.figures().refreshNanos() / 1e6,
                    t.catalogue() / (t.figures().refreshNanos() / 1e9));
            CatalogueFigures st = t.figures();
            out.printf(
                    Locale.ROOT,
                    "model state: %d shards, %.1f MB, encoded in %.0f ms, restored in %.0f ms;"
                            + " heap held by the model %.0f MB%n",
                    st.shards(),
                    st.bytes() / 1e6,
                    st.encodeNanos() / 1e6,
                    st.restoreNanos() / 1e6,
                    st.heapBytes() / 1e6);
            out.printf(Locale.ROOT, "sequences/s=%.0f%n", sequencesPerSecond);
            return 0;
        } catch (UnsupportedOperationException e) {
            err.println("bench: the model is not available in this build (" + e.getMessage() + ")");
            return 1;
        }
    }
}
