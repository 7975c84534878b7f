package dev.deepmatch.replay;

import static dev.deepmatch.replay.ReplaySettings.*;

import dev.deepmatch.model.ModelConfig;
import dev.deepmatch.model.ModelRuntime;
import dev.deepmatch.model.ModelSettings;
import dev.deepmatch.model.prequential.PrequentialSettings;
import dev.deepmatch.replay.baseline.Baselines;
import dev.deepmatch.replay.sweep.ModelRun;
import dev.deepmatch.settings.CommandLine;
import dev.deepmatch.settings.SettingException;
import dev.deepmatch.settings.Settings;
import dev.deepmatch.settings.UsageException;
import dev.deepmatch.sources.SourceSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@link ReplayMain}, parsed and checked. */
record ReplayOptions(
        Settings settings,
        List<String> learners,
        List<ModelRun> models,
        ModelRuntime runtime,
        int[] ns) {

    static final CommandLine COMMAND =
            CommandLine.builder(
                            "replay",
                            "Prequential replay: each mini-batch of examples is ranked over the whole"
                                    + " catalogue, then learned from; stdout gets one result line per"
                                    + " learner.")
                    .group("plays", SourceSettings.INPUT)
                    .group("prequential", PrequentialSettings.ALL)
                    .group("report", ReplaySettings.REPORT)
                    .group("sweep (models side by side on the same batches)", ReplaySettings.SWEEP)
                    .group("model", ModelSettings.ALL)
                    .group("runtime", ModelSettings.RUNTIME)
                    .build();

    /** Null when the command line asks for help. */
    static ReplayOptions parse(String[] argv) throws UsageException {
        CommandLine.Parsed parsed = COMMAND.parse(argv);
        if (parsed.help()) {
            return null;
        }
        try {
            return of(parsed.settings());
        } catch (SettingException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static ReplayOptions of(Settings s) throws UsageException {
        SourceSettings.check(s);
        if (!SourceSettings.bounded(s)) {
            throw new UsageException("the generator never ends: give --max-events N, or --events");
        }
        ModelConfig base = ModelConfig.from(s);
        List<Double> negWeights = s.get(NEG_WEIGHTS);
        List<Long> seeds = s.get(SEEDS);
        boolean ablate = s.get(ABLATE_RATE_INTENT);
        boolean sweep = negWeights != null || seeds != null || ablate;
        if (!sweep && (s.get(FRONTIER_CSV) != null || s.get(FRONTIER_PNG) != null)) {
            throw new UsageException(
                    "--frontier-csv and --frontier-png need a sweep: --neg-weights, --seeds or"
                            + " --ablate-rate-intent");
        }
        String learner = s.get(LEARNER);
        boolean baselines = s.get(BASELINES);
        if (sweep && !baselines && !learner.equals(MODEL)) {
            throw new UsageException("a sweep runs models; --learner must be model");
        }
        List<ModelRun> models = new ArrayList<>();
        if (sweep) {
            for (double w : negWeights == null ? List.of(base.negWeight()) : negWeights) {
                for (long seed : seeds == null ? List.of(base.seed()) : seeds) {
                    models.add(ModelRun.point(base, w, seed, base.rateAndIntent()));
                    if (ablate && base.rateAndIntent()) {
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
        int[] ns = s.get(N).stream().mapToInt(Integer::intValue).toArray();
        return new ReplayOptions(
                s, List.copyOf(learners), List.copyOf(models), ModelRuntime.from(s), ns);
    }

    <T> T get(dev.deepmatch.settings.Setting<T> setting) {
        return settings.get(setting);
    }

    Path curveCsv() {
        return settings.get(CURVE_CSV);
    }

    Path curvePng() {
        return settings.get(CURVE_PNG);
    }

    Path frontierCsv() {
        return settings.get(FRONTIER_CSV);
    }

    Path frontierPng() {
        return settings.get(FRONTIER_PNG);
    }

    ModelConfig baseModel() {
        return models.get(0).config();
    }
}
