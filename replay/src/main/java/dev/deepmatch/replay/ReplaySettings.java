package dev.deepmatch.replay;

import dev.deepmatch.replay.baseline.Baselines;
import dev.deepmatch.settings.Setting;
import java.nio.file.Path;
import java.util.List;

/** The settings of {@code replay} beyond the source, prequential, model and runtime ones. */
final class ReplaySettings {
    private ReplaySettings() {}

    static final String MODEL = "model";

    static final Setting<String> LEARNER =
            Setting.ofString("learner", MODEL)
                    .check(
                            v -> v.equals(MODEL) || Baselines.NAMES.contains(v),
                            ", one of " + MODEL + ", " + String.join(", ", Baselines.NAMES))
                    .describedAs("what to replay: the model or one baseline");

    static final Setting<Boolean> BASELINES =
            Setting.ofBoolean("baselines", false)
                    .describedAs("run every baseline and the model side by side");

    static final Setting<List<Integer>> N =
            Setting.ofSortedIntList("n", List.of(10, 50))
                    .atLeast(1)
                    .describedAs("the N of POS@N / NEG@N; the first is the one the curve follows");

    static final Setting<Path> CURVE_CSV =
            Setting.ofPath("curve-csv", "FILE").describedAs("write the learning curve as CSV");

    static final Setting<Path> CURVE_PNG =
            Setting.ofPath("curve-png", "FILE").describedAs("draw the learning curve as PNG");

    static final Setting<Integer> CURVE_EVERY =
            Setting.ofInt("curve-every", 2000)
                    .atLeast(1)
                    .describedAs("examples between two points of the learning curve");

    static final List<Setting<?>> REPORT =
            List.of(LEARNER, BASELINES, N, CURVE_CSV, CURVE_PNG, CURVE_EVERY);

    static final Setting<List<Double>> NEG_WEIGHTS =
            Setting.ofDoubleList("neg-weights", null)
                    .atLeast(0.0)
                    .describedAs("one model per weight of the skip loss, e.g. 0,0.5,1.5");

    static final Setting<List<Long>> SEEDS =
            Setting.ofLongList("seeds", null)
                    .describedAs("one model per seed, e.g. 42,7,11 (figures averaged)");

    static final Setting<Boolean> ABLATE_RATE_INTENT =
            Setting.ofBoolean("ablate-rate-intent", false)
                    .describedAs("each model also without the play-rate and intent inputs");

    static final Setting<Path> FRONTIER_CSV =
            Setting.ofPath("frontier-csv", "FILE")
                    .describedAs("POS@N / NEG@N per variant and weight, baselines included");

    static final Setting<Path> FRONTIER_PNG =
            Setting.ofPath("frontier-png", "FILE")
                    .describedAs("draw POS@10 against NEG@10 per variant as PNG");

    static final List<Setting<?>> SWEEP =
            List.of(NEG_WEIGHTS, SEEDS, ABLATE_RATE_INTENT, FRONTIER_CSV, FRONTIER_PNG);
}
