package dev.deepmatch.replay;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.replay.baseline.Baselines;
import dev.deepmatch.replay.format.EventFormat;
import dev.deepmatch.replay.sweep.ModelRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@link ReplayMain}, parsed and validated. */
record ReplayOptions(
        boolean help,
        Path events,
        EventFormat format,
        List<String> learners,
        int batch,
        int[] ns,
        double posThreshold,
        double negThreshold,
        long limit,
        List<ModelRun> models,
        Path curveCsv,
        Path curvePng,
        long curveEvery,
        int curveWindow,
        Path frontierCsv,
        Path frontierPng) {

    static final String MODEL = "model";

    static final String USAGE =
            """
            usage: learner replay --events FILE [options]
              Prequential replay: each mini-batch is ranked over the whole catalogue, then learned.
              --events FILE        plays to replay (required)
              --format F           csv|mssd-mini|mssd (default csv)
              --learner NAME       model|popular|transitions|transitions-signed|transitions-skip-aware
                                   (default model)
              --baselines          run all baselines and the model side by side
              --batch N            examples per mini-batch (default 64)
              --n LIST             the N of POS@N/NEG@N, e.g. 10,50 (default)
              --pos-threshold R    well played: rate >= R (default 0.8)
              --neg-threshold R    skipped: rate < R (default 0.3)
              --limit N            replay at most N events
              --curve-csv FILE     write the learning curve as CSV
              --curve-png FILE     draw the learning curve as PNG
              --curve-every N      examples between curve points (default 2000)
              --curve-window N     examples in the recent-recall window (default 10000)
            sweep (the models run side by side on the same batches):
              --neg-weights LIST   one model per negative loss weight, e.g. 0,0.2,0.5
              --seeds LIST         one model per seed, e.g. 42,7,11 (figures averaged)
              --ablate-rate-intent each model also without play-rate and intent inputs
              --frontier-csv FILE  POS@N/NEG@N per variant and weight, baselines included
              --frontier-png FILE  draw POS@10 against NEG@10 per variant as PNG
              --help               this text
            """
                    + ModelOptions.USAGE;

    /** Asks for the usage text only. */
    private static final ReplayOptions HELP =
            new ReplayOptions(
                    true,
                    null,
                    null,
                    List.of(),
                    0,
                    new int[0],
                    0,
                    0,
                    0,
                    List.of(),
                    null,
                    null,
                    0,
                    0,
                    null,
                    null);

    static ReplayOptions parse(String[] argv) throws UsageException {
        Args args = new Args(argv);
        ModelOptions model = new ModelOptions();
        Path events = null;
        EventFormat format = EventFormat.CSV;
        String learner = MODEL;
        boolean baselines = false;
        int batch = 64;
        int[] ns = {10, 50};
        double posThreshold = 0.8;
        double negThreshold = 0.3;
        long limit = Long.MAX_VALUE;
        Path curveCsv = null;
        Path curvePng = null;
        long curveEvery = 2000;
        int curveWindow = 10_000;
        double[] negWeights = null;
        long[] seeds = null;
        boolean ablateRateIntent = false;
        Path frontierCsv = null;
        Path frontierPng = null;
        while (args.hasNext()) {
            String option = args.nextOption();
            switch (option) {
                case "--help", "-h" -> {
                    return HELP;
                }
                case "--events" -> events = Path.of(args.value(option));
                case "--format" -> {
                    String name = args.value(option);
                    format = EventFormat.byName(name);
                    if (format == null) {
                        throw new UsageException(
                                "--format must be one of "
                                        + EventFormat.names()
                                        + ", got '"
                                        + name
                                        + "'");
                    }
                }
                case "--learner" -> {
                    learner = args.value(option);
                    if (!learner.equals(MODEL) && !Baselines.NAMES.contains(learner)) {
                        throw new UsageException(
                                "--learner must be model or one of "
                                        + Baselines.NAMES
                                        + ", got '"
                                        + learner
                                        + "'");
                    }
                }
                case "--baselines" -> baselines = true;
                case "--batch" -> batch = args.intValue(option, 1);
                case "--n" -> ns = args.intList(option);
                case "--pos-threshold" -> posThreshold = args.doubleValue(option);
                case "--neg-threshold" -> negThreshold = args.doubleValue(option);
                case "--limit" -> limit = args.longValue(option, 1);
                case "--curve-csv" -> curveCsv = Path.of(args.value(option));
                case "--curve-png" -> curvePng = Path.of(args.value(option));
                case "--curve-every" -> curveEvery = args.intValue(option, 1);
                case "--curve-window" -> curveWindow = args.intValue(option, 1);
                case "--neg-weights" -> negWeights = args.doubleList(option, 0);
                case "--seeds" -> seeds = args.longList(option);
                case "--ablate-rate-intent" -> ablateRateIntent = true;
                case "--frontier-csv" -> frontierCsv = Path.of(args.value(option));
                case "--frontier-png" -> frontierPng = Path.of(args.value(option));
                default -> {
                    if (!model.accept(option, args)) {
                        throw new UsageException("unknown option '" + option + "'");
                    }
                }
            }
        }
        if (events == null) {
            throw new UsageException("--events is required");
        }
        if (!(posThreshold >= 0 && posThreshold <= 1)) {
            throw new UsageException("--pos-threshold must be in [0, 1], got " + posThreshold);
        }
        if (!(negThreshold >= 0 && negThreshold <= posThreshold)) {
            throw new UsageException(
                    "--neg-threshold must be in [0, --pos-threshold], got " + negThreshold);
        }
        model.builder().posThreshold(posThreshold).negThreshold(negThreshold);
        ModelConfig base = model.build();
        boolean sweep = negWeights != null || seeds != null || ablateRateIntent;
        if (!sweep && (frontierCsv != null || frontierPng != null)) {
            throw new UsageException(
                    "--frontier-csv and --frontier-png need a sweep: --neg-weights, --seeds or"
                            + " --ablate-rate-intent");
        }
        if (sweep && !baselines && !learner.equals(MODEL)) {
            throw new UsageException("a sweep runs models; --learner must be model");
        }
        List<ModelRun> models = new ArrayList<>();
        if (sweep) {
            for (double w : negWeights == null ? new double[] {base.negWeight()} : negWeights) {
                for (long seed : seeds == null ? new long[] {base.seed()} : seeds) {
                    models.add(ModelRun.point(base, w, seed, base.useRateAndIntent()));
                    if (ablateRateIntent && base.useRateAndIntent()) {
                        models.add(ModelRun.point(base, w, seed, false));
                    }
                }
            }
        } else {
            models.add(ModelRun.single(base));
        }
        List<String> learners = new ArrayList<>();
        if (baselines) {
            learners.addAll(Baselines.NAMES);
            learners.add(MODEL);
        } else {
            learners.add(learner);
        }
        return new ReplayOptions(
                false,
                events,
                format,
                List.copyOf(learners),
                batch,
                ns,
                posThreshold,
                negThreshold,
                limit,
                List.copyOf(models),
                curveCsv,
                curvePng,
                curveEvery,
                curveWindow,
                frontierCsv,
                frontierPng);
    }
}
