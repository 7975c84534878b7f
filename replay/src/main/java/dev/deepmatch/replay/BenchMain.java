package dev.deepmatch.replay;

import dev.deepmatch.model.DeepMatchModel;
import dev.deepmatch.model.Example;
import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.math.Blas;
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
    static final String USAGE =
            """
            usage: learner bench [options]
              Times DeepMatchModel.train on generated batches (full windows of --max-len plays).
              --batch N          sequences per batch (default 256)
              --catalogue V      distinct items, all admitted before timing (default 50000)
              --warmup N         untimed steps after admission (default 5)
              --steps N          timed steps (default 20)
              --help             this text
            """
                    + ModelOptions.USAGE;

    private BenchMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    record Options(
            boolean help, ModelConfig model, int batch, int catalogue, int warmup, int steps) {}

    static Options parse(String[] argv) throws UsageException {
        Args args = new Args(argv);
        ModelOptions model = new ModelOptions();
        int batch = 256;
        int catalogue = 50_000;
        int warmup = 5;
        int steps = 20;
        while (args.hasNext()) {
            String option = args.nextOption();
            switch (option) {
                case "--help", "-h" -> {
                    return new Options(true, null, batch, catalogue, warmup, steps);
                }
                case "--batch" -> batch = args.intValue(option, 1);
                case "--catalogue" -> catalogue = args.intValue(option, 2);
                case "--warmup" -> warmup = args.intValue(option, 0);
                case "--steps" -> steps = args.intValue(option, 1);
                default -> {
                    if (!model.accept(option, args)) {
                        throw new UsageException("unknown option '" + option + "'");
                    }
                }
            }
        }
        ModelConfig config = model.build();
        if (catalogue > config.catalogueCapacity()) {
            throw new UsageException(
                    "--catalogue "
                            + catalogue
                            + " exceeds the model's catalogue capacity "
                            + config.catalogueCapacity());
        }
        return new Options(false, config, batch, catalogue, warmup, steps);
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(argv);
        } catch (UsageException e) {
            err.println("bench: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o.help()) {
            out.print(USAGE);
            return 0;
        }
        ModelConfig c = o.model();
        BatchGenerator generator = new BatchGenerator(o.catalogue(), c.maxLen(), c.seed());
        try (DeepMatchModel model = new DeepMatchModel(c)) {
            err.println("bench: admitting " + o.catalogue() + " items...");
            for (List<Example> batch : generator.admissionBatches(o.batch())) {
                model.train(batch);
            }
            if (model.catalogueSize() < o.catalogue()) {
                err.println("bench: warning: only " + model.catalogueSize() + " items admitted");
            }
            for (int i = 0; i < o.warmup(); i++) {
                model.train(generator.batch(o.batch()));
            }
            List<List<Example>> timed = new ArrayList<>();
            for (int i = 0; i < o.steps(); i++) {
                timed.add(generator.batch(o.batch()));
            }
            err.println("bench: timing " + o.steps() + " steps...");
            long nanos = 0;
            for (List<Example> batch : timed) {
                long t0 = System.nanoTime();
                model.train(batch);
                nanos += System.nanoTime() - t0;
            }
            double msPerStep = nanos / 1e6 / o.steps();
            double sequencesPerSecond = o.batch() * o.steps() / (nanos / 1e9);
            String setting =
                    String.format(
                            Locale.ROOT,
                            "B=%d L=%d V=%d K=%d E=%d H=%d heads=%d blocks=%d ff=%d%s"
                                    + " next-item=%s steps/batch=%d threads=%d kernels=%s"
                                    + " products=%s",
                            o.batch(),
                            c.maxLen(),
                            model.catalogueSize(),
                            c.negatives(),
                            c.factorDim(),
                            c.hidden(),
                            c.heads(),
                            c.blocks(),
                            c.ffDim(),
                            c.factorized() ? "" : " unfactorized",
                            c.nextItemWeight() == 0 ? "off" : String.valueOf(c.nextItemWeight()),
                            c.stepsPerBatch(),
                            c.threads(),
                            Blas.VECTORIZED ? "vector" : "scalar",
                            c.precision().name().toLowerCase(Locale.ROOT));
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
            out.printf(Locale.ROOT, "sequences/s=%.0f%n", sequencesPerSecond);
            return 0;
        } catch (UnsupportedOperationException e) {
            err.println("bench: the model is not available in this build (" + e.getMessage() + ")");
            return 1;
        }
    }
}
